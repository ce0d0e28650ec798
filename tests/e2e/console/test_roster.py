"""The roster pages in a real browser: a clerk uploads a workbook with a bad row,
reads the sheet, row, column and reason and cannot confirm; fixes the row,
uploads again, confirms, and the new voter is in the roster. Then the health
report, a record it links to, the posters page and the downloads."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.models import Voter
from roster_book import NOW, mini, write_book

SHOTS = Path(__file__).parent / "screenshots"

pytestmark = pytest.mark.slow


def voters_sheet(phone: str) -> dict[str, list[list[object]]]:
    """The 选民 sheet: two voters already in the roster, and a new one on row 4."""
    rows = [row for row in mini()["选民"] if row[0] in ("P1", "P2")]
    return {"选民": rows + [["P4", "吴小梅", phone, "V2", "V2-1", "G1", ""]]}


@pytest.fixture
def roster(console_app, tmp_path):
    from bot.services.roster.workbook.importer import import_roster

    ext = console_app.extensions["liaison"]
    with ext.Session() as session:
        summary = import_roster(session, write_book(tmp_path / "mini.xlsx", mini()), ext.phones, NOW)
        assert not summary.problems
        session.commit()
    return ext


def test_a_roster_upload_with_a_bad_row_then_a_good_one(browser, site, page, make_user, log_in, shot, roster,
                                                        tmp_path):
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    page.click("nav >> text=名册")
    assert page.url.endswith("/console/roster")
    shot(page, "roster-1-page")

    page.set_input_files("#roster-file", str(write_book(tmp_path / "选民名单.xlsx", voters_sheet("1380000"))))
    with page.expect_navigation():
        page.click("#roster-upload button[type=submit]")
    verdict = page.text_content("#roster-verdict")
    assert "发现 1 处错误" in verdict and "整个文件都没有导入" in verdict
    cells = [c.strip() for c in page.locator("#roster-problems tbody tr").first.locator("td").all_text_contents()]
    assert cells[:3] == ["选民", "4", "手机"] and "号码格式不对" in cells[3]
    assert page.locator("#roster-confirm").count() == 0 and page.get_by_text("确认导入").count() == 0
    shot(page, "roster-2-dry-run-bad-row")
    page.set_viewport_size({"width": 390, "height": 844})  # the report on a phone
    shot(page, "roster-2-dry-run-bad-row-phone")
    page.set_viewport_size({"width": 1366, "height": 768})

    page.set_input_files("#roster-file", str(write_book(tmp_path / "选民名单.xlsx", voters_sheet("13900004321"))))
    with page.expect_navigation():
        page.click("#roster-again button[type=submit]")
    assert "检查通过" in page.text_content("#roster-verdict")
    counts = [c.strip() for c in page.locator("#roster-counts tbody tr").first.locator("td").all_text_contents()]
    assert counts == ["选民", "1", "0", "2", "0"]  # new, updated, unchanged, removed
    with roster.Session() as session:  # the dry run wrote nothing
        assert session.scalar(select(Voter).where(Voter.code == "P4")) is None
    shot(page, "roster-3-dry-run-clean")

    with page.expect_navigation():
        page.click("#roster-confirm button[type=submit]")
    assert page.url.endswith("/console/roster") and "名册已导入：新增 1 条" in page.text_content(".flash.done")
    shot(page, "roster-4-imported")
    with roster.Session() as session:
        voter = session.scalar(select(Voter).where(Voter.code == "P4"))
        assert voter is not None and voter.name == "吴小梅" and voter.group.code == "G1"

    page.goto(f"{site}/console/roster/voter/P4")
    assert "吴小梅" in page.text_content("h1") and "13900004321" not in page.content()
    assert page.get_by_text("李秀兰代表联系选民群").count() == 1
    shot(page, "roster-5-new-voter")


def test_the_health_report_records_posters_and_downloads(browser, site, page, make_user, log_in, shot, roster):
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    page.goto(f"{site}/console/roster/health")
    assert "选民没有加入联系选民群" in page.text_content("#check-voters_without_group")
    shot(page, "roster-6-health")

    with page.expect_navigation():
        page.click("#check-stationed_not_ten >> text=张伟（D3）")
    assert "驻站代表的固定选民不是 10 人" in page.text_content("#record-problems")
    shot(page, "roster-7-deputy")

    page.goto(f"{site}/console/roster/group/G1")
    assert page.locator("#group-poster >> text=下载 PNG").count() == 0  # no code yet: a download would issue one
    with page.expect_navigation():
        page.click("#group-poster >> text=生成二维码")
    assert "已生成联系选民群 G1 的二维码" in page.text_content(".flash.done")
    shot(page, "roster-8-group")
    with page.expect_download() as got:
        page.click("#group-poster >> text=下载 PNG")
    assert got.value.suggested_filename == "group-G1.png"
    from PIL import Image

    with Image.open(got.value.path()) as img:
        assert img.size == (1240, 1754)  # A4 at 150 dpi
        img.save(SHOTS / "roster-poster-G1.png")

    page.goto(f"{site}/console/roster/qr")
    assert "已签发" in page.text_content("#qr-groups")
    shot(page, "roster-9-qr")

    page.goto(f"{site}/console/roster")
    with page.expect_download() as got:
        page.click("text=导出当前名册")
    assert got.value.suggested_filename.startswith("名册-") and got.value.suggested_filename.endswith(".xlsx")
