"""The duty roster (值班安排): which deputies receive voters at a reception.

Every active deputy belongs to one site's pool: the site they are stationed
at; else the site of the village their township constituency lies in; else
the station. A site receives voters 12 times a year and each reception takes
n = max(rule.duty_count, ceil(pool / 12)) deputies in turn, so in every year
each deputy in the pool is on duty at least once (十个一: 接待选民 at least
once a year). Staff swaps are stored on the reception and win.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Deputy, Mandate, Site, Village

RECEPTIONS_PER_YEAR = 12


@dataclass(frozen=True)
class OnDuty:
    id: int
    name: str
    openid: str | None
    reachable: bool  # Deputy.reachable: reminded on WeChat

    @classmethod
    def of(cls, d: Deputy) -> OnDuty:
        return cls(d.id, d.name, d.openid, d.reachable)


def pools(session: Session) -> dict[int, list[OnDuty]]:
    """Site id -> the deputies who take turns there, by deputy id."""
    sites = session.scalars(select(Site).order_by(Site.id)).all()
    if not sites:
        return {}
    station = next((s.id for s in sites if s.kind == "station"), sites[0].id)
    village_site = dict(session.execute(
        select(Mandate.deputy_id, Village.site_id)
        .join(Village, Village.constituency_id == Mandate.constituency_id)
        .where(Mandate.level == "township", Village.site_id.is_not(None))).all())
    out: dict[int, list[OnDuty]] = {s.id: [] for s in sites}
    for d in session.scalars(select(Deputy).where(Deputy.active.is_(True)).order_by(Deputy.id)):
        site = d.site_id or village_site.get(d.id) or station
        out.setdefault(site, []).append(OnDuty.of(d))
    return out


def per_reception(pool_size: int, duty_count: int) -> int:
    return max(duty_count, math.ceil(pool_size / RECEPTIONS_PER_YEAR)) if pool_size else 0


def rotation(pool: list[OnDuty], month: int, duty_count: int) -> list[OnDuty]:
    """The deputies on duty at the site's reception of this month (1-12)."""
    n = min(per_reception(len(pool), duty_count), len(pool))
    start = (month - 1) * n
    return [pool[(start + j) % len(pool)] for j in range(n)]
