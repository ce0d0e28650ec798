"""The yearly evaluation: the weights come from settings and are checked when
the app starts; staff enter the self-assessment and the organisation's; the
three parts make a weighted total; the sheet (.docx) and the station's
summary (.xlsx) open and say it."""
from __future__ import annotations

import io
import json
from datetime import date, datetime, timezone

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli import main
from bot.cli.context import State
from bot.models import Deputy, Voter, VoterGroup
from bot.services.duty import activities, evaluation, poll
from bot.services.duty.activities import DutyError
from config.settings import DutyWeightsError, duty_weights

NOW = datetime(2026, 12, 10, 2, 0, tzinfo=timezone.utc)
WEIGHTS = {"self": 0.2, "voters": 0.4, "org": 0.4}


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, list(args), obj=State(app=app))


def _deputy_with_voters(db) -> tuple[Deputy, list[Voter]]:
    group = db.scalar(select(VoterGroup).where(VoterGroup.code == "G01"))
    return group.deputy, list(db.scalars(select(Voter).where(Voter.group_id == group.id).order_by(Voter.id)))


def _votes(db, choices: list[str]) -> Deputy:
    deputy, voters = _deputy_with_voters(db)
    poll.open_poll(db, 2026, "clerk", NOW)
    for voter, choice in zip(voters, choices):
        assert poll.vote(db, voter, poll.Said(choice, "", True), NOW).reply.startswith("已收到")
    poll.close_poll(db, 2026, "clerk", NOW)  # results only once the poll is closed
    db.commit()
    return deputy


@pytest.mark.parametrize("raw, says", [
    ("self:0.2,voters:0.4", "缺了：org"),
    ("self:0.2,voters:0.4,org:0.5", "加起来要等于 1"),
    ("self:0.2,people:0.4,org:0.4", "没有“people”这一项"),
    ("self=0.2,voters:0.4,org:0.4", "应写成 名称:权重"),
    ("self:两成,voters:0.4,org:0.4", "不是数字"),
    ("self:-0.2,voters:0.6,org:0.6", "0 到 1 之间"),
])
def test_bad_weights_are_refused_with_the_reason_in_chinese(raw, says):
    with pytest.raises(DutyWeightsError, match=says):
        duty_weights(raw)


def test_good_weights_parse_with_chinese_punctuation_too():
    assert duty_weights("self：0.3，voters:0.3,org:0.4") == {"self": 0.3, "voters": 0.3, "org": 0.4}


def test_the_app_does_not_start_with_bad_weights(make_app):
    with pytest.raises(DutyWeightsError, match="LIAISON_DUTY_WEIGHTS"):
        make_app(DUTY_WEIGHTS="self:1,voters:1,org:1")
    assert make_app().config["DUTY_WEIGHTS"] == WEIGHTS


def test_an_assessment_needs_a_score_or_a_grade_and_fills_in_the_other():
    assert evaluation.check(None, "称职", "") == (80, "称职", "")
    assert evaluation.check("92", None, "认真") == (92, "优秀", "认真")
    assert evaluation.check(55, None, "")[1] == "不称职"
    for score, grade, says in ((None, None, "分数或选择等次"), ("101", None, "0 到 100"), ("九十", None, "整数"),
                               (None, "良好", "等次只能是")):
        with pytest.raises(DutyError, match=says):
            evaluation.check(score, grade, "")


def test_the_total_weighs_the_three_parts(demo, db):
    deputy = _votes(db, ["满意"] * 4 + ["基本满意"] * 2)  # voters: (4*100 + 2*60) / 6 = 86.7
    evaluation.assess(db, deputy, 2026, "self", score=80, grade=None, text="", by="D", now=NOW)
    evaluation.assess(db, deputy, 2026, "org", score=None, grade="优秀", text="", by="clerk", now=NOW)  # 95
    _, tally, total = evaluation.evaluate(db, deputy, 2026, WEIGHTS)
    assert tally.score == 86.7
    assert total.parts == {"self": 80.0, "voters": 86.7, "org": 95.0}
    assert total.total == round(0.2 * 80 + 0.4 * 86.7 + 0.4 * 95, 1) == 88.7
    assert total.grade == "称职" and total.missing == [] and total.note == "三项齐全"
    # Other weights, other total.
    assert evaluation.evaluate(db, deputy, 2026, {"self": 0, "voters": 0, "org": 1})[2].total == 95.0


def test_below_five_votes_the_total_leaves_the_voters_part_out_and_says_so(demo, db):
    deputy = _votes(db, ["不满意"] * 4)
    evaluation.assess(db, deputy, 2026, "self", score=90, grade=None, text="", by="D", now=NOW)
    evaluation.assess(db, deputy, 2026, "org", score=60, grade=None, text="", by="clerk", now=NOW)
    _, tally, total = evaluation.evaluate(db, deputy, 2026, WEIGHTS)
    assert tally.score is None and total.parts["voters"] is None
    assert total.total == round((0.2 * 90 + 0.4 * 60) / 0.6, 1) == 70.0
    assert total.note == "缺选民测评，按其余各项的权重折算"


def test_staff_enter_both_parts_from_the_command_line(demo, cli, db):
    out = cli("duty", "evaluate", "--deputy", "D011", "--year", "2026", "--self", "--grade", "称职",
              "--text", "按时接待选民", "--by", "clerk", "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["parts"]["self"] == 80
    out = cli("duty", "evaluate", "--deputy", "D011", "--year", "2026", "--org", "--score", "90")
    assert out.exit_code == 0 and "综合 86.7（缺选民测评" in out.output
    refused = cli("duty", "evaluate", "--deputy", "D011", "--year", "2026", "--org", "--score", "120")
    assert refused.exit_code != 0 and "0 到 100" in refused.output
    assert "--self" in cli("duty", "evaluate", "--deputy", "D011", "--year", "2026", "--score", "80").output
    found = evaluation.row(db, db.scalar(select(Deputy).where(Deputy.code == "D011")), 2026)
    assert (found.self_by, found.self_text, found.org_score) == ("clerk", "按时接待选民", 90)


def test_the_sheet_opens_and_holds_the_name_and_the_three_parts(demo, db, cli, tmp_path):
    deputy = _votes(db, ["满意"] * 5)
    evaluation.assess(db, deputy, 2026, "self", score=88, grade=None, text="全年走访十二次", by="D", now=NOW)
    for month in (3, 4):
        activities.record(db, deputy=deputy, kind="visit", day=date(2026, month, 9), source="deputy", now=NOW)
    activities.record(db, deputy=deputy, kind="reception", day=date(2026, 5, 20), source="auto", now=NOW,
                      evidence="reception-duty:1")
    db.commit()
    path = tmp_path / "sheet.docx"
    out = cli("duty", "sheet", "--deputy", deputy.code, "--year", "2026", "--out", str(path))
    assert out.exit_code == 0, out.output
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "2026年度人大代表履职考评表" in text and deputy.name in text
    for part in ("二、自评", "三、选民\n测评", "四、组织\n评定", "五、综合\n评定", "1. 接待选民", "10. 向选民述职"):
        assert part in text
    assert "全年走访十二次" in text and "满意 5，基本满意 0，不满意 0（共 5 票）" in text and "未填写" in text
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert cells[cells.index("1. 接待选民") + 1] == "1 / 1"
    assert cells[cells.index("2. 走访选民") + 1] == "2 / 12（未达）"
    fonts = {r.element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
             for p in doc.paragraphs for r in p.runs}
    assert fonts <= {"宋体", "黑体"}


def test_the_station_summary_has_a_row_per_deputy_and_hides_small_polls(demo, db, cli, tmp_path):
    deputy = _votes(db, ["满意"] * 3)
    path = tmp_path / "summary.xlsx"
    out = cli("duty", "summary", "--year", "2026", "--out", str(path))
    assert out.exit_code == 0, out.output
    sheet = load_workbook(io.BytesIO(path.read_bytes())).active
    heads = [c.value for c in sheet[2]]
    rows = {r[0]: dict(zip(heads, r)) for r in sheet.iter_rows(min_row=3, values_only=True)}
    assert len(rows) == 51
    assert rows[deputy.code]["测评票数"] == "不足5票，不公布" and rows[deputy.code]["测评满意"] is None
    assert rows[deputy.code]["接待选民"] == 0 and heads[-1] == "说明"


def test_a_deputy_fills_their_self_assessment_on_their_phone(demo, app, ext, db):
    from phone_kit import sign_in, token_of

    ext.clock.value = NOW.timestamp()
    deputy = db.scalar(select(Deputy).where(Deputy.code == "D011"))
    client, home = sign_in(app, deputy.openid)
    assert "填写年度履职自评" in home.get_data(as_text=True)
    page = client.get("/m/evaluation")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "2026年度履职自评" in html and "不足5票，不公布" in html
    refused = client.post("/m/evaluation", data={"csrf_token": token_of(html), "grade": "", "score": ""},
                          follow_redirects=True)
    assert "请填写分数或选择等次" in refused.get_data(as_text=True)
    saved = client.post("/m/evaluation", data={"csrf_token": token_of(html), "grade": "称职", "score": "",
                                               "text": "每月走访，按时接待"}, follow_redirects=True)
    body = saved.get_data(as_text=True)
    assert "2026年度自评已保存" in body and "已填：称职，80 分" in body and "每月走访，按时接待" in body
    db.expire_all()
    found = evaluation.row(db, deputy, 2026)
    assert (found.self_grade, found.self_score, found.self_by) == ("称职", 80, "deputy:D011")
    # Without the page's token nothing is saved.
    assert client.post("/m/evaluation", data={"grade": "优秀"}).status_code == 400
