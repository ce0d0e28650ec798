"""What each printed QR code encodes. In production: WeChat's permanent
QR_LIMIT_STR_SCENE code for the scene, requested once and kept in qr_codes
(WeChat caps permanent codes at 100,000 per account, so never re-request).
In sandbox mode: a local stand-in that WeChat will not recognise."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Deputy, QrCode, Site, VoterGroup
from . import codes
from .codes import scene_for

CreateQr = Callable[[str], dict[str, Any]]  # scene -> {"ticket": ..., "url": ...}


@dataclass(frozen=True)
class Poster:
    kind: str  # site, group, deputy
    code: str
    scene: str
    site: Site | None
    group: VoterGroup | None = None
    deputy: Deputy | None = None


def content_for(session: Session, scene: str, create: CreateQr | None, keep: bool = True) -> str:
    """`keep=False` for a deputy's card: its scene holds the card's token, which
    is never stored (each card is a new scene, so there is nothing to reuse)."""
    if create is None:
        return f"liaison-sandbox:{scene}"
    if not keep:
        return str(create(scene)["url"])
    row = session.scalar(select(QrCode).where(QrCode.scene == scene))
    if row is None:
        data = create(scene)
        row = QrCode(scene=scene, ticket=str(data["ticket"]), url=str(data["url"]))
        session.add(row)
        session.flush()
    return row.url


def posters(session: Session, now: datetime, by: str, site_codes: tuple[str, ...] = (),
            deputies: bool = False, deputy_codes: tuple[str, ...] = ()) -> list[Poster]:
    """One poster per site and per active fixed-voter group, with its issued code
    (issued now if it has none; groups without a site come after the sites,
    unless only some sites are asked for). With `deputies` (or some `deputy_codes`,
    then only their cards), each active deputy's private binding card: a NEW card,
    which voids the deputy's earlier unused one (hand it to the deputy only)."""
    out: list[Poster] = []
    if not deputy_codes:
        query = select(Site).order_by(Site.id)
        if site_codes:
            query = query.where(Site.code.in_(site_codes))
        for site in session.scalars(query):
            out.append(Poster("site", site.code, _scene(session, "site", site.id, now, by), site))
            for group in session.scalars(select(VoterGroup).where(
                    VoterGroup.site_id == site.id, VoterGroup.active.is_(True)).order_by(VoterGroup.id)):
                out.append(Poster("group", group.code, _scene(session, "group", group.id, now, by), site, group))
        if not site_codes:  # a group tied to no site still needs its QR (the poster has no site line)
            for group in session.scalars(select(VoterGroup).where(
                    VoterGroup.site_id.is_(None), VoterGroup.active.is_(True)).order_by(VoterGroup.id)):
                out.append(Poster("group", group.code, _scene(session, "group", group.id, now, by), None, group))
    if deputies or deputy_codes:
        query = select(Deputy).where(Deputy.active.is_(True)).order_by(Deputy.code)
        if deputy_codes:
            query = query.where(Deputy.code.in_(deputy_codes))
        elif site_codes:
            query = query.join(Site, Deputy.site_id == Site.id).where(Site.code.in_(site_codes))
        for deputy in session.scalars(query):
            site = session.get(Site, deputy.site_id) if deputy.site_id else None
            token = codes.issue_card(session, deputy, now, by)
            out.append(Poster("deputy", deputy.code, scene_for("deputy", token), site, deputy=deputy))
    return out


def poster_for(session: Session, kind: str, code: str, now: datetime, by: str) -> Poster | None:
    """One site's or active group's poster, its code issued now if it has none."""
    if kind == "site":
        site = session.scalar(select(Site).where(Site.code == code))
        return Poster("site", site.code, _scene(session, "site", site.id, now, by), site) if site else None
    if kind == "group":
        group = session.scalar(select(VoterGroup).where(VoterGroup.code == code, VoterGroup.active.is_(True)))
        if group is None:
            return None
        site = session.get(Site, group.site_id) if group.site_id else None
        return Poster("group", group.code, _scene(session, "group", group.id, now, by), site, group)
    return None


def _scene(session: Session, kind: str, target_id: int, now: datetime, by: str) -> str:
    return scene_for(kind, codes.ensure(session, kind, target_id, now, by).scene_key or "")
