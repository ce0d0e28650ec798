"""What the lifecycle tests share: the demo township at a fixed time, and
reading what each person received on WeChat."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import select

from bot.models import ContactLink, Deputy, OutboundPush, Ticket, Voter

VOTER = "oDEMO_voter_12_01"  # a fixed voter of a group at 上丰联络点
NEIGHBOUR = "oDEMO_voter_12_02"  # same group, same deputy
STAFF = "oSTAFF_on_duty_0001"
COUNTY_OFFICE = "oCOUNTY_npc_office_01"
CITY_OFFICE = "oCITY_npc_office_01"
THURSDAY = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing


def build(make_app, **extra):
    config = dict(STAFF_OPENIDS=STAFF, COUNTY_OFFICE_OPENIDS=COUNTY_OFFICE, CITY_OFFICE_OPENIDS=CITY_OFFICE,
                  BURST_SECONDS=180)
    config.update(extra)
    app = make_app(**config)
    app.extensions["liaison"].clock.value = THURSDAY.timestamp()
    return app


def build_demo(make_app, **extra):
    """`build` with the demo township seeded and committed."""
    from bot.services.roster.demo import seed

    app = build(make_app, **extra)
    ext = app.extensions["liaison"]
    with ext.Session() as session:
        seed(session, 7)
        session.commit()
    return app


def build_on_wechat(make_app, fake_wechat):
    """The station with WeChat credentials pointed at the local fake API (so
    media downloads and pushes really go over HTTP), and the demo township."""
    return build_demo(make_app, WECHAT_APP_ID="wxtestapp", WECHAT_APP_SECRET="s3cret",
                      WECHAT_TOKEN="tok0123456789abcdef", WECHAT_API_BASE=fake_wechat.base, WECHAT_TIMEOUT=2.0)


def number_in(reply: str) -> str:
    return re.search(r"编号 (\d{4}-\d{6})", reply).group(1)


def deputy_of(db, voter_openid: str) -> Deputy:
    return db.scalar(select(Voter).where(Voter.openid == voter_openid)).group.deputy


def name_them(db) -> Deputy:
    """VOTER's deputy becomes 吴凤华 and VOTER 吴建国 (of 上丰村), the names the confidential stories use."""
    deputy = deputy_of(db, VOTER)
    deputy.name = "吴凤华"
    db.scalar(select(Voter).where(Voter.openid == VOTER)).name = "吴建国"
    db.commit()
    return deputy


def county_contact(db, deputy: Deputy) -> Deputy:
    """The county deputy linked to this township deputy under "3+10"."""
    return _upper(db, "county_township", deputy)


def city_contact(db, county: Deputy) -> Deputy:
    """The city deputy linked to this county deputy."""
    return _upper(db, "city_county", county)


def _upper(db, layer: str, deputy: Deputy) -> Deputy:
    return db.scalar(select(Deputy).join(ContactLink, ContactLink.from_deputy_id == Deputy.id)
                     .where(ContactLink.layer == layer, ContactLink.to_deputy_id == deputy.id))


class Inbox:
    """Runs the queued pushes like a worker, then reads what one person got."""

    def __init__(self, app, db):
        self.app, self.db = app, db
        self.ext = app.extensions["liaison"]

    def __call__(self, openid: str) -> list[str]:
        self.ext.queue.drain(self.app)
        self.db.expire_all()
        rows = self.db.scalars(select(OutboundPush).where(OutboundPush.recipient_openid == openid)
                               .order_by(OutboundPush.id)).all()
        assert all(p.status == "sent" for p in rows), [(p.id, p.status, p.last_error) for p in rows]
        return [p.payload["text"] for p in rows]

    def last(self, openid: str) -> str | None:
        got = self(openid)
        return got[-1] if got else None


def ticket(db, number: str) -> Ticket:
    db.expire_all()
    return db.scalar(select(Ticket).where(Ticket.number == number))


def sla(app, today: str) -> dict:
    """`liaison tickets sla --today TODAY --json`, as the beat job runs it; its JSON summary."""
    import json

    from bot.cli import main
    from bot.cli.context import State

    result = app.test_cli_runner().invoke(main, ["tickets", "sla", "--today", today, "--json"],
                                          obj=State(app=app))
    assert result.exit_code == 0, result.output
    return json.loads(result.output)
