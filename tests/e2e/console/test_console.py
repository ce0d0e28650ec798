"""The staff console, through Debian's chromium: logging in, the lockout, who
sees which ticket, CSRF, and the security headers."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.models import Deputy
from bot.services.accounts import audit
from wechat_user import Phone

pytestmark = pytest.mark.slow

VOTER = "oDEMO_voter_01_01"
OPINION = "村口的路灯坏了三个月了，晚上出门看不见路，请尽快修好"


def _audit(app, **kw):
    ext = app.extensions["liaison"]
    with ext.Session() as session:
        rows, total = audit.search(session, **kw)
        return [(r.actor, r.action, r.target) for r in rows]


def test_login_lands_on_the_dashboard_with_charts_drawn(site, page, log_in, make_user, township, shot):
    make_user("clerk", "staff")
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(page, site, "clerk")
    assert page.url.rstrip("/").endswith("/console")
    assert page.locator("h1").inner_text() == "工作概况"
    assert page.locator("#count-open").inner_text() == "1"
    page.wait_for_selector("#chart-categories[data-drawn='1']")
    page.wait_for_selector("#chart-months[data-drawn='1']")
    for chart in ("#chart-categories", "#chart-months"):
        painted = page.eval_on_selector(chart, """c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }""")
        assert painted > 100, chart
    # Each chart is also a table with the numbers.
    assert page.locator("table.numbers").first.inner_text().count("1") >= 1
    # Chinese comes from the font the console serves (this machine has no CJK font).
    assert page.evaluate("document.fonts.load('18px LiaisonCJK', '人大代表').then(f => f.length)") >= 1
    shot(page, "dashboard")
    assert violations == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)  # the charts follow the new width
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
    shot(page, "dashboard-phone")


def test_every_dashboard_chart_draws_with_its_table(site, page, log_in, make_user, township, console_app, shot):
    """A rated ticket and an open one: villages, times and satisfaction drawn, "3+10" health listed."""
    ext = console_app.extensions["liaison"]
    with ext.Session() as session:
        deputy = session.scalar(select(Deputy).where(Deputy.code == township["deputy"]))
        desk = Phone(console_app, deputy.openid)
    ext.clock.value = ext.clock() + 3 * 3600  # accepted 3 hours after it came in
    assert desk.says(f"受理 {township['number']}").text.startswith("已受理")
    ext.clock.value += 27 * 3600  # resolved the next day
    assert "已办结" in desk.says(f"办结 {township['number']} 已修好").text
    assert "感谢" in Phone(console_app, VOTER).says("5").text
    assert "编号" in Phone(console_app, VOTER).says("小学门口的水沟堵了，下雨就积水").text
    make_user("clerk9", "staff")
    log_in(page, site, "clerk9")
    for chart in ("categories", "months", "villages", "ratings"):
        page.wait_for_selector(f"#chart-{chart}[data-drawn='1']")
        painted = page.eval_on_selector(f"#chart-{chart}", """c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }""")
        assert painted > 100, chart
    assert "2" in page.locator("#table-villages").inner_text()
    assert deputy.name in page.locator("#table-ratings").inner_text()
    assert "5.0" in page.locator("#table-ratings").inner_text()
    times = page.locator("#table-durations").inner_text()
    assert "3.0 小时" in times and "1.3 天" in times, times
    assert "名册“3+10”体检" in page.locator("#health").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    shot(page, "dashboard-figures")


def test_sixth_attempt_after_five_failures_is_locked(site, page, log_in, make_user, console_app, shot):
    make_user("locked", "staff")
    for _ in range(5):
        response = log_in(page, site, "locked", "wrong password!")
        assert response.status == 401
        assert "用户名或密码不对" in page.locator(".alert").inner_text() or "锁定" in page.locator(".alert").inner_text()
    response = log_in(page, site, "locked")  # the right password, too late
    assert response.status == 401
    message = page.locator(".alert").inner_text()
    assert re.fullmatch(r"账号已锁定，请在 \d\d:\d\d 以后再试", message), message
    assert "/console/login" in page.url
    shot(page, "login-locked")
    assert ("locked", "login.locked", "locked") in _audit(console_app, action="login.locked")


def test_deputy_asking_for_another_deputys_ticket_gets_404_and_is_audited(site, page, log_in, make_user,
                                                                         township, console_app, shot):
    make_user("dep_other", "deputy", township["other_deputy"])
    log_in(page, site, "dep_other")
    response = page.goto(f"{site}/console/tickets/{township['number']}")
    assert response.status == 404
    assert "没有找到" in page.locator("h1").inner_text()
    shot(page, "ticket-404")
    assert ("dep_other", "ticket.denied", township["number"]) in _audit(console_app, action="ticket.denied")
    # Nor does the list show it.
    page.goto(f"{site}/console/tickets")
    assert township["number"] not in page.content()
    assert page.locator("text=共 0 件").count() == 1


def test_the_deputy_it_was_assigned_to_sees_it_without_the_voters_openid(site, page, log_in, make_user, township,
                                                                        console_app):
    make_user("dep_own", "deputy", township["deputy"])
    log_in(page, site, "dep_own")
    response = page.goto(f"{site}/console/tickets/{township['number']}")
    assert response.status == 200
    assert OPINION in page.content() and VOTER not in page.content()
    assert page.locator("a:text('操作记录')").count() == 0
    assert page.goto(f"{site}/console/audit").status == 403
    assert not _audit(console_app, action="voter.view_personal")


def test_staff_see_the_list_and_open_the_voters_ticket(site, page, log_in, make_user, township, console_app, shot):
    make_user("clerk2", "staff")
    log_in(page, site, "clerk2")
    page.click("nav >> text=工单")
    page.wait_for_selector("table.list")
    row = page.locator("table.list tbody tr", has_text=township["number"])
    assert row.count() == 1 and "路灯" in row.inner_text()
    shot(page, "tickets")
    # Filtering (htmx swaps the results in place; the URL follows).
    page.fill("input[name=q]", "没有这句话")
    page.click("button:text('筛选')")
    page.wait_for_selector("text=没有符合条件的工单")
    assert "q=" in page.url
    page.fill("input[name=q]", "路灯")
    page.click("button:text('筛选')")
    page.wait_for_selector(f"text={township['number']}")
    page.click(f"a:text('{township['number']}')")
    page.wait_for_selector("text=办理经过")
    assert OPINION in page.locator(".quote").inner_text()
    assert page.locator("#voter-openid").inner_text() == VOTER
    assert "收到意见" in page.locator(".timeline").inner_text()
    assert page.locator("text=推送").count() >= 1
    shot(page, "ticket")
    number = township["number"]
    assert ("clerk2", "ticket.view", number) in _audit(console_app, action="ticket.view")
    assert ("clerk2", "voter.view_personal", number) in _audit(console_app, action="voter.view_personal")


def test_admin_reads_the_audit_log(site, page, log_in, make_user, shot):
    make_user("boss", "admin")
    log_in(page, site, "boss")
    page.click("nav >> text=操作记录")
    page.wait_for_selector("table.list")
    assert "登录" in page.locator("table.list").inner_text()
    page.select_option("select[name=action]", "user.create")
    page.click("button:text('筛选')")
    page.wait_for_load_state()
    assert "user.create" in page.url and "创建账号" in page.locator("table.list").inner_text()
    shot(page, "audit")


def test_a_form_without_the_csrf_token_is_refused(site, page, log_in, make_user):
    make_user("clerk3", "staff")
    page.goto(f"{site}/console/login")
    page.fill("#username", "clerk3")
    page.fill("#password", "correct horse battery")
    page.evaluate("document.querySelector('input[name=csrf_token]').remove()")
    with page.expect_navigation() as nav:
        page.click("button[type=submit]")
    assert nav.value.status == 400
    assert "请求无效" in page.locator("h1").inner_text()
    # Logged in, logging out without the token is refused as well.
    log_in(page, site, "clerk3")
    response = page.request.post(f"{site}/console/logout", form={"x": "1"})
    assert response.status == 400
    assert page.goto(f"{site}/console/").status == 200  # still logged in


def test_security_headers_name_no_external_origin(site, page):
    response = page.goto(f"{site}/console/login")
    headers = response.headers
    csp = headers["content-security-policy"]
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip())
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert not re.search(r"https?:|\*|//|unsafe-inline|unsafe-eval", csp), csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    cookie = next(c for c in page.context.cookies() if c["name"] == "liaison_console")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    # The webhook answers as before: no console headers there.
    plain = page.request.get(f"{site}/healthz")
    assert plain.status == 200 and "content-security-policy" not in plain.headers
