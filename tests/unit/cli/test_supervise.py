"""`liaison serve` keeps its worker running: a worker that exits, with any
status, is started again."""
from __future__ import annotations

import sys
import time

import pytest

from bot.cli.supervise import Supervisor


@pytest.mark.parametrize("status", [0, 1, -9])
def test_a_worker_that_exits_is_started_again_whatever_its_status(tmp_path, status):
    runs = tmp_path / "runs"
    code = (f"import os,signal; open({str(runs)!r}, 'a').write('x'); "
            + ("os.kill(os.getpid(), signal.SIGKILL)" if status < 0 else f"raise SystemExit({status})"))
    sup = Supervisor([sys.executable, "-c", code], "worker", first_delay=0.01, max_delay=0.05).start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(runs.read_text() if runs.exists() else "") < 3:
            time.sleep(0.05)
    finally:
        sup.stop()
    assert len(runs.read_text()) >= 3


def test_stopping_ends_the_worker_and_starts_no_other(tmp_path):
    sup = Supervisor([sys.executable, "-c", "import time; time.sleep(60)"], "worker", first_delay=0.01).start()
    deadline = time.monotonic() + 10
    while sup.proc is None and time.monotonic() < deadline:
        time.sleep(0.01)
    sup.stop(timeout=5)
    assert sup.proc.poll() is not None and sup.restarts == 0
