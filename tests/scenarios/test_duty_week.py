"""A week at the demo township, as people live it, changes the "十个一" counts
of exactly the deputies who did something, by exactly what they did: a voter's
opinion accepted, answered and escalated; a visit note sent from the village;
a training staff enter for three deputies; the station's reception day with
its duty deputy checking in; staff marking the escalation a formal suggestion.
Everyone else's year reads as it did on Sunday."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from bot.cli import main
from bot.cli.context import State
from bot.models import Deputy
from bot.services.reception.calendar import Calendar
from lifecycle_kit import VOTER, build_demo, deputy_of, number_in
from wechat_user import Phone

BEIJING_TEN = timedelta(hours=2)  # 10:00 in Beijing is 02:00 UTC


def morning(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc) + BEIJING_TEN


@pytest.fixture
def app(make_app):
    return build_demo(make_app)


def on(app, day: date) -> None:
    app.extensions["liaison"].clock.value = morning(day).timestamp()


def cli(app, *args: str):
    result = app.test_cli_runner().invoke(main, list(args), obj=State(app=app))
    assert result.exit_code == 0, result.output
    return result.output


def standing(app, as_of: date) -> dict[str, dict[str, int]]:
    """`liaison duty report --json`: each deputy's done count per item."""
    report = json.loads(cli(app, "duty", "report", "--year", "2026", "--as-of", as_of.isoformat(), "--json"))
    return {row["code"]: {kind: item["done"] for kind, item in row["items"].items()} for row in report}


def test_a_week_of_township_life_changes_exactly_the_counts_it_should(app, db):
    on(app, date(2026, 11, 16))  # Monday
    before = standing(app, date(2026, 11, 15))
    assert len(before) == 51 and all(len(items) == 10 for items in before.values())

    # Monday: a voter reports a blocked drain; their deputy accepts it and answers.
    holder = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says("我家门口的下水道堵了一个星期，污水流到路上").text)
    short = int(number.rsplit("-", 1)[1])
    deputy = Phone(app, holder.openid)
    assert "已受理" in deputy.says(f"受理 {short}").text
    assert "已把您的答复" in deputy.says(f"回复 {short} 已约水务站明天来看").text

    # Tuesday: the drain needs the county's pipe works; the deputy escalates it.
    on(app, date(2026, 11, 17))
    assert "已上报" in deputy.says(f"上报 {short} 涉及县里的管网改造，乡里定不了").text

    # Wednesday: the same deputy visits a family and sends a note from the village.
    on(app, date(2026, 11, 18))
    assert "已记入您的履职档案（走访选民）" in deputy.says("走访 新民村 张大妈家，身体还好，拉了拉家常").text

    # Thursday: staff enter a training three deputies attended.
    on(app, date(2026, 11, 19))
    trained = ["D011", "D012", "D013"]
    cli(app, "duty", "add", *[x for code in trained for x in ("--deputy", code)], "--kind", "学习培训",
        "--date", "2026-11-19", "--place", "镇政府三楼会议室", "--note", "代表法专题培训", "--by", "王文书")

    # Friday the 20th: the station receives voters; the first duty deputy checks in.
    on(app, date(2026, 11, 20))
    occ = next(o for o in Calendar(db).plan(date(2026, 11, 1), 1) if o.site_code == "station")
    assert occ.date == date(2026, 11, 20)
    on_duty = db.get(Deputy, occ.deputies[0].id)
    duty_phone = Phone(app, on_duty.openid)
    assert "签到成功" in duty_phone.says("签到", msg_id=880020).text
    # WeChat retries the same message, and the deputy, unsure, checks in again an hour later.
    duty_phone.says("签到", msg_id=880020)
    app.extensions["liaison"].clock.value += 3600
    assert "您已签到" in duty_phone.says("签到").text
    # ... and staff mark Tuesday's escalation a formal suggestion, twice over.
    cli(app, "duty", "formal", "--ticket", number, "--by", "王文书")
    cli(app, "duty", "formal", "--ticket", number)

    after = standing(app, date(2026, 11, 22))
    changed = {code: {kind: after[code][kind] - before[code][kind]
                      for kind in after[code] if after[code][kind] != before[code][kind]}
               for code in after if after[code] != before[code]}
    expected: dict[str, dict[str, int]] = {}
    for code, kind in [(holder.code, "visit"), (holder.code, "suggestion"), (on_duty.code, "reception"),
                       *[(code, "study") for code in trained]]:
        expected.setdefault(code, {}).setdefault(kind, 0)
        expected[code][kind] += 1
    assert changed == expected

    # The work that is not one of the ten items is in the record too: accepted and replied.
    listed = json.loads(cli(app, "duty", "list", "--deputy", holder.code, "--year", "2026", "--json"))
    casework = [a["evidence"] for a in listed["activities"] if a["kind"] == "casework"]
    assert [e.rsplit(":", 1)[1] for e in casework] == ["accepted", "replied"]
