"""The visit notes (民情笔记) name the voters a deputy visited: reading them is
audited (console page and `liaison duty list`) without copying their words,
and the retention job clears them once the tickets' period has passed."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import select

from bot.cli import main
from bot.cli.context import State
from bot.jobs import tasks
from bot.models import AuditEvent, Deputy, DutyActivity
from bot.services.duty import activities
from console_kit import add_user, log_in

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


def _visit(db, day: date, people: str = "李大爷", note: str = "灌溉渠堵塞") -> int:
    deputy = db.scalar(select(Deputy).where(Deputy.code == "D011"))
    row = activities.record(db, deputy=deputy, kind="visit", day=day, source="staff", now=NOW, place="新民村",
                            people=people, note=note)
    db.commit()
    return row.id


def _views(db) -> list[AuditEvent]:
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == "duty.view").order_by(AuditEvent.id)))


def test_reading_a_deputys_record_is_audited_without_the_notes(demo, app, db):
    app.config["CLOCK"].value = NOW.timestamp()
    _visit(db, date(2026, 11, 12))
    add_user(app, "clerk", "staff")
    page = log_in(app, "clerk").get("/console/duty/D011?year=2026")
    assert page.status_code == 200 and "灌溉渠堵塞" in page.get_data(as_text=True)
    [seen] = _views(db)
    assert (seen.actor, seen.target) == ("clerk", "D011") and "2026年" in seen.detail
    assert "灌溉渠" not in seen.detail and "李大爷" not in seen.detail

    listed = app.test_cli_runner().invoke(main, ["duty", "list", "--deputy", "D011", "--year", "2026"],
                                          obj=State(app=app))
    assert listed.exit_code == 0 and "灌溉渠堵塞" in listed.output, listed.output
    views = _views(db)
    assert len(views) == 2 and views[1].actor.startswith("cli:") and views[1].target == "D011"
    assert "灌溉渠" not in views[1].detail


def test_the_retention_job_clears_visit_notes_past_the_tickets_period(demo, app, db, ext):
    app.config["CLOCK"].value = NOW.timestamp()
    old = _visit(db, date(2023, 11, 1))  # 1095 days before 2026-11-20 is 2023-11-21
    fresh = _visit(db, date(2026, 11, 12))
    deputy = db.scalar(select(Deputy).where(Deputy.code == "D011"))
    system = activities.record(db, deputy=deputy, kind="casework", day=date(2023, 11, 1), source="auto", now=NOW,
                               note="2023-000001 城乡建设", evidence="ticket:1:accepted").id  # names nobody
    db.commit()
    assert tasks.retention(ext, dry_run=True)["duty_notes"] == 1
    assert tasks.retention(ext)["duty_notes"] == 1
    db.expire_all()
    gone, kept = db.get(DutyActivity, old), db.get(DutyActivity, fresh)
    assert (gone.people, gone.note, gone.place, gone.kind, gone.counts) == ("", "[超过保存期限，已删除]", "新民村",
                                                                            "visit", True)
    assert (kept.people, kept.note) == ("李大爷", "灌溉渠堵塞")
    assert db.get(DutyActivity, system).note == "2023-000001 城乡建设"
    assert "duty_notes" not in tasks.retention(ext)  # once only


def test_the_station_page_and_the_terminal_table_share_the_short_heads_and_sites(demo, app, db):
    from bot.services.duty import sites
    from bot.services.duty.items import ITEMS, SHORT_NAMES

    app.config["CLOCK"].value = NOW.timestamp()
    add_user(app, "clerk", "staff")
    html = log_in(app, "clerk").get("/console/duty?year=2026").get_data(as_text=True)
    assert all(f"{i.number}<br>{SHORT_NAMES[i.kind]}" in html for i in ITEMS)
    names = sites.names(db)
    assert len(names) == 51 and set(names.values()) <= set(sites_of := {s.name for s in sites.of_deputies(db)[0]})
    assert any(name in html for name in sites_of)
    table = app.test_cli_runner().invoke(main, ["duty", "report", "--year", "2026"], obj=State(app=app)).output
    assert "接待   走访   学习" in table
