"""The duty record's one way in: an activity is recorded once per piece of
evidence, checked before anything is written, and staff add one for many
deputies at once from the command line."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.cli.context import State
from bot.models import Deputy, DutyActivity
from bot.services.duty import activities
from bot.services.duty.activities import DutyError

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, list(args), obj=State(app=app))


def _deputy(db, code: str = "D011") -> Deputy:
    return db.scalar(select(Deputy).where(Deputy.code == code))


def test_the_same_evidence_records_one_activity_however_often_it_arrives(demo, db):
    deputy = _deputy(db)
    first = activities.record(db, deputy=deputy, kind="casework", day=date(2026, 11, 19), source="auto", now=NOW,
                              evidence="ticket:7:resolved")
    again = activities.record(db, deputy=deputy, kind="casework", day=date(2026, 11, 19), source="auto", now=NOW,
                              evidence="ticket:7:resolved")
    db.commit()
    assert again.id == first.id
    assert db.scalar(select(func.count()).select_from(DutyActivity)) == 1


def test_a_twin_racing_past_the_lookup_loses_on_the_constraint_and_gets_the_winners_row(demo, ext):
    with ext.Session() as one, ext.Session() as two:
        d1, d2 = _deputy(one), _deputy(two)
        won = activities.record(one, deputy=d1, kind="reception", day=date(2026, 11, 10), source="auto", now=NOW,
                                evidence="reception-duty:3")
        one.commit()
        # The second session looked before the first committed: simulate by skipping its look-up.
        original = activities._by_evidence
        calls = []

        def late(session, deputy_id, evidence):
            calls.append(evidence)
            return None if len(calls) == 1 else original(session, deputy_id, evidence)

        activities._by_evidence = late
        try:
            lost = activities.record(two, deputy=d2, kind="reception", day=date(2026, 11, 10), source="auto",
                                     now=NOW, evidence="reception-duty:3")
        finally:
            activities._by_evidence = original
        two.commit()
        assert lost.id == won.id and len(calls) == 2
    with ext.Session() as s:
        assert s.scalar(select(func.count()).select_from(DutyActivity)) == 1


@pytest.mark.parametrize("fields, reason", [
    ({"kind": "dancing"}, "没有这种履职活动"),
    ({"day": date(2026, 11, 21)}, "还没到"),
    ({"day": date(26, 11, 1)}, "请检查年份"),
    ({"note": "很" * 2001}, "记录太长了"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(demo, db, fields, reason):
    args = {"kind": "visit", "day": date(2026, 11, 19)} | fields
    with pytest.raises(DutyError, match=reason):
        activities.record(db, deputy=_deputy(db), source="deputy", now=NOW, **args)
    db.commit()
    assert db.scalar(select(func.count()).select_from(DutyActivity)) == 0


def test_staff_enter_one_training_for_three_deputies_and_list_a_deputys_year(demo, cli, app):
    app.config["CLOCK"].value = NOW.timestamp()
    added = cli("duty", "add", "--deputy", "D011", "--deputy", "D012", "--deputy", "D013", "--kind", "学习培训",
                "--date", "2026-11-18", "--place", "镇政府三楼会议室", "--note", "代表法专题培训", "--by", "王文书",
                "--json")
    assert added.exit_code == 0, added.output
    assert [row["deputy"] for row in json.loads(added.output)] == ["D011", "D012", "D013"]
    listed = json.loads(cli("duty", "list", "--deputy", "D012", "--year", "2026", "--json").output)
    assert listed["deputy"] == "D012" and len(listed["activities"]) == 1
    only = listed["activities"][0]
    assert (only["kind"], only["day"], only["place"], only["source"], only["entered_by"]) == (
        "study", "2026-11-18", "镇政府三楼会议室", "staff", "王文书")
    assert json.loads(cli("duty", "list", "--deputy", "D012", "--year", "2025", "--json").output)["activities"] == []


def test_the_cli_refuses_an_unknown_deputy_or_kind_and_writes_nothing(demo, cli, ext):
    unknown = cli("duty", "add", "--deputy", "D011", "--deputy", "D999", "--kind", "3", "--date", "2026-11-18")
    assert unknown.exit_code != 0 and "没有编号为 D999 的代表" in unknown.output
    kind = cli("duty", "add", "--deputy", "D011", "--kind", "跳舞", "--date", "2026-11-18")
    assert kind.exit_code != 0 and "没有这种活动" in kind.output
    # What the system records itself is not hand-entered here either (the console's kinds).
    for auto in ("casework", "办理群众意见", "broadcast"):
        refused = cli("duty", "add", "--deputy", "D011", "--kind", auto, "--date", "2026-11-18")
        assert refused.exit_code != 0 and "由系统自动记录，不能手工录入" in refused.output, refused.output
    with ext.Session() as s:
        assert s.scalar(select(func.count()).select_from(DutyActivity)) == 0
