"""The station's paperwork through Debian's chromium: a clerk opens a voter's
ticket and downloads its registration form (登记表) as Word, then exports the
filtered ticket list as Excel; a deputy's export holds only their tickets."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from bot.models import Deputy

pytestmark = pytest.mark.slow

OPINION = "村口的路灯坏了三个月了，晚上出门看不见路，请尽快修好"


def _docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def _xlsx_numbers(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(data))["工单"].iter_rows(values_only=True))
    return [r[0] for r in rows[1:]]


def test_a_clerk_downloads_the_registration_form_of_a_ticket(site, page, log_in, make_user, township, console_app,
                                                            shot, tmp_path):
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    number = township["number"]
    page.goto(f"{site}/console/tickets")
    page.click(f"a:text('{number}')")
    page.wait_for_url(f"**/console/tickets/{number}")
    button = page.locator("#form-docx")
    assert button.inner_text() == "登记表 (.docx)"
    shot(page, "forms-ticket-button")
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == f"登记表-{number}.docx"
    saved = tmp_path / "form.docx"
    download.save_as(saved)
    text = _docx_text(saved.read_bytes())
    with console_app.extensions["liaison"].Session() as session:
        deputy = session.scalar(select(Deputy.name).where(Deputy.code == township["deputy"]))
    assert "闭会期间代表建议、批评和意见登记表" in text
    assert number in text and OPINION in text and deputy in text


def test_the_excel_export_keeps_the_filters_the_clerk_chose(site, page, log_in, make_user, township, shot, tmp_path):
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    page.goto(f"{site}/console/tickets")
    page.fill("input[name=q]", "路灯")
    with page.expect_response(lambda r: "/console/tickets?" in r.url):
        page.click("form.filters button[type=submit]")
    link = page.locator("#export-xlsx")
    assert "q=" in link.get_attribute("href")
    shot(page, "forms-list-export")
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / "list.xlsx"
    info.value.save_as(saved)
    assert info.value.suggested_filename.endswith(".xlsx")
    assert _xlsx_numbers(saved.read_bytes()) == [township["number"]]


def test_a_deputys_export_holds_only_their_own_tickets(site, page, log_in, make_user, township, tmp_path):
    make_user("other", "deputy", township["other_deputy"])
    log_in(page, site, "other")
    page.goto(f"{site}/console/tickets")
    assert page.locator("#export-xlsx").count() == 0  # nothing of theirs: no empty file to download
    response = page.request.get(f"{site}/console/tickets/export.xlsx")
    assert response.ok and _xlsx_numbers(response.body()) == []
    assert page.request.get(f"{site}/console/tickets/{township['number']}/form.docx").status == 404
