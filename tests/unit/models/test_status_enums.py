"""Statuses are StrEnums over plain string columns: the stored values, the
JSON the commands print and comparisons with loaded strings stay as they were."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from bot.models import (BROADCAST_STATUSES, DELIVERY_STATUSES, OPEN_STATUSES, PUSH_STATUSES, TICKET_STATUSES,
                        BroadcastStatus, DeliveryStatus, PushStatus, TicketStatus)


def test_the_stored_values_are_the_strings_they_always_were():
    assert TICKET_STATUSES == ("new", "accepted", "in_progress", "replied", "transferred", "escalated", "resolved",
                               "rated", "closed", "reopened", "merged", "rejected")
    assert OPEN_STATUSES == ("new", "accepted", "in_progress", "replied", "transferred", "escalated", "reopened")
    assert PUSH_STATUSES == ("pending", "sending", "sent", "failed", "unknown", "held", "digested")
    assert BROADCAST_STATUSES == ("draft", "scheduled", "sending", "paused", "cancelled", "done")
    assert DELIVERY_STATUSES == ("pending", "sending", "sent", "failed", "skipped", "unknown")


@pytest.mark.parametrize("member", [*TicketStatus, *PushStatus, *BroadcastStatus, *DeliveryStatus])
def test_a_member_is_its_string_everywhere(member):
    value = member.value
    assert member == value and hash(member) == hash(value) and value in {member} and member in {value}
    assert json.dumps({"status": member}, default=str) == json.dumps({"status": value})
    assert f"{member}" == str(member) == value


def test_drivers_store_the_value_not_the_name():
    engine = create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (status VARCHAR(16))"))
        conn.execute(text("INSERT INTO t VALUES (:s)"), {"s": TicketStatus.IN_PROGRESS})
        assert conn.execute(text("SELECT status FROM t")).scalar() == "in_progress"
    psycopg = pytest.importorskip("psycopg")
    from psycopg.adapt import PyFormat

    for fmt in (PyFormat.TEXT, PyFormat.BINARY):  # psycopg dumps plain Enums by name; str comes first in the MRO
        dumper = psycopg.adapters.get_dumper(TicketStatus, fmt)(TicketStatus)
        assert bytes(dumper.dump(TicketStatus.IN_PROGRESS)) == b"in_progress"
