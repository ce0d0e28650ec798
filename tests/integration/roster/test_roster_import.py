"""Staff fill the roster workbook and import it: all or nothing, idempotent,
every bad row named."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text, update

from bot.models import ContactLink, Deputy, Site, Voter
from bot.services.roster.report import stats
from bot.services.roster.workbook.export import write_export, write_template
from bot.services.roster.workbook.importer import import_roster
from bot.services.roster.workbook.spec import SHEETS
from roster_book import NOW, load, mini, problems, write_book  # noqa: F401 (load is a fixture)


def test_the_template_has_every_sheet_and_column_in_chinese(tmp_path):
    write_template(tmp_path / "t.xlsx")
    book = load_workbook(tmp_path / "t.xlsx")
    assert book.sheetnames == [s.title for s in SHEETS] + ["说明"]
    for sheet in SHEETS:
        assert [c.value for c in book[sheet.title][1]] == [c.title for c in sheet.columns]


def test_an_empty_template_imports_as_nothing(load, tmp_path, db):
    write_template(tmp_path / "t.xlsx")
    summary = load(tmp_path / "t.xlsx")
    assert not summary.problems and not summary.changed
    assert db.scalar(select(func.count(Site.id))) == 0


def test_a_clean_workbook_imports_everything_with_a_summary(load, db, ext):
    summary = load(mini())
    assert not summary.problems
    created = {title: c.created for title, c in summary.counts.items()}
    assert created == {"乡镇": 1, "站点": 2, "选区": 3, "行政村": 2, "活动小组": 1, "自然村": 2, "代表": 3,
                       "代表·职务": 4, "联系": 2, "联系选民群": 1, "选民": 3}
    voter = db.scalar(select(Voter).where(Voter.code == "P2"))
    assert voter.phone_enc and "13900005678" not in voter.phone_enc  # encrypted at rest
    assert ext.phones.open(voter.phone_enc) == "13900005678"  # spaces normalised away
    layers = dict(db.execute(select(ContactLink.to_deputy_id, ContactLink.layer)).all())
    d2, d3 = (db.scalar(select(Deputy.id).where(Deputy.code == c)) for c in ("D2", "D3"))
    assert layers == {d2: "city_county", d3: "county_township"}


def test_a_cross_serving_deputy_is_one_person_with_two_mandates(load, db):
    load(mini())
    d2 = db.scalar(select(Deputy).where(Deputy.code == "D2"))
    assert sorted(m.level for m in d2.mandates) == ["county", "township"]
    report = stats(db)
    assert (report["people"], report["mandates"], report["cross_serving"]) == (3, 4, 1)
    assert report["mandates_by_level"] == {"city": 1, "county": 1, "township": 2}


def test_importing_the_same_file_again_changes_nothing(load, db):
    load(mini())
    before = stats(db)
    again = load(mini())
    assert not again.problems and not again.changed and again.changes == []
    assert all(c.created == c.updated == 0 for c in again.counts.values())
    assert stats(db) == before


def test_an_edited_file_updates_only_what_changed_and_says_so(load, db):
    load(mini())
    book = mini()
    book["站点"][1][4] = 12  # the point moves its reception day
    book["选民"][0][2] = "13911112222"  # a new phone
    book["代表"][3][1] = "张卫"  # a corrected name
    book["选民"].append(["P4", "周敏", "", "V2", "", "G1", ""])
    summary = load(book)
    assert not summary.problems
    assert summary.changes == ["站点 S1：接待日", "代表 D3：姓名", "选民 P1：手机"]
    assert (summary.counts["站点"].updated, summary.counts["站点"].unchanged) == (1, 1)
    assert (summary.counts["选民"].created, summary.counts["选民"].updated, summary.counts["选民"].unchanged) == (1, 1, 2)
    assert db.scalar(select(Site.reception_day).where(Site.code == "S1")) == 12


def test_dropping_a_mandate_row_removes_only_that_mandate(load, db):
    load(mini())
    book = mini()
    del book["代表"][1]  # D2 no longer a county deputy
    book["联系"] = []  # D1 -> D2 would no longer be a "3+10" link
    summary = load(book)
    assert not summary.problems, problems(summary)
    assert summary.counts["代表·职务"].removed == 1
    d2 = db.scalar(select(Deputy).where(Deputy.code == "D2"))
    assert [m.level for m in d2.mandates] == ["township"]


@pytest.mark.parametrize("sheet, row, col, value, expected", [
    ("代表", 3, 3, "火星级", "代表 表第 5 行，级别：“火星级”不是 市/县/乡 之一"),
    ("站点", 1, 4, 35, "站点 表第 3 行，接待日：35 不在 1–28 之间（每个月都要有这一天）"),
    ("站点", 1, 4, "十号", "站点 表第 3 行，接待日：“十号”不是整数"),
    ("站点", 0, 1, "驿站", "站点 表第 2 行，类型：“驿站”不是 联络站/联络点 之一"),
    ("选区", 0, 1, "", "选区 表第 2 行，名称：必填，不能为空"),
    ("行政村", 0, 0, "V 1", "行政村 表第 2 行，编码：“V 1”不是有效编码（只能用字母、数字、- 和 _，最多 32 位）"),
    ("选民", 0, 2, "12345", "选民 表第 2 行，手机：号码格式不对（应为 11 位手机号或带区号的固定电话）"),
    ("联系选民群", 0, 4, "也许", "联系选民群 表第 2 行，启用：“也许”不是 是/否 之一"),
    ("行政村", 1, 3, "S9", "行政村 表第 3 行，站点：“S9”在站点表和已有名册中都找不到"),
    ("选民", 2, 5, "G7", "选民 表第 4 行，联系选民群：“G7”在联系选民群表和已有名册中都找不到"),
    ("代表", 2, 1, "李秀", "代表 表第 4 行，姓名：与第 3 行同一代表（D2）的姓名不一致"),
    ("代表", 0, 4, "C1", "代表 表第 2 行，选区：“C1”是县级选区，与级别“市”不符"),
    ("选民", 0, 4, "V2-1", "选民 表第 2 行，自然村：“V2-1”不属于行政村“V1”"),
    ("联系", 1, 0, "D1", "联系 表第 3 行：“D1”联系“D3”不符合“3+10”：只能市级联系县级、县级联系乡级"),
    ("联系", 1, 1, "D2", "联系 表第 3 行，下级代表：代表不能联系自己"),
    ("自然村", 1, 0, "V1-1", "自然村 表第 3 行，编码：与第 2 行重复（V1-1）"),
])
def test_every_bad_row_is_named_and_nothing_is_imported(load, db, sheet, row, col, value, expected):
    book = mini()
    book[sheet][row][col] = value
    summary = load(book)
    assert expected in problems(summary), problems(summary)
    assert db.scalar(select(func.count(Site.id))) == 0 and db.scalar(select(func.count(Voter.id))) == 0


def test_all_bad_rows_are_listed_at_once_and_phones_are_never_echoed(load):
    book = mini()
    book["代表"][0][3] = "火星级"
    book["选民"][1][2] = "1390000567"
    book["站点"][0][4] = 0
    found = problems(load(book))
    assert len(found) == 3
    assert found[0].startswith("站点") and found[1].startswith("代表") and found[2].startswith("选民")
    assert not any("1390000567" in p for p in found)


def test_a_sheet_missing_a_required_column_is_refused(load, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "站点"
    ws.append(["编码", "名称"])
    ws.append(["S1", "桥头联络点"])
    book.save(tmp_path / "cols.xlsx")
    assert problems(load(tmp_path / "cols.xlsx")) == ["站点 表第 1 行：缺少必需的列：类型、接待日"]


def test_a_file_that_is_not_a_workbook_is_refused(load, tmp_path):
    (tmp_path / "x.xlsx").write_text("not excel")
    assert problems(load(tmp_path / "x.xlsx")) == ["x.xlsx 表第 1 行：无法作为 Excel 文件打开（BadZipFile）"]


def test_an_openid_already_bound_to_someone_else_is_refused(load, db):
    load(mini())
    book = mini()
    book["选民"][2][6] = "oSomeone"
    load(book)
    book["选民"][0][6] = "oSomeone"
    book["选民"][2][6] = ""  # a blank OpenID keeps P3's binding
    assert problems(load(book)) == ["选民 表第 2 行，微信OpenID：已绑定到选民“P3”"]
    assert db.scalar(select(Voter.openid).where(Voter.code == "P1")) is None


def test_the_voter_sheet_alone_imports_from_csv(load, db, tmp_path):
    load(mini())
    lines = ["编码,姓名,手机,行政村,自然村,联系选民群"] + [f"Q{i:04d},选民{i},1390000{i:04d},V2,V2-1," for i in range(500)]
    (tmp_path / "big.csv").write_bytes("\n".join(lines).encode("gb18030"))  # as Excel saves it in China
    summary = load(tmp_path / "big.csv")
    assert not summary.problems and summary.counts["选民"].created == 500
    bad = tmp_path / "bad.csv"
    bad.write_text("编码,姓名,行政村\nQ9999,某人,V404\n", encoding="utf-8-sig")
    assert problems(load(bad)) == ["选民 表第 2 行，行政村：“V404”在行政村表和已有名册中都找不到"]


def exported_rows(path) -> dict[str, list[tuple]]:
    book = load_workbook(path, read_only=True)
    try:
        return {ws.title: [r for r in ws.iter_rows(min_row=2, values_only=True) if any(r)]
                for ws in book.worksheets if ws.title != "说明"}
    finally:
        book.close()


def test_export_then_reimport_of_the_demo_township_gives_identical_stats_and_rows(make_app, tmp_path):
    from bot.services.roster.demo import seed

    first = make_app()
    ext = first.extensions["liaison"]
    with ext.Session() as session:
        seed(session, 3, box=ext.phones)
        session.commit()
        expected = stats(session)
        write_export(session, tmp_path / "demo.xlsx", ext.phones)
        for table in ("ticket_events", "tickets", "voters", "voter_groups", "contact_links", "mandates",
                      "deputies", "activity_groups", "natural_villages", "villages", "townships", "sites",
                      "constituencies"):
            session.execute(text(f"DELETE FROM {table}"))
        session.commit()
        assert stats(session)["people"] == 0
        summary = import_roster(session, tmp_path / "demo.xlsx", ext.phones, NOW)
        assert not summary.problems, [str(p) for p in summary.problems][:5]
        session.commit()
        # Deputies' WeChat bindings are not taken from the file (only a confirmed card binds):
        # set here as their cards would have.
        assert stats(session) == {**expected, "bound_deputies": 0}
        for row in exported_rows(tmp_path / "demo.xlsx")["代表"]:
            session.execute(update(Deputy).where(Deputy.code == row[0]).values(openid=row[8]))
        session.commit()
        assert stats(session) == expected
        write_export(session, tmp_path / "again.xlsx", ext.phones)
        before, after = exported_rows(tmp_path / "demo.xlsx"), exported_rows(tmp_path / "again.xlsx")
        assert after == before  # names, codes, OpenIDs, decrypted phones: row for row
        voters = before["选民"]
        assert len(voters) > 100 and all(v[0] and v[1] for v in voters)
        assert sum(1 for v in voters if v[2] and len(v[2]) == 11) > 100  # phones survive, decrypted
        assert sum(1 for v in voters if v[6]) > 100 and all(d[8] for d in before["代表"])  # bindings
        again = import_roster(session, tmp_path / "demo.xlsx", ext.phones, NOW)
        assert not again.changed and not again.warnings
        session.rollback()
