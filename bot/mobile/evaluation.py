"""The deputy's own self-assessment (自评) of the year on their phone: a grade,
an optional score and a few lines, through services/duty/evaluation.assess
(the same call staff use on the deputy's behalf), audited. Beside it, what
the deputy may see of their own year: the poll's counts (once it is closed,
from 5 ballots up). The year is this one or the last (in January last year's
self-assessment is still due): by default the open or latest poll's year."""
from __future__ import annotations

from typing import Any

from flask import g, redirect, render_template, request, url_for

from ..extensions import current
from ..services.accounts import audit
from ..services.calendar.local_time import BEIJING
from ..services.duty import evaluation, poll
from ..services.duty.activities import DutyError
from . import session
from .views import address, db


def _years() -> tuple[int, int]:
    """The years a deputy may fill: this one and the last (Beijing)."""
    this = current().now().astimezone(BEIJING).year
    return this, this - 1


def _year() -> int:
    years = _years()
    raw = (request.values.get("year") or "").strip()
    if raw.isdigit() and int(raw) in years:
        return int(raw)
    held = poll.default_year(db())
    return held if held in years else years[0]


def page() -> Any:
    s, deputy, year = db(), g.deputy, _year()
    found = evaluation.row(s, deputy, year)
    tally = poll.results(s, year, [deputy])[0]
    return render_template("mobile/evaluation.html", year=year, years=_years(), found=found, tally=tally,
                           grades=list(evaluation.GRADE_POINTS), message=session.said())


def save() -> Any:
    ext, s, deputy, year = current(), db(), g.deputy, _year()
    back = redirect(url_for("mobile.evaluation", year=year))
    now = ext.now()
    try:
        evaluation.assess(s, deputy, year, "self", score=request.form.get("score", "")[:8],
                          grade=request.form.get("grade", "")[:8], text=request.form.get("text", "")[:2000],
                          by=f"deputy:{deputy.code}", now=now)
    except DutyError as exc:
        s.rollback()
        session.say("error", str(exc))
        return back
    audit.record(s, actor=f"deputy:{deputy.id}", action="duty.evaluate_self", target=f"{deputy.code} {year}年度",
                 detail="代表手机页面", address=address(), now=now)
    s.commit()
    session.say("ok", f"{year}年度自评已保存，可以随时修改")
    return back
