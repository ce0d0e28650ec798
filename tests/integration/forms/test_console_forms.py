"""The downloads in the console: the form from the ticket page, the list with
the list page's filters; each the reader's own share, each audited."""
from __future__ import annotations

from sqlalchemy import select

from bot.models import AuditEvent
from console_kit import add_user, log_in
from forms_kit import FRESH, HANDLED, SECRET, docx_text, xlsx_rows


def _audit(db, action):
    db.expire_all()
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_staff_download_the_form_from_the_ticket_page_and_it_is_audited(township, db):
    add_user(township.app, "clerk")
    clerk = log_in(township.app, "clerk")
    page = clerk.get(f"/console/tickets/{township.handled}").get_data(as_text=True)
    assert f"/console/tickets/{township.handled}/form.docx" in page and "登记表 (.docx)" in page
    got = clerk.get(f"/console/tickets/{township.handled}/form.docx")
    assert got.status_code == 200 and got.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in got.headers["Content-Disposition"] and township.handled in got.headers["Content-Disposition"]
    text = docx_text(got.data)
    assert HANDLED in text and township.voter_name in text and township.deputy.name in text
    [row] = _audit(db, "export.ticket_form")
    assert (row.actor, row.target, row.detail) == ("clerk", township.handled, "含反映人姓名")


def test_a_deputy_gets_the_form_of_their_own_ticket_with_the_voter_masked_and_no_other(township, db):
    add_user(township.app, "dep", "deputy", township.deputy.code)
    dep = log_in(township.app, "dep")
    text = docx_text(dep.get(f"/console/tickets/{township.handled}/form.docx").data)
    assert HANDLED in text and township.voter_name not in text and f"{township.voter_name[0]}某" in text
    assert dep.get(f"/console/tickets/{township.fresh}/form.docx").status_code == 404
    secret = dep.get(f"/console/tickets/{township.secret}/form.docx")
    assert secret.status_code == 404 and SECRET not in secret.get_data(as_text=True)
    assert [r.target for r in _audit(db, "ticket.denied")] == [township.fresh, township.secret]


def test_the_excel_link_keeps_the_lists_filters(township, db):
    add_user(township.app, "clerk")
    clerk = log_in(township.app, "clerk")
    page = clerk.get("/console/tickets?status=new&q=%E8%87%AA%E6%9D%A5%E6%B0%B4").get_data(as_text=True)
    assert "导出 Excel" in page and "/console/tickets/export.xlsx?status=new&amp;q=%E8%87%AA%E6%9D%A5%E6%B0%B4" in page
    got = clerk.get("/console/tickets/export.xlsx?status=new&q=自来水")
    assert got.status_code == 200 and got.mimetype.endswith("spreadsheetml.sheet")
    rows = xlsx_rows(got.data)
    assert [r["编号"] for r in rows] == [township.fresh] and rows[0]["反映内容"] == FRESH
    everything = xlsx_rows(clerk.get("/console/tickets/export.xlsx").data)
    assert [r["编号"] for r in everything] == [township.secret, township.fresh, township.handled]
    assert [(r.actor, r.target) for r in _audit(db, "export.tickets")] == [("clerk", "1 件"), ("clerk", "3 件")]
    assert _audit(db, "export.tickets")[0].detail == "筛选：状态：已收到，搜索：3 字"  # the words a search may quote stay out


def test_a_deputys_excel_holds_only_their_tickets(township):
    add_user(township.app, "dep", "deputy", township.deputy.code)
    rows = xlsx_rows(log_in(township.app, "dep").get("/console/tickets/export.xlsx").data)
    assert [r["编号"] for r in rows] == [township.handled] and rows[0]["反映人"] == f"{township.voter_name[0]}某"


def test_the_county_office_exports_nothing_it_may_not_list(township):
    add_user(township.app, "county", "county")
    county = log_in(township.app, "county")
    assert xlsx_rows(county.get("/console/tickets/export.xlsx").data) == []
    assert county.get(f"/console/tickets/{township.secret}/form.docx").status_code == 404


def test_nobody_logged_out_downloads_anything(township):
    anonymous = township.app.test_client()
    for url in (f"/console/tickets/{township.handled}/form.docx", "/console/tickets/export.xlsx"):
        got = anonymous.get(url)
        assert got.status_code == 302 and "/console/login" in got.headers["Location"]
