"""Downloads of the station's paperwork: one ticket's registration form
(.docx) and the ticket list with the list page's filters (.xlsx).

Who gets what is the services' answer: the ticket a user may open
(access.ticket_for), the tickets a user may list (access.visible), voters'
names for the roles that see them on the ticket page. Every download is
audited, since the files leave the console."""
from __future__ import annotations

import io
from typing import Any

from flask import send_file

from ..extensions import current
from ..services.accounts import access, audit
from ..services.calendar.local_time import BEIJING
from ..services.station import Station
from ..services.tickets import form_sheet, form_word, forms
from .auth import allowed, client_address, db, ticket_or_404, user
from .pages import _filters as list_filters  # the list page's own parsing, so the file matches the page

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _reveal(me: Any) -> bool:
    """Voters' names for those the ticket page shows them to."""
    return allowed(me, "admin", "staff")


def ticket_form(number: str) -> Any:
    me, s, ext = user(), db(), current()
    now = ext.now()
    found = ticket_or_404(number)
    reveal = _reveal(me)
    data = form_word.write(forms.row(s, found, reveal=reveal), station=forms.station_name(s), now=now)
    audit.record(s, actor=me.username, action="export.ticket_form", target=found.number,
                 detail="含反映人姓名" if reveal and not forms.asked_anonymity(found) else "反映人已隐去姓名",
                 address=client_address(), now=now)
    s.commit()
    return send_file(io.BytesIO(data), mimetype=DOCX, as_attachment=True,
                     download_name=f"登记表-{found.number}.docx")


def ticket_list() -> Any:
    me, s, ext = user(), db(), current()
    now = ext.now()
    filters = list_filters()
    described = forms.summary(forms.describe(s, filters))
    station = forms.station_name(s)
    found = forms.listing(s, access.visible(me), filters, reveal=_reveal(me), now=now,
                          station=Station.from_settings(ext.settings))
    data = form_sheet.write(found, station=station, filters=described, now=now)
    audit.record(s, actor=me.username, action="export.tickets", target=f"{len(found.rows)} 件",
                 detail=f"筛选：{forms.summary(forms.describe(s, filters, quote=False))}"[:500],
                 address=client_address(), now=now)
    s.commit()
    return send_file(io.BytesIO(data), mimetype=XLSX, as_attachment=True,
                     download_name=f"意见工单-{now.astimezone(BEIJING):%Y%m%d-%H%M}.xlsx")
