"""What each printed QR code encodes. In production: WeChat's permanent
QR_LIMIT_STR_SCENE code for the scene, requested once and kept in qr_codes
(WeChat caps permanent codes at 100,000 per account, so never re-request).
In sandbox mode: a local stand-in that WeChat will not recognise."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Deputy, QrCode, Site, VoterGroup
from .binding import scene_for

CreateQr = Callable[[str], dict[str, Any]]  # scene -> {"ticket": ..., "url": ...}


@dataclass(frozen=True)
class Poster:
    kind: str  # site, group, deputy
    code: str
    scene: str
    site: Site | None
    group: VoterGroup | None = None
    deputy: Deputy | None = None


def content_for(session: Session, scene: str, create: CreateQr | None) -> str:
    if create is None:
        return f"liaison-sandbox:{scene}"
    row = session.scalar(select(QrCode).where(QrCode.scene == scene))
    if row is None:
        data = create(scene)
        row = QrCode(scene=scene, ticket=str(data["ticket"]), url=str(data["url"]))
        session.add(row)
        session.flush()
    return row.url


def posters(session: Session, site_codes: tuple[str, ...] = (), deputies: bool = False) -> list[Poster]:
    """One poster per site and per active fixed-voter group (groups without a site
    come after the sites, unless only some sites are asked for); with `deputies`, also
    each active deputy's private binding card (hand it to the deputy only)."""
    query = select(Site).order_by(Site.id)
    if site_codes:
        query = query.where(Site.code.in_(site_codes))
    out: list[Poster] = []
    for site in session.scalars(query):
        out.append(Poster("site", site.code, scene_for("site", site.code), site))
        for group in session.scalars(select(VoterGroup).where(VoterGroup.site_id == site.id,
                                                              VoterGroup.active.is_(True)).order_by(VoterGroup.id)):
            out.append(Poster("group", group.code, scene_for("group", group.code), site, group))
    if not site_codes:  # a group tied to no site still needs its QR (the poster has no site line)
        for group in session.scalars(select(VoterGroup).where(VoterGroup.site_id.is_(None),
                                                              VoterGroup.active.is_(True)).order_by(VoterGroup.id)):
            out.append(Poster("group", group.code, scene_for("group", group.code), None, group))
    if deputies:
        query = select(Deputy).where(Deputy.active.is_(True)).order_by(Deputy.code)
        if site_codes:
            query = query.join(Site, Deputy.site_id == Site.id).where(Site.code.in_(site_codes))
        for deputy in session.scalars(query):
            site = session.get(Site, deputy.site_id) if deputy.site_id else None
            out.append(Poster("deputy", deputy.code, scene_for("deputy", deputy.bind_token), site,
                              deputy=deputy))
    return out
