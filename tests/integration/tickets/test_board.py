"""The console's numbers: overdue by the SLA's working days, months in Beijing
time, filters, and nothing outside the reader's clause."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import false, select, true

from bot.models import Ticket
from bot.services.station import Station
from bot.services.tickets import board
from wechat_user import Phone

NOW = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)  # Thursday, 10:00 in Beijing


def _tickets(app, demo, *texts):
    phone = Phone(app, "oDEMO_voter_01_01")
    for text in texts:
        assert "编号" in phone.says(text).text


def test_counts_charts_and_filters(app, demo, db):
    _tickets(app, demo, "村口的路灯坏了三个月了，晚上出门看不见路", "小学门口的水沟堵了，下雨就积水")
    old, new = db.scalars(select(Ticket).order_by(Ticket.id)).all()
    old.created_at = old.sla_started_at = NOW - timedelta(days=30)
    new.created_at = new.sla_started_at = NOW - timedelta(days=1)
    new.urgent = True
    db.commit()
    station = Station(resolve_days=15)
    assert board.counts(db, true(), now=NOW, station=station) == {"open": 2, "overdue": 1, "urgent": 1}
    assert board.counts(db, false(), now=NOW, station=station) == {"open": 0, "overdue": 0, "urgent": 0}
    months = dict(board.by_month(db, true(), now=NOW))
    assert len(months) == 12 and months["2026-11"] == 1 and months["2026-10"] == 1
    assert sum(n for _, n in board.by_category(db, true())) == 2
    rows, total = board.search(db, true(), board.Filters(text="路灯"))
    assert total == 1 and rows[0].id == old.id
    rows, total = board.search(db, true(), board.Filters(since=date(2026, 11, 25), until=date(2026, 11, 25)))
    assert [r.id for r in rows] == [new.id]
    assert board.search(db, true(), board.Filters(urgent=True))[1] == 1
    assert board.search(db, false(), board.Filters())[1] == 0
    assert board.search(db, true(), board.Filters(text="100%_"))[1] == 0
