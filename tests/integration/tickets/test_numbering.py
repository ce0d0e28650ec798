"""Ticket numbers: one sequence per year, never repeated, and on PostgreSQL
taking a number never waits for another message's transaction to end."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from bot.services.tickets.records import next_number


def test_numbers_follow_each_other_within_a_year_and_start_again_the_next(ext):
    with ext.Session() as s:
        got = [next_number(s, 2026) for _ in range(3)] + [next_number(s, 2027)]
        s.commit()
    with ext.Session() as s:
        got.append(next_number(s, 2026))
        s.commit()
    assert got == ["2026-000001", "2026-000002", "2026-000003", "2027-000001", "2026-000004"]


def test_concurrent_tickets_do_not_wait_for_each_other(ext):
    if ext.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: there the number is taken inside the transaction")
    first = ext.Session()
    try:
        mine = next_number(first, 2026)  # this message's transaction is still open
        taken: list[str] = []

        def another_message() -> None:
            with ext.Session() as s:
                # Were the counter locked until the first transaction ends, this would fail at once.
                s.execute(text("SET LOCAL lock_timeout = '2s'"))
                taken.append(next_number(s, 2026))
                s.commit()

        other = threading.Thread(target=another_message)
        other.start()
        other.join(30)
        assert taken == ["2026-000002"] and mine == "2026-000001"
        first.rollback()  # like a message that failed: its number is not given again
    finally:
        first.close()
    with ext.Session() as s:
        assert next_number(s, 2026) == "2026-000003"
        s.commit()
