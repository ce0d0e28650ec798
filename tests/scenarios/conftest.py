"""Scenarios: a voter, a deputy, staff and the county office talk to the bot
through signed WeChat XML, at the station the lifecycle kit sets up (staff and
offices on WeChat, bursts on, Thursday 26 November 2026, 10:00 in Beijing)."""
from __future__ import annotations

import pytest

from lifecycle_kit import Inbox, build


@pytest.fixture
def app(make_app):
    return build(make_app)


@pytest.fixture
def inbox(app, db):
    """What each person received on WeChat."""
    return Inbox(app, db)
