"""The station's monthly rhythm across a year: holidays move a reception to the
next working day, weekends are kept, staff enter holidays for years the
package does not know, and the duty rotation reaches every deputy."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.cli.context import State
from bot.models import Deputy, ReceptionRule, Site
from bot.services.calendar import holidays
from bot.services.reception.calendar import Calendar, missing_holiday_years


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, list(args), obj=State(app=app))


def station_days(db, year: int) -> list[date]:
    return [o.date for o in Calendar(db).plan(date(year, 1, 1), 12) if o.site_code == "station"]


def test_a_year_of_the_station_with_the_holidays_of_2026(demo, db):
    days = station_days(db, 2026)
    assert len(days) == 12
    assert date(2026, 2, 24) in days and date(2026, 2, 20) not in days  # 春节 holiday: next working day
    assert date(2026, 6, 22) in days and date(2026, 6, 20) not in days  # 端午节 (Saturday and a holiday)
    assert date(2026, 12, 20) in days  # a plain Sunday is kept
    assert date(2026, 9, 20) in days  # a make-up working Sunday too
    moved = {o.nominal: o.moved_for for o in Calendar(db).plan(date(2026, 1, 1), 12) if o.moved_for}
    assert moved == {date(2026, 2, 20): "春节", date(2026, 6, 20): "端午节"}


def test_points_receive_on_the_10th_weekends_kept(demo, db):
    points = [o for o in Calendar(db).plan(date(2026, 1, 1), 12) if o.site_code == "shanfu"]
    assert [o.date.day for o in points] == [10] * 12
    assert points[0].date == date(2026, 1, 10) and points[0].date.weekday() == 5


def test_the_holiday_policy_is_configurable_per_site(demo, db):
    station = db.scalar(select(Site).where(Site.code == "station"))
    rule = ReceptionRule(site_id=station.id, day_of_month=20, holiday_policy="previous_workday")
    db.add(rule)
    db.flush()
    days = station_days(db, 2026)
    assert date(2026, 2, 14) in days  # the make-up working Saturday before 春节
    assert date(2026, 6, 18) in days  # the Thursday before 端午节
    rule.holiday_policy = "keep"
    db.flush()
    assert date(2026, 2, 20) in station_days(db, 2026)


def test_a_year_without_holiday_data_says_so_until_staff_enter_it(demo, db):
    plan = Calendar(db).plan(date(2026, 11, 1), 4)
    assert missing_holiday_years(plan) == [2027]
    assert date(2027, 2, 10) in [o.date for o in plan if o.site_code == "shanfu"]
    for d in range(6, 14):  # 2027 Spring Festival as the State Council announced it
        holidays.add(db, date(2027, 2, d), "holiday", "春节")
    plan = Calendar(db).plan(date(2026, 11, 1), 4)
    assert missing_holiday_years(plan) == []
    shanfu = {o.nominal: o for o in plan if o.site_code == "shanfu"}
    assert shanfu[date(2027, 2, 10)].date == date(2027, 2, 15)  # past the weekend to Monday
    holidays.add(db, date(2027, 2, 14), "workday", "春节调休")
    shanfu = {o.nominal: o for o in Calendar(db).plan(date(2027, 2, 1), 1) if o.site_code == "shanfu"}
    assert shanfu[date(2027, 2, 10)].date == date(2027, 2, 14)  # a make-up working Sunday


def test_every_deputy_receives_voters_at_least_once_a_year(demo, db):
    for year in (2026, 2027):
        on_duty = {d.id for o in Calendar(db).plan(date(year, 1, 1), 12) for d in o.deputies}
        everyone = set(db.scalars(select(Deputy.id).where(Deputy.active.is_(True))))
        assert everyone and on_duty == everyone
    for o in Calendar(db).plan(date(2026, 1, 1), 12):
        assert len(o.deputies) >= 2 and len({d.id for d in o.deputies}) == len(o.deputies)


def test_plan_command_prints_dates_sites_and_deputies(cli, demo):
    result = cli("reception", "plan", "--from", "2026-12", "--months", "2", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    first = data["receptions"][0]
    assert (first["date"], first["site"], first["weekday"]) == ("2026-12-10", "shanfu", "周四")
    assert len(first["deputies"]) >= 2
    assert [r["date"] for r in data["receptions"] if r["site"] == "station"] == ["2026-12-20", "2027-01-20"]
    assert data["missing_holiday_years"] == [2027] and "2027 年没有法定节假日数据" in data["warnings"][0]
    assert "2027 年没有法定节假日数据" in result.stderr


def test_staff_enter_holidays_from_the_command_line(cli, demo, db):
    result = cli("reception", "holidays", "add", "2027-02-06..2027-02-13", "--name", "春节")
    assert result.exit_code == 0 and "已录入放假 8 天" in result.output
    data = json.loads(cli("reception", "plan", "--from", "2027-02", "--months", "1", "--json").stdout)
    assert data["missing_holiday_years"] == []
    assert {r["site"]: r["date"] for r in data["receptions"]}["shanfu"] == "2027-02-15"


def test_staff_set_a_sites_rule_from_the_command_line(cli, demo, db):
    assert "每月10日 09:00–12:00 善福村商业街，容量 20" in cli("reception", "rule", "shanfu").output
    result = cli("reception", "rule", "shanfu", "--day", "15", "--starts", "14:30", "--ends", "17:00",
                 "--place", "善福村文化广场", "--capacity", "30")
    assert result.exit_code == 0 and "每月15日 14:30–17:00 善福村文化广场，容量 30" in result.output
    data = json.loads(cli("reception", "plan", "--from", "2026-12", "--months", "1", "--json", "--site", "shanfu").stdout)
    (only,) = data["receptions"]
    assert (only["date"], only["starts"], only["place"]) == ("2026-12-15", "14:30", "善福村文化广场")
    assert cli("reception", "rule", "shanfu", "--starts", "2pm").exit_code != 0
