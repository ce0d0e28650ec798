"""The console's door to the duty record (services/duty/desk.py): staff enter one
activity for many deputies at once, checked whole before anything is written;
a form submitted twice records once; a deputy opens only their own record and
the county none."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from bot.models import DutyActivity
from bot.services.accounts import Forbidden, users
from bot.services.duty import desk
from bot.services.duty.activities import DutyError

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def people(demo, db):
    made = {role: users.create(db, username=role, password="correct horse battery", role=role,
                               deputy_code="D011" if role == "deputy" else None, by="test", now=NOW)
            for role in ("staff", "county", "deputy")}
    db.commit()
    return made


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(DutyActivity))


def test_one_training_for_thirty_deputies_is_entered_once_however_often_the_form_is_sent(people, db):
    codes = [f"D{i:03d}" for i in range(1, 31)]
    rows = desk.enter(db, people["staff"], codes=codes, kind="study", day=date(2026, 11, 18), now=NOW,
                      place="乡政府三楼会议室", note="代表法专题培训", token="a1b2c3d4")
    db.commit()
    assert len(rows) == 30 and {r.entered_by for r in rows} == {"staff"} and {r.source for r in rows} == {"staff"}
    with pytest.raises(DutyError, match="已经保存过了"):
        desk.enter(db, people["staff"], codes=codes, kind="study", day=date(2026, 11, 18), now=NOW,
                   token="a1b2c3d4")
    db.rollback()
    assert _count(db) == 30


@pytest.mark.parametrize("fields, reason", [
    ({"codes": ["D011", "D999"]}, "没有编号为 D999 的代表"),
    ({"codes": []}, "请至少选择一位代表"),
    ({"kind": "casework"}, "请选择活动种类"),  # the system records casework itself
    ({"day": date(2026, 12, 1)}, "还没到"),
])
def test_a_bad_entry_writes_nothing_for_anyone(people, db, fields, reason):
    args = {"codes": ["D011", "D012"], "kind": "mediation", "day": date(2026, 11, 18)} | fields
    with pytest.raises(DutyError, match=reason):
        desk.enter(db, people["staff"], now=NOW, **args)
    db.rollback()
    assert _count(db) == 0


def test_only_staff_enter_and_a_deputy_opens_only_their_own_record(people, db):
    for role in ("county", "deputy"):
        with pytest.raises(Forbidden):
            desk.enter(db, people[role], codes=["D011"], kind="study", day=date(2026, 11, 18), now=NOW)
    assert desk.deputy_for(db, people["deputy"], "D011").code == "D011"
    assert desk.deputy_for(db, people["staff"], "D012").code == "D012"
    with pytest.raises(Forbidden, match="只能查看本人的履职档案"):
        desk.deputy_for(db, people["deputy"], "D012")
    with pytest.raises(Forbidden):
        desk.deputy_for(db, people["county"], "D011")
    assert desk.own_code(db, people["deputy"]) == "D011" and desk.own_code(db, people["staff"]) is None
