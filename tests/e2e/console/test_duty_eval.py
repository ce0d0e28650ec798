"""Staff run the yearly evaluation from the console: open the poll (the
invitations go out), see a deputy's votes only as counts once 5 are in,
enter the organisation's assessment, download the sheet; a deputy's account
is refused the page."""
from __future__ import annotations

from datetime import datetime, timezone

from docx import Document
from sqlalchemy import select

from bot.models import OutboundPush, Voter, VoterGroup
from wechat_user import Phone

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def test_staff_open_the_poll_see_counts_enter_an_assessment_and_download_the_sheet(
        page, site, make_user, log_in, shot, township, console_app, tmp_path):
    ext = console_app.extensions["liaison"]
    ext.clock.value = NOW.timestamp()
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    page.goto(f"{site}/console/duty/evaluation?year=2026")
    assert page.locator("h1").inner_text() == "2026年度履职考评"
    with page.expect_navigation():
        page.click("#duty-poll button[type=submit]")
    assert "已向 180 位选民发出邀请" in page.locator(".flash").inner_text()
    with ext.Session() as s:
        assert len(s.scalars(select(OutboundPush).where(OutboundPush.kind == "duty_poll")).all()) == 180
        group = s.scalar(select(VoterGroup).where(VoterGroup.code == "G01"))
        deputy = group.deputy.code, group.deputy.name
        openids = s.scalars(select(Voter.openid).where(Voter.group_id == group.id).order_by(Voter.id)).all()
    for openid, said in zip(openids, ["测评 1", "测评 1", "测评 2", "测评 1", "测评 3 要多来村里"]):
        assert Phone(console_app, openid).says(said).text.startswith("已收到")
    page.goto(f"{site}/console/duty/evaluation?year=2026")
    row = page.locator("#duty-evaluations tr", has_text=deputy[0])
    assert "测评进行中，结束后公布" in row.inner_text() and "满意 3" not in row.inner_text()
    with page.expect_navigation():
        page.click("#duty-poll button[type=submit]")  # 结束测评
    assert "已结束" in page.locator(".flash").inner_text()
    row = page.locator("#duty-evaluations tr", has_text=deputy[0])
    assert "满意 3，基本满意 1，不满意 1（共 5 票）" in row.inner_text()
    other = page.locator("#duty-evaluations tr", has_text="D001")
    assert "不足5票，不公布" in other.inner_text()

    page.select_option("#de-deputy", deputy[0])
    page.select_option("#de-part", "org")
    page.select_option("#de-grade", "优秀")
    page.fill("#de-text", "全年履职积极，群众评价好")
    with page.expect_navigation():
        page.click("#duty-assess button[type=submit]")
    assert f"已保存 {deputy[1]} 的2026年度组织评定" in page.locator(".flash").inner_text()
    row = page.locator("#duty-evaluations tr", has_text=deputy[0])
    assert "优秀 95" in row.inner_text() and "缺自评" in row.inner_text()
    shot(page, "duty_evaluation")

    with page.expect_download() as download:
        row.locator("a", has_text="下载").click()
    path = tmp_path / "sheet.docx"
    download.value.save_as(path)
    text = "\n".join(c.text for t in Document(str(path)).tables for r in t.rows for c in r.cells)
    assert deputy[1] in text and "全年履职积极，群众评价好" in text

    assert "已经结束" in Phone(console_app, openids[6]).says("测评 1").text


def test_a_deputy_account_is_refused_the_evaluation_page(page, site, make_user, log_in, township):
    make_user("dep", "deputy", deputy_code="D011")
    log_in(page, site, "dep")
    response = page.goto(f"{site}/console/duty/evaluation")
    assert response.status == 403


def test_a_deputy_fills_the_self_assessment_on_the_phone(browser, site, township, console_app, shot):
    ext = console_app.extensions["liaison"]
    ext.clock.value = NOW.timestamp()
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True, locale="zh-CN")
    phone = context.new_page()
    try:
        phone.goto(f"{site}/m/evaluation")
        with phone.expect_navigation(url=f"{site}/m/evaluation"):
            phone.click(f"button[data-code='{township['deputy']}']")
        phone.select_option("#ev-grade", "优秀")
        phone.fill("#ev-text", "全年走访选民十二次，按时接待，办结群众意见二十件。")
        with phone.expect_navigation():
            phone.click("#self-assessment button[type=submit]")
        assert "2026年度自评已保存" in phone.locator(".flash").inner_text()
        assert "已填：优秀，95 分" in phone.locator("#self-assessment").inner_text()
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(phone, "duty_self_assessment_phone")
    finally:
        context.close()
