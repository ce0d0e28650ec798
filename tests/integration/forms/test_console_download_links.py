"""The list page's Excel link carries only the list's own filters (a query
string is not url_for's arguments), and downloads with personal data in them
are never kept by the browser."""
from __future__ import annotations

import re

import pytest

from console_kit import add_user, log_in


@pytest.mark.parametrize("query", ["_method=POST", "_external=1", "_anchor=x&_scheme=https&status=new"])
def test_the_excel_link_takes_only_the_filters_from_the_query_string(township, query):
    add_user(township.app, "clerk")
    clerk = log_in(township.app, "clerk")
    res = clerk.get(f"/console/tickets?{query}")
    assert res.status_code == 200
    link = re.search(r'id="export-xlsx" href="([^"]+)"', res.get_data(as_text=True)).group(1)
    assert link.startswith("/console/tickets/export.xlsx")
    assert "_" not in link.partition("?")[2] and "#" not in link


def test_the_excel_link_keeps_every_filter_the_list_reads(township):
    add_user(township.app, "clerk")
    clerk = log_in(township.app, "clerk")
    page = clerk.get("/console/tickets?status=new&urgent=0&overdue=0&since=2020-01-01&until=2099-01-01&page=1"
                     "&other=1").get_data(as_text=True)
    link = re.search(r'id="export-xlsx" href="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert link == "/console/tickets/export.xlsx?status=new&since=2020-01-01&until=2099-01-01&urgent=0&overdue=0"


def test_a_tickets_form_download_is_never_stored(township):
    add_user(township.app, "clerk")
    clerk = log_in(township.app, "clerk")
    got = clerk.get(f"/console/tickets/{township.handled}/form.docx")
    assert got.status_code == 200 and got.headers["Cache-Control"] == "no-store"
    assert clerk.get("/console/tickets/export.xlsx").headers["Cache-Control"] == "no-store"
