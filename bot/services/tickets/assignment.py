"""Who gets a voter's opinion, under "3+10".

1. The deputy of the voter's fixed-voter group, if reachable (Deputy.reachable:
   in office, bound to WeChat and following us).
2. Else a deputy stationed at the voter's site (the group's site, the voter's
   own site, or their village's), the one with the fewest open tickets.
3. Else the staff triage queue.

Never the deputy who sent it: a deputy who is also a voter (in their own
group, or at their own site) does not handle their own opinion.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from ...models import OPEN_STATUSES, Deputy, Ticket, Voter


@dataclass(frozen=True)
class Assignment:
    deputy: Deputy | None
    reason: str  # group, site, triage
    site_id: int | None


def choose(session: Session, voter: Voter) -> Assignment:
    site_id = voter.home_site_id
    own = voter.group.deputy if voter.group is not None else None
    if own is not None and own.reachable and not _is_sender(own, voter):
        return Assignment(own, "group", site_id)
    if site_id is not None:
        deputy = _least_loaded_on_site(session, site_id, exclude_openid=voter.openid)
        if deputy is not None:
            return Assignment(deputy, "site", site_id)
    return Assignment(None, "triage", site_id)


def _is_sender(deputy: Deputy, voter: Voter) -> bool:
    return bool(voter.openid) and deputy.openid == voter.openid


def _least_loaded_on_site(session: Session, site_id: int, exclude_openid: str | None = None) -> Deputy | None:
    load = (
        select(Ticket.deputy_id, func.count(Ticket.id).label("n"))
        .where(Ticket.status.in_(OPEN_STATUSES))
        .group_by(Ticket.deputy_id)
        .subquery()
    )
    query = (
        select(Deputy)
        .outerjoin(load, load.c.deputy_id == Deputy.id)
        .where(Deputy.site_id == site_id, Deputy.reachable)
        .where(Deputy.openid != exclude_openid if exclude_openid else true())
        .order_by(func.coalesce(load.c.n, 0), Deputy.id)
        .limit(1)
    )
    return session.scalar(query)
