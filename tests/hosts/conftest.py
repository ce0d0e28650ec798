"""The multi-host test reuses the fault test's helpers (tests/faults: cluster,
load, tally), imported by their plain names as the fault test does."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "faults"))
