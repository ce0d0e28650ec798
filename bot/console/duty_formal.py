"""The ticket page's one duty-record action: staff mark a suggestion a deputy
escalated to the county as formal (it then counts as item 9 of "十个一"), or
take that back. Admin and staff only; audited; one service call."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for

from ..extensions import current
from ..services.accounts import Forbidden, access, audit
from ..services.duty.activities import DutyError
from ..services.duty.formal import audit_fields, mark
from .auth import client_address, db, ticket_or_404, user


def act(number: str) -> Any:
    me, s, ext = user(), db(), current()
    try:
        access.require(me, "admin", "staff")
    except Forbidden as exc:
        abort(403, description=str(exc))
    found = ticket_or_404(number)
    back = redirect(url_for("console.ticket", number=found.number))
    try:
        done = mark(s, found.number, formal=request.form.get("formal") == "yes")
    except DutyError as exc:
        s.rollback()
        flash(str(exc), "error")
        return back
    if done.changed:
        audit.record(s, actor=me.username, address=client_address(), now=ext.now(), **audit_fields(done))
    s.commit()  # nothing is pushed: no outcome to enqueue
    if not done.changed:
        flash("没有改动：原本就是这样", "ok")
    else:
        flash(f"已认定为正式建议，计入{'、'.join(done.deputies)}的“建议批评和意见”" if done.formal
              else "已取消正式建议认定，不再计入“建议批评和意见”", "ok")
    return back
