"""The reception calendar through Debian's chromium: a clerk opens December,
moves the station's reception of the 20th to the 22nd, sees it on its new day,
and the voter already reminded of it finds the notice in the sandbox outbox;
then the other pages (holidays with a mistake, rules, attendance, the printed
bookings list and the notices PDF)."""
from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.outbox import recent
from bot.jobs import tasks
from bot.models import OutboundPush, ReceptionDuty
from wechat_user import Phone

pytestmark = pytest.mark.slow

REMINDED = "oDEMO_voter_01_01"  # a voter of the station


def _at(app, *when) -> None:
    app.extensions["liaison"].clock.value = datetime(*when, tzinfo=timezone.utc).timestamp()


@pytest.fixture
def demo_township(console_app):
    from bot.services.roster.demo import seed

    ext = console_app.extensions["liaison"]
    with ext.Session() as session:
        seed(session, 7)
        session.commit()
    return ext


def _submit(page, form_id):
    with page.expect_navigation():
        page.click(f"#{form_id} button[type=submit]")


def _cell(page, day: str):
    return page.locator(f'td[data-date="{day}"]')


def test_a_clerk_moves_a_reception_day_and_the_reminded_voter_is_told(site, page, log_in, make_user, console_app,
                                                                      demo_township, shot):
    ext = demo_township
    _at(console_app, 2026, 12, 17, 1)  # 09:00 in Beijing, three days before the station's day
    with console_app.app_context():
        tasks.remind_receptions(ext, date(2026, 12, 17))  # the T-3 notices go to the station's voters
    console_app.config["TASK_QUEUE"].drain(console_app)
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    page.click("nav >> text=接待日")
    assert page.locator("h1").inner_text() == "接待选民日 · 2026年12月"
    december_20 = _cell(page, "2026-12-20")
    assert "乡人大代表联络站" in december_20.inner_text() and "值班：" in december_20.inner_text()
    assert "善福联络点" in _cell(page, "2026-12-10").inner_text()
    shot(page, "reception-month")

    with page.expect_navigation():
        december_20.locator("a.rc-event").click()
    assert "乡人大代表联络站 · 12月20日（周日）" in page.locator("h1").inner_text()
    page.fill("#move-to", "2026-12-22")
    page.fill("#move-note", "因乡里开会，改到周二。")
    page.check("#form-move input[name=confirm]")
    shot(page, "reception-day-move")
    _submit(page, "form-move")
    flash = page.locator(".flash.done").inner_text()
    assert flash.startswith("乡人大代表联络站原定12月20日（周日）的接待已改到12月22日（周二）")
    assert "12月22日（周二）（原定 12月20日）" in page.locator("#reception-facts").inner_text()
    shot(page, "reception-day-moved")

    page.click("text=‹ 回到 2026年12月")
    page.wait_for_selector("#calendar")
    moved = _cell(page, "2026-12-22")
    assert "乡人大代表联络站" in moved.inner_text() and "原定12月20日" in moved.inner_text()
    assert "乡人大代表联络站" not in _cell(page, "2026-12-20").inner_text()
    shot(page, "reception-month-moved")

    # The worker delivers what the move queued (the sandbox records it as sent): the voter reminded on
    # the 17th has the notice once, and it is what `liaison sandbox outbox` lists.
    console_app.config["TASK_QUEUE"].drain(console_app)
    with ext.Session() as session:
        told = session.scalars(select(OutboundPush).where(OutboundPush.kind == "reception_change",
                                                          OutboundPush.recipient_openid == REMINDED)).all()
        assert len(told) == 1 and told[0].status == "sent"
        lines = [line for _, line in recent(session, 500) if REMINDED in line and "改到" in line]
    assert lines == [f"推送 #{told[0].id} [sent/{told[0].channel}] → {REMINDED}: 乡人大代表联络站原定12月20日（周日）"
                     "的接待选民日改到12月22日（周二），上午 9:00–12:00，地址：乡政府一楼。因乡里开会，改到周二。"]
    # The voter asking on WeChat hears the new day too.
    assert "12月22日" in Phone(console_app, REMINDED).says("接待日").text


def test_the_other_reception_pages(site, page, log_in, make_user, console_app, demo_township, shot, tmp_path):
    ext = demo_township
    _at(console_app, 2026, 12, 10, 8)  # the points' day, 16:00 in Beijing: it is over
    Phone(console_app, "oDEMO_voter_12_01").says("预约")  # a voter of 上丰 books January's reception
    make_user("clerk", "staff")
    log_in(page, site, "clerk")

    page.goto(f"{site}/console/reception/holidays?year=2027")
    page.fill("#holiday-text", "元旦 2027-01-01\n春节 2027-02-06 至 2027-02-13\n春节 2027-02-10 上班")
    _submit(page, "form-holidays")
    assert "第3行：2027-02-10（周三）本来就是工作日" in page.locator("#holiday-problems").inner_text()
    shot(page, "reception-holidays-error")
    page.fill("#holiday-text", "元旦 2027-01-01\n春节 2027-02-06 至 2027-02-13\n春节 2027-02-14 上班")
    _submit(page, "form-holidays")
    assert "放假 9 天，调休上班 1 天" in page.locator(".flash.done").inner_text()
    shot(page, "reception-holidays")

    page.goto(f"{site}/console/reception?month=2027-02")
    assert "春节" in _cell(page, "2027-02-08").inner_text()
    assert "调休上班" in _cell(page, "2027-02-14").inner_text()
    shot(page, "reception-month-2027-02")

    page.goto(f"{site}/console/reception/rules")
    page.fill("#shangfeng-place", "上丰村文化广场")
    with page.expect_navigation():
        page.click("#rule-shangfeng button[type=submit]")
    assert "上丰村文化广场" in page.locator(".flash.done").inner_text()
    shot(page, "reception-rules")

    page.goto(f"{site}/console/reception/shangfeng/2026-12-10")
    boxes = page.locator("#form-attendance input[name=present]")
    assert boxes.count() >= 2
    boxes.nth(0).check()
    _submit(page, "form-attendance")
    assert "已登记出席（1 人到场）" in page.locator(".flash.done").inner_text()
    assert "clerk 登记于 2026-12-10 16:00" in page.locator("#attendance").inner_text()
    shot(page, "reception-attendance")
    with ext.Session() as session:
        marks = [d.attended for d in session.scalars(select(ReceptionDuty).order_by(ReceptionDuty.id))]
    assert marks.count(True) == 1 and set(marks) == {True, False}

    page.goto(f"{site}/console/reception/shangfeng/2027-01-10/print")
    assert "上丰联络点接待选民预约名单" in page.locator("h1").inner_text()
    assert page.locator("#sheet tbody tr").count() >= 5
    shot(page, "reception-print")
    page.emulate_media(media="print")
    assert not page.locator("#print-now").is_visible()
    shot(page, "reception-print-paper")
    page.emulate_media(media="screen")

    pdf = page.request.get(f"{site}/console/reception/notices.pdf?month=2027-01")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    body = pdf.body()
    assert len(re.findall(rb"/Type /Page\b(?!s)", body)) == 4
    if shutil.which("pdftoppm"):
        path = tmp_path / "notices.pdf"
        path.write_bytes(body)
        shots = Path(__file__).parent / "screenshots"  # the notice's pages beside the console's
        subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(shots / "reception-notice")], check=True)
        assert (shots / "reception-notice-1.png").exists()

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}/console/reception?month=2027-01")
    assert page.locator('td[data-date="2027-01-10"]').is_visible()
    assert not page.locator('td[data-date="2027-01-11"]').is_visible()
    shot(page, "reception-month-phone")
