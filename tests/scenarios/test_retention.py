"""Personal data is kept no longer than needed: a finished ticket's words go
three years after it was finished, raw message payloads and photos after half
a year; open tickets and recent ones stay as they are."""
from __future__ import annotations

import json
import os

from sqlalchemy import select

from bot.cli import main
from bot.cli.context import State
from bot.models import AuditEvent, InboundMessage
from bot.services import texts
from lifecycle_kit import NEIGHBOUR, VOTER, deputy_of, number_in, ticket
from wechat_user import Phone

DAY = 86400


def _resolve(app, db, number: str) -> None:
    desk = Phone(app, deputy_of(db, VOTER).openid)
    desk.says(f"受理 {number}")
    desk.says(f"办结 {number} 已修复")


def test_only_old_finished_tickets_are_anonymised(app, ext, demo, db):
    old = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    _resolve(app, db, old)
    still_open = number_in(Phone(app, NEIGHBOUR).says("村口路灯坏了一个月了").text)
    media = os.path.join(ext.settings["INSTANCE_PATH"], "media", str(ticket(db, old).id))
    os.makedirs(media)
    with open(os.path.join(media, "MEDIA_1.jpg"), "wb") as fh:
        fh.write(b"a photo")
    ext.clock.value += 1000 * DAY
    recent = number_in(Phone(app, NEIGHBOUR).says("村里的垃圾好几天没人清运了").text)
    _resolve(app, db, recent)
    ext.clock.value += 100 * DAY  # old: finished 1100 days ago; recent: 100 days ago
    cli = app.test_cli_runner()

    dry = cli.invoke(main, ["voters", "retention", "--dry-run", "--json"], obj=State(app=app))
    assert json.loads(dry.output) == {"dry_run": True, "counts": {"tickets": 1, "raw_messages": 4,
                                                                  "media_files": 1}}
    db.expire_all()
    assert ticket(db, old).text == "村里自来水停了三天了" and os.path.exists(media)

    done = cli.invoke(main, ["voters", "retention"], obj=State(app=app))
    assert done.exit_code == 0 and done.output.startswith("已删除：") and "工单 1" in done.output
    db.expire_all()
    gone = ticket(db, old)
    assert (gone.text, gone.category, gone.status) == (texts.EXPIRED, "城乡建设", "resolved")
    assert not os.path.exists(media)
    assert ticket(db, still_open).text == "村口路灯坏了一个月了"  # open: kept however old
    assert ticket(db, recent).text == "村里的垃圾好几天没人清运了"
    # Raw payloads go after 180 days: the old messages lose their words, the recent keep them.
    contents = {m.content for m in db.scalars(select(InboundMessage))}
    assert "村口路灯坏了一个月了" not in contents and "村里的垃圾好几天没人清运了" in contents
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.retention")).actor == "system"
    again = cli.invoke(main, ["voters", "retention", "--json"], obj=State(app=app))
    assert json.loads(again.output)["counts"] == {}  # nothing left to do


def _retention(app, *args: str) -> dict:
    out = app.test_cli_runner().invoke(main, ["voters", "retention", "--json", *args], obj=State(app=app))
    assert out.exit_code == 0, out.output
    return json.loads(out.output)["counts"]


def test_a_second_run_anonymises_nothing_and_drops_nothing_again(app, ext, demo, db):
    voter = Phone(app, VOTER)
    number = number_in(voter.says("村里自来水停了三天了").text)
    voter.image("MEDIA_PIPE")  # no words, only a payload (sealed: SQL cannot see that it holds anything)
    _resolve(app, db, number)
    ext.clock.value += 1100 * DAY
    first = _retention(app)
    assert first["tickets"] == 1 and first["raw_messages"] == 4
    db.expire_all()
    done = ticket(db, number)
    anonymised_at = done.anonymised_at
    assert done.text == texts.EXPIRED and anonymised_at == ext.now()
    assert [(m.content, m.extra) for m in db.scalars(select(InboundMessage))] == [(None, {})] * 4

    ext.clock.value += DAY
    Phone(app, NEIGHBOUR).says("村口路灯坏了一个月了")  # recent: not due
    assert _retention(app, "--dry-run") == {}
    assert _retention(app) == {}
    db.expire_all()
    assert ticket(db, number).anonymised_at == anonymised_at
    runs = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "privacy.retention")).all()
    assert len(runs) == 1 and "raw_messages 4" in runs[0]  # the second run had nothing to record


def test_an_erased_ticket_stays_erased_when_its_retention_period_ends(app, ext, demo, db):
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    _resolve(app, db, number)
    erased = app.test_cli_runner().invoke(main, ["voters", "erase", VOTER, "--yes"], obj=State(app=app))
    assert erased.exit_code == 0, erased.output
    erased_at = ext.now()
    ext.clock.value += 1100 * DAY
    assert "tickets" not in _retention(app)
    db.expire_all()
    kept = ticket(db, number)
    assert (kept.text, kept.anonymised_at) == (texts.ERASED, erased_at)


def test_the_retention_periods_are_settings(make_app, demo):
    from lifecycle_kit import build

    app = build(make_app, RETENTION_TICKET_DAYS=30, RETENTION_RAW_DAYS=7)
    ext = app.extensions["liaison"]
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    with ext.Session() as db:
        _resolve(app, db, number)
    ext.clock.value += 31 * DAY
    out = app.test_cli_runner().invoke(main, ["voters", "retention", "--json"], obj=State(app=app))
    assert json.loads(out.output)["counts"]["tickets"] == 1


def test_the_retention_job_runs_every_night():
    from config.celery import celery_settings

    beat = celery_settings("redis://x")["beat_schedule"]
    assert any(entry["task"] == "liaison.retention" for entry in beat.values())


def test_the_audit_log_loses_the_words_of_an_expired_ticket_and_keeps_who_did_what(app, ext, demo, db):
    from bot.services.accounts import audit

    old = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    _resolve(app, db, old)
    still_open = number_in(Phone(app, NEIGHBOUR).says("村口路灯坏了一个月了").text)
    # Replies copied into the audit log, as the console wrote them before it kept only their length.
    for number in (old, still_open):
        audit.record(db, actor="clerk", action="ticket.reply", target=number, detail="王大爷家的管子已换", now=ext.now())
    db.commit()
    ext.clock.value += 1100 * DAY
    assert _retention(app)["audit"] == 1
    db.expire_all()
    rows = {a.target: (a.actor, a.action, a.detail) for a in db.scalars(
        select(AuditEvent).where(AuditEvent.action == "ticket.reply"))}
    assert rows == {old: ("clerk", "ticket.reply", texts.EXPIRED),
                    still_open: ("clerk", "ticket.reply", "王大爷家的管子已换")}
