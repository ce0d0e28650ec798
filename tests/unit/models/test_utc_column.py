"""Every datetime column reads back aware UTC, on SQLite too, whatever zone it was written in."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import DateTime, create_engine, func, select
from sqlalchemy.orm import Session

from bot.fieldseal import FieldCipher
from bot.keys import KeyRing
from bot.models import Base, OutboundPush
from bot.models.base import UTCDateTime, install_cipher
from bot.services.calendar.local_time import BEIJING


def test_every_datetime_column_is_the_utc_type_over_timestamptz():
    columns = [c for t in Base.metadata.sorted_tables for c in t.columns if isinstance(c.type, DateTime)
               or isinstance(getattr(c.type, "impl", None), DateTime)]
    assert columns and all(isinstance(c.type, UTCDateTime) for c in columns), \
        [str(c) for c in columns if not isinstance(c.type, UTCDateTime)]
    assert all(c.type.impl.timezone for c in columns)


def test_sqlite_gives_back_the_same_instant_in_utc():
    engine = create_engine("sqlite://")
    install_cipher(engine, FieldCipher(KeyRing("k" * 32)))  # the push's payload is sealed
    Base.metadata.create_all(engine)
    ten_in_beijing = datetime(2026, 11, 26, 10, 0, tzinfo=BEIJING)
    with Session(engine) as session:
        push = OutboundPush(dedupe_key="k", recipient_openid="o", kind="t", payload={},
                            created_at=ten_in_beijing, due_at=datetime(2026, 11, 26, 3, 0))  # naive: UTC
        session.add(push)
        session.commit()
        session.expire_all()
        assert push.created_at == ten_in_beijing and push.created_at.tzinfo == timezone.utc
        assert push.due_at == datetime(2026, 11, 26, 3, 0, tzinfo=timezone.utc)
        assert push.sent_at is None
        # Compared in SQL as the same instant, and aggregates come back aware too.
        earlier = datetime(2026, 11, 26, 1, 59, tzinfo=timezone.utc)
        assert session.scalar(select(OutboundPush.id).where(OutboundPush.created_at > earlier)) == push.id
        assert session.scalar(select(func.max(OutboundPush.created_at))) - earlier == timedelta(minutes=1)
