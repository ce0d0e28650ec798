"""The "十个一" standing: a year of demo activity gives the counts it should,
who is behind depends on the day asked about, the monthly nudge goes once
per deputy per month (and never to a deputy on track or not bound to WeChat),
and the station report opens in Excel with who is behind."""
from __future__ import annotations

import json
import os
from datetime import date, datetime, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from bot.cli import main
from bot.cli.context import State
from bot.jobs import DELIVER_PUSH, tasks
from bot.models import Deputy, OutboundPush
from bot.services.duty import activities, compliance
from bot.services.duty.items import ITEMS

# Early January 2027 in Beijing: the whole of 2026 can be recorded.
NOW = datetime(2027, 1, 5, 2, 0, tzinfo=timezone.utc)
YEARLY = [i.kind for i in ITEMS if i.cadence == "year"]


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    app.config["CLOCK"].value = NOW.timestamp()
    return lambda *args: runner.invoke(main, list(args), obj=State(app=app))


def _deputy(db, code: str) -> Deputy:
    return db.scalar(select(Deputy).where(Deputy.code == code))


def _add(db, code: str, kind: str, *days: date, counts: bool = True, source: str = "staff") -> None:
    deputy = _deputy(db, code)
    for day in days:
        activities.record(db, deputy=deputy, kind=kind, day=day, source=source, now=NOW, counts=counts)


def _visits(months: range, year: int = 2026) -> list[date]:
    return [date(year, m, 12) for m in months]


def _diligent(db, code: str, last_month: int = 12) -> None:
    """A deputy who did everything the year asks, with visits up to `last_month`."""
    _add(db, code, "visit", *_visits(range(1, last_month + 1)))
    _add(db, code, "study", date(2026, 3, 3), date(2026, 9, 9))
    for kind in YEARLY:
        _add(db, code, kind, date(2026, 8, 8))


@pytest.fixture
def year_of_activity(demo, db):
    """D011 did everything; D012 visited January to March and mediated once, and
    has a suggestion staff have not yet recognised; D013 did work that the ten
    items do not count (casework) and a visit in 2025; the rest did nothing."""
    _diligent(db, "D011")
    _add(db, "D012", "visit", *_visits(range(1, 4)), source="deputy")
    _add(db, "D012", "mediation", date(2026, 6, 18))
    _add(db, "D012", "suggestion", date(2026, 7, 1), counts=False, source="auto")
    _add(db, "D013", "casework", date(2026, 5, 5), source="auto")
    _add(db, "D013", "visit", date(2025, 12, 20))
    db.commit()


def test_the_report_for_a_year_of_demo_activity_gives_the_expected_counts(year_of_activity, cli):
    out = cli("duty", "report", "--year", "2026", "--as-of", "2026-12-31", "--json")
    assert out.exit_code == 0, out.output
    rows = {r["code"]: r for r in json.loads(out.output)}
    assert len(rows) == 51  # every demo deputy, each with the ten items
    kinds = [i.kind for i in ITEMS]
    for row in rows.values():
        assert set(row) == {"code", "name", "items"} and list(row["items"]) == kinds
        assert all(set(v) == {"required", "done", "behind"} for v in row["items"].values())
    assert {k: v["required"] for k, v in rows["D011"]["items"].items()} == {
        "reception": 1, "visit": 12, "study": 2, "inspection": 1, "relief": 1, "good_deed": 1, "mediation": 1,
        "exchange": 1, "suggestion": 1, "report": 1}

    d11 = rows["D011"]["items"]
    assert d11["visit"]["done"] == 12 and d11["study"]["done"] == 2
    assert not any(v["behind"] for v in d11.values())
    d12 = rows["D012"]["items"]
    assert (d12["visit"]["done"], d12["visit"]["behind"]) == (3, True)  # 11 months have ended by 31 December
    assert (d12["mediation"]["done"], d12["mediation"]["behind"]) == (1, False)
    assert (d12["suggestion"]["done"], d12["suggestion"]["behind"]) == (0, True)  # not recognised: not counted
    d13 = rows["D013"]["items"]
    assert all(v["done"] == 0 for v in d13.values())  # casework is no item; 2025 is another year
    assert all(v["behind"] for v in d13.values())

    table = cli("duty", "report", "--year", "2026", "--as-of", "2026-12-31")
    assert table.exit_code == 0, table.output
    assert "51 位代表，落后 50 位" in table.output
    line = next(ln for ln in table.output.splitlines() if ln.startswith("D012"))
    assert "3/12!" in line and line.endswith(rows["D012"]["name"])


def test_only_deputies_in_office_are_reported(demo, db, cli):
    db.execute(update(Deputy).where(Deputy.code == "D051").values(active=False))
    db.commit()
    codes = [r["code"] for r in json.loads(cli("duty", "report", "--year", "2026", "--json").output)]
    assert len(codes) == 50 and "D051" not in codes


def _behind(db, code: str, as_of: date, year: int = 2026) -> set[str]:
    return {s.kind for s in compliance.one(db, _deputy(db, code), year, as_of).behind}


def test_who_is_behind_depends_on_the_day_asked_about(demo, db):
    _add(db, "D020", "visit", date(2026, 1, 20), date(2026, 2, 10))
    _add(db, "D020", "study", date(2026, 3, 10))
    _add(db, "D020", "mediation", date(2026, 11, 5))
    db.commit()
    # January: the month's visit is due at its end; nothing is behind on its last day.
    assert _behind(db, "D020", date(2026, 1, 31)) == set()
    # Visits are counted once each month has ended: two by 1 March, two done.
    assert _behind(db, "D020", date(2026, 3, 1)) == set()
    assert _behind(db, "D020", date(2026, 4, 1)) == {"visit"}
    # The first half's study counts from 1 May; done in March, so not behind then.
    assert "study" not in _behind(db, "D020", date(2026, 5, 1))
    # Yearly items count as behind from 1 November when none is done yet.
    assert _behind(db, "D020", date(2026, 10, 31)) == {"visit"}
    assert _behind(db, "D020", date(2026, 11, 1)) == {"visit", "study", *YEARLY}
    # The mediation on 5 November: behind the day before, caught up that day.
    assert "mediation" in _behind(db, "D020", date(2026, 11, 4))
    assert "mediation" not in _behind(db, "D020", date(2026, 11, 5))
    # Asked about 1 November, what came later does not count.
    early = compliance.one(db, _deputy(db, "D020"), 2026, date(2026, 11, 1))
    assert early.item("mediation").done == 0 and early.item("mediation").next_deadline == date(2026, 12, 31)
    # A year that is over: everything is due, all twelve visits.
    over = compliance.one(db, _deputy(db, "D020"), 2026, date(2027, 1, 10))
    assert (over.item("visit").due, over.item("visit").done) == (12, 2)
    # Nobody is behind at the start of a year.
    assert _behind(db, "D021", date(2026, 1, 1)) == set()


def test_the_study_of_the_first_half_is_due_from_the_first_of_may(demo, db):
    assert _behind(db, "D022", date(2026, 4, 30)) == {"visit"}
    assert _behind(db, "D022", date(2026, 5, 1)) == {"visit", "study"}


def _nudges(db) -> list[OutboundPush]:
    return list(db.scalars(select(OutboundPush).where(OutboundPush.kind == "duty_nudge").order_by(OutboundPush.id)))


@pytest.fixture
def november(demo, db):
    """D011 on track on 2 November; D012 behind but not bound to WeChat."""
    _diligent(db, "D011", last_month=10)
    db.execute(update(Deputy).where(Deputy.code == "D012").values(openid=None))
    db.commit()


def test_the_nudge_goes_once_per_deputy_per_month_however_often_it_runs(november, db, cli, app):
    first = cli("duty", "nudge", "--today", "2026-11-02", "--json")
    assert first.exit_code == 0, first.output
    done = json.loads(first.output)
    assert len(done["sent"]) == 49 and done["unreachable"] == ["D012"] and done["on_track"] == 1
    assert "D011" not in done["sent"] and "D012" not in done["sent"]
    queued = [args[0] for name, args in app.config["TASK_QUEUE"].items if name == DELIVER_PUSH]
    assert sorted(queued) == sorted(p.id for p in _nudges(db))  # each push handed over after the commit

    # The same month again, by the command and by the scheduler: nothing new.
    again = json.loads(cli("duty", "nudge", "--today", "2026-11-20", "--json").output)
    assert again["sent"] == [] and len(again["already"]) == 49
    assert tasks.duty_nudge(app.extensions["liaison"], date(2026, 11, 2))["sent"] == []
    db.expire_all()
    pushes = _nudges(db)
    assert len(pushes) == 49
    assert {p.recipient_openid for p in pushes} == {f"oDEMO_deputy_{i:03d}" for i in range(1, 52) if i not in (11, 12)}

    text = next(p for p in pushes if p.recipient_openid == "oDEMO_deputy_013").payload["text"]
    name = _deputy(db, "D013").name
    assert text.startswith(f"【履职提醒】{name}代表您好！截至11月2日")
    assert "走访选民：已 0 次，到现在应有 10 次" in text and "纠纷调解：今年还没有" in text
    assert "学习培训：上半年、下半年都还没有" in text

    # A new month: one more each, and D011, who made no visit in November, is behind now too.
    december = json.loads(cli("duty", "nudge", "--today", "2026-12-01", "--json").output)
    assert len(december["sent"]) == 50 and "D011" in december["sent"]
    db.expire_all()
    assert len(_nudges(db)) == 99


def test_the_scheduler_sends_from_the_first_working_day_of_the_month_once(demo, db, app):
    ext = app.extensions["liaison"]
    app.config["CLOCK"].value = NOW.timestamp()
    # October 2026 opens with the National Day holiday: its first working day is the 8th.
    for day in (1, 2, 7):
        assert tasks.duty_nudge(ext, date(2026, 10, day))["skipped"]
    assert not _nudges(db)
    assert len(tasks.duty_nudge(ext, date(2026, 10, 8))["sent"]) == 51
    again = tasks.duty_nudge(ext, date(2026, 10, 9))
    assert "skipped" not in again and again["sent"] == [] and len(again["already"]) == 51
    # 4 January 2026 is a Sunday worked in place of the New Year holiday: it is the day. Nobody is
    # behind on the year's first working day, so nothing goes.
    done = tasks.duty_nudge(ext, date(2026, 1, 4))
    assert "skipped" not in done and done["sent"] == [] and done["on_track"] == 51


def test_a_beat_missed_on_the_first_working_day_is_made_up_the_next_day_once(demo, db, app):
    ext = app.extensions["liaison"]
    app.config["CLOCK"].value = NOW.timestamp()
    # The worker was down on 8 October (the first working day): the 9th sends, the 10th does not.
    assert len(tasks.duty_nudge(ext, date(2026, 10, 9))["sent"]) == 51
    assert tasks.duty_nudge(ext, date(2026, 10, 10))["sent"] == []
    db.expire_all()
    assert len(_nudges(db)) == 51


def test_the_scheduler_looks_every_morning_at_nine():
    from config.celery import celery_settings

    entry = celery_settings("redis://x")["beat_schedule"]["duty-nudge"]
    assert entry["task"] == tasks.duty_nudge_task.name == "liaison.duty_nudge"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({9}, {0})  # the schedule's zone: Asia/Shanghai


def test_the_station_report_as_xlsx_lists_who_is_behind(year_of_activity, cli, tmp_path):
    path = tmp_path / "report.xlsx"
    out = cli("duty", "report", "--year", "2026", "--as-of", "2026-12-31", "--xlsx", str(path))
    assert out.exit_code == 0, out.output
    assert os.stat(path).st_mode & 0o777 == 0o600
    book = load_workbook(path)
    assert book.sheetnames == ["落后名单", "完成情况", "说明"]
    behind = list(book["落后名单"].iter_rows(min_row=2, values_only=True))
    assert len(behind) == 50 and "D011" not in {r[0] for r in behind}
    d12 = next(r for r in behind if r[0] == "D012")
    assert "走访选民（已3/应11）" in d12[4] and "纠纷调解" not in d12[4]
    sheet = book["完成情况"]
    head = [c.value for c in sheet[1]]
    assert head[:4] == ["编号", "姓名", "站点", "1.接待选民\n（全年1）"] and len(head) == 14
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "D012")
    visit, mediation = row[4], row[9]
    assert (visit.value, mediation.value) == (3, 1)
    assert visit.fill.fgColor.rgb.endswith("FCA5A5") and mediation.fill.fgColor.rgb in (None, "00000000")
    assert all(r[2].value for r in sheet.iter_rows(min_row=2))  # every deputy is in a site's pool
    about = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True)}
    assert about["统计截至"] == "2026-12-31" and "落后 50 人" in about["代表人数"]



