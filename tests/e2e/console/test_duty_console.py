"""The duty record in Debian's chromium: a clerk enters one training for a whole
liaison point and one more deputy in a single form and sees their counts move
in the station report; a deputy's year shows the items, their deadlines and
where each activity came from; a deputy's account sees only its own record,
a county account none."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from bot.models import Deputy, DutyActivity, Reception, ReceptionDuty, Site
from bot.services.duty import activities
from bot.services.reception import rota

pytestmark = pytest.mark.slow

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc)  # 09:00 on 20 November in Beijing


@pytest.fixture
def year(console_app, township):
    """The demo township on 20 November 2026: the ticket's deputy has a resolved ticket
    and a reception duty on record, and the 善福 point's deputies studied in March."""
    ext = console_app.extensions["liaison"]
    ext.clock.value = NOW.timestamp()
    with ext.Session() as s:
        shanfu = s.scalar(select(Site).where(Site.code == "shanfu"))
        pool = [d.id for d in rota.pools(s)[shanfu.id]]
        codes = list(s.scalars(select(Deputy.code).where(Deputy.id.in_(pool)).order_by(Deputy.code)))
        holder = s.scalar(select(Deputy).where(Deputy.code == township["deputy"]))
        reception = Reception(site_id=shanfu.id, nominal=date(2026, 10, 10))
        s.add(reception)
        s.flush()
        duty = ReceptionDuty(reception_id=reception.id, deputy_id=holder.id, attended=True, marked_by="clerk")
        s.add(duty)
        s.flush()
        activities.record(s, deputy=holder, kind="reception", day=date(2026, 10, 10), source="auto", now=ext.now(),
                          evidence=f"reception-duty:{duty.id}", place="善福联络点")
        activities.record(s, deputy=holder, kind="casework", day=date(2026, 11, 19), source="auto", now=ext.now(),
                          evidence=f"ticket:{township['id']}:resolved", note="路灯已修好")
        activities.record(s, deputy=holder, kind="visit", day=date(2026, 11, 3), source="deputy", now=ext.now(),
                          place="新民村", people="李大爷", note="反映灌溉渠堵塞")
        for code in codes:
            deputy = s.scalar(select(Deputy).where(Deputy.code == code))
            activities.record(s, deputy=deputy, kind="study", day=date(2026, 3, 15), source="staff", now=ext.now())
        s.commit()
    return {"shanfu": codes, "holder": township["deputy"], "number": township["number"]}


def _study(page, code: str):
    return page.locator(f'#duty-{code} td[data-kind="study"]')


def test_a_clerk_enters_one_training_for_many_deputies_and_sees_the_report_change(site, page, log_in, make_user,
                                                                                  year, console_app, shot):
    shanfu, other = year["shanfu"], "D001"
    assert other not in shanfu and len(shanfu) >= 4
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    with page.expect_navigation():
        page.click("nav >> text=履职档案")
    assert page.locator("h1").inner_text() == "2026 年代表“十个一”履职情况"
    assert page.locator("#duty-report tbody tr").count() == 51
    assert _study(page, shanfu[0]).inner_text() == "1/2" and "behind" in _study(page, shanfu[0]).get_attribute("class")
    assert _study(page, other).inner_text() == "0/2"
    shot(page, "duty-station")

    with page.expect_navigation():
        page.click("#duty-new")
    page.select_option("#kind", "study")
    page.fill("#day", "2026-11-18")
    page.fill("#place", "乡政府三楼会议室")
    page.fill("#note", "代表法专题培训")
    page.check('input.duty-all[data-site="shanfu"]')  # the whole point, by its "select all"
    page.check(f'input[name=deputy][value="{other}"]')
    assert page.locator("#duty-chosen").inner_text() == f"已勾选 {len(shanfu) + 1} 位"
    shot(page, "duty-entry")
    with page.expect_navigation():
        page.click("#duty-entry button[type=submit]")
    assert page.locator(".flash.done").inner_text() == f"已录入 {len(shanfu) + 1} 位代表的“学习培训”（11月18日）"
    # The point's deputies have both studies now; D001 has one, and still owes the second half's.
    for code in shanfu:
        assert _study(page, code).inner_text() == "2/2" and "met" in _study(page, code).get_attribute("class")
    assert _study(page, other).inner_text() == "1/2" and "behind" in _study(page, other).get_attribute("class")
    assert _study(page, "D002").inner_text() == "0/2"
    with console_app.app_context():
        ext = console_app.extensions["liaison"]
        with ext.Session() as s:
            rows = s.scalars(select(DutyActivity).where(DutyActivity.day == date(2026, 11, 18))).all()
            assert len(rows) == len(shanfu) + 1 and {r.entered_by for r in rows} == {"clerk"}
    page.select_option('select[name="site"]', "shanfu")
    page.check('input[name="behind"]')
    with page.expect_navigation():
        page.click(".duty-filters button[type=submit]")
    shown = page.locator("#duty-report tbody tr")
    assert 0 < shown.count() <= len(shanfu)
    shot(page, "duty-station-after")

    # A form without a date or deputy is refused in Chinese, what was typed kept.
    page.goto(f"{site}/console/duty/new")
    page.select_option("#kind", "mediation")
    page.fill("#place", "上丰村")
    page.fill("#day", "")
    page.evaluate("document.getElementById('day').removeAttribute('required')")
    with page.expect_navigation():
        page.click("#duty-entry button[type=submit]")
    assert page.locator(".flash.alert").inner_text() == "请填写活动日期"
    assert page.input_value("#place") == "上丰村"


def test_a_deputys_year_shows_items_deadlines_and_where_each_activity_came_from(site, page, log_in, make_user,
                                                                                year, shot):
    holder = year["holder"]
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    page.goto(f"{site}/console/duty")
    with page.expect_navigation():
        page.click(f"#duty-{holder} td:nth-child(2) a")
    assert f"（{holder}）2026 年履职档案" in page.locator("h1").inner_text()
    reception = page.locator("#item-reception")
    assert reception.locator("td").nth(3).inner_text() == "1" and "已完成" in reception.inner_text()
    mediation = page.locator("#item-mediation").inner_text()
    assert "12月31日前累计 1 次" in mediation and "落后，差 1 次" in mediation
    visits = page.locator("#item-visit").inner_text()
    assert "11月30日前累计 11 次" in visits and "落后，差 9 次" in visits
    assert "12月31日前累计 2 次" in page.locator("#item-study").inner_text()
    rows = page.locator("#duty-activities tbody tr")
    # The ticket, the visit, the reception, newest first (and the March study if the holder is of 善福).
    assert rows.count() == 3 + (holder in year["shanfu"])
    assert "办理群众意见" in rows.nth(0).inner_text() and "系统自动记录" in rows.nth(0).inner_text()
    assert rows.nth(0).locator("a").inner_text() == f"工单 {year['number']}"
    assert "代表本人记录" in rows.nth(1).inner_text() and "李大爷" in rows.nth(1).inner_text()
    assert rows.nth(2).locator("a").inner_text() == "善福联络点 10月接待日"
    shot(page, "duty-deputy")
    with page.expect_navigation():
        rows.nth(0).locator("a").click()
    assert year["number"] in page.locator("h1").inner_text()


def test_a_deputy_sees_only_their_own_record_and_the_county_none(site, page, log_in, make_user, year, shot):
    holder = year["holder"]
    make_user("deputy1", "deputy", deputy_code=holder)
    log_in(page, site, "deputy1")
    with page.expect_navigation():
        page.click("nav >> text=履职档案")
    assert page.url.endswith(f"/console/duty/{holder}")
    assert page.locator("#duty-add-one").count() == 0  # deputies add theirs from WeChat, not here
    shot(page, "duty-deputy-own")
    other = "D001" if holder != "D001" else "D002"
    answer = page.goto(f"{site}/console/duty/{other}")
    assert answer.status == 403 and "代表账号只能查看本人的履职档案" in page.inner_text("main")
    assert page.goto(f"{site}/console/duty/new").status == 403
    assert page.goto(f"{site}/console/duty/report.xlsx").status == 403

    page.context.clear_cookies()
    make_user("county1", "county")
    log_in(page, site, "county1")
    assert page.locator("nav >> text=履职档案").count() == 0
    assert page.goto(f"{site}/console/duty").status == 403
    assert page.goto(f"{site}/console/duty/{holder}").status == 403
