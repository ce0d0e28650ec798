"""SLA in working days: reminders and escalation on given dates, run as the
daily job does (`liaison tickets sla --today YYYY-MM-DD`)."""
from __future__ import annotations

import logging
from datetime import date, datetime, timezone

from bot.jobs import tasks
from bot.services import texts
from bot.services.calendar.workdays import add_workdays, is_workday
from lifecycle_kit import STAFF, VOTER, county_contact, deputy_of, number_in, sla, ticket
from wechat_user import Phone


def test_a_silent_deputy_is_reminded_after_two_working_days(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)  # Thursday 26 November
    inbox(deputy.openid)
    assert sla(app, "2026-11-27") == {"reminded": [], "breached": [], "closed": []}  # Friday: one working day
    assert sla(app, "2026-11-29") == {"reminded": [], "breached": [], "closed": []}  # Sunday
    assert sla(app, "2026-11-30") == {"reminded": [number], "breached": [], "closed": []}  # Monday: two
    reminder = inbox.last(deputy.openid)
    assert reminder.startswith(f"提醒：{number} [城乡建设] 上丰村 已经2个工作日没有受理")
    assert reminder.endswith(f"受理 {int(number[-6:])}")
    assert sla(app, "2026-12-01") == {"reminded": [], "breached": [], "closed": []}  # once
    assert len(inbox(deputy.openid)) == 2


def test_an_accepted_ticket_gets_no_reminder(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    Phone(app, deputy.openid).says(f"受理 {number}")
    assert sla(app, "2026-11-30")["reminded"] == []


def test_past_the_resolve_sla_the_county_deputy_and_staff_are_told(app, demo, db, inbox):
    deputy = deputy_of(db, VOTER)
    county = county_contact(db, deputy)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    Phone(app, deputy.openid).says(f"受理 {number}")
    assert sla(app, "2026-12-16")["breached"] == []  # 14 working days
    assert sla(app, "2026-12-17")["breached"] == [number]  # 15
    for openid in (county.openid, STAFF):
        assert inbox.last(openid) == texts.SLA_BREACH.format(
            number=number, category="城乡建设", village="上丰村", deputy=deputy.name, days=15, status="已受理")
    assert sla(app, "2026-12-18")["breached"] == []
    assert [e.kind for e in ticket(db, number).events][-1] == "sla_breached"


def test_a_resolved_ticket_is_not_chased_and_is_closed_after_the_reopening_period(app, demo, db):
    deputy = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    Phone(app, deputy.openid).says(f"受理 {number}")
    Phone(app, deputy.openid).says(f"办结 {number} 已修复通水")  # Thursday 26 November
    assert sla(app, "2026-12-03") == {"reminded": [], "breached": [], "closed": []}  # 7 days: may still reopen
    assert sla(app, "2026-12-04") == {"reminded": [], "breached": [], "closed": [number]}
    assert ticket(db, number).status == "closed"
    assert sla(app, "2026-12-31") == {"reminded": [], "breached": [], "closed": []}


def test_holidays_do_not_count(app, ext, demo, db):
    ext.clock.value = datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc).timestamp()  # before National Day
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    assert sla(app, "2026-10-08")["reminded"] == []  # the first working day after the holiday
    assert sla(app, "2026-10-09")["reminded"] == [number]


def test_the_beat_task_runs_for_beijings_today(app, ext, demo, db):
    number = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    ext.clock.value = datetime(2026, 11, 29, 17, 0, tzinfo=timezone.utc).timestamp()  # Monday 01:00 in Beijing
    with app.app_context():
        assert tasks.sla(ext) == {"reminded": [number], "breached": [], "closed": []}


def test_the_beat_schedule_calls_the_sla_task():
    from config.celery import celery_settings

    entry = celery_settings("redis://x")["beat_schedule"]["sla-daily"]
    assert entry["task"] == tasks.sla_daily.name


def test_working_days_follow_the_official_calendar():
    assert not is_workday(date(2026, 10, 1)) and is_workday(date(2026, 10, 10))  # Saturday make-up day
    assert add_workdays(date(2026, 11, 26), 2) == date(2026, 11, 30)
    assert add_workdays(date(2026, 9, 30), 2) == date(2026, 10, 9)


def test_beyond_the_calendars_data_weekends_only_with_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        assert add_workdays(date(2099, 1, 1), 2) == date(2099, 1, 5)  # Thursday -> Monday
    assert "no holiday data for 2099" in caplog.text
