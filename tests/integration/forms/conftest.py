"""The forms' tests run on the demo township with three tickets (tests/forms_kit.py)."""
from __future__ import annotations

import pytest

from forms_kit import Township, handled_township


@pytest.fixture
def township(make_app, demo, db) -> Township:
    return handled_township(make_app, db)
