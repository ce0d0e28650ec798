"""Binding by parametric QR scene: group:<code>, site:<code>, deputy:<token>."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Deputy, Site, Voter, VoterGroup
from . import texts
from .voters import deputy_by_openid, ensure_voter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BindResult:
    kind: str  # group, site, deputy, none, unknown
    changed: bool
    reply: str


def scene_for(kind: str, key: str) -> str:
    return f"{kind}:{key}"


def bind(session: Session, openid: str, scene: str | None, now: datetime) -> BindResult:
    """Apply a subscribe/scan scene. Rescanning the same code changes nothing."""
    kind, _, key = (scene or "").partition(":")
    deputy = deputy_by_openid(session, openid)
    if deputy is not None:  # a deputy who follows again gets pushes again
        deputy.subscribed = True
    if not scene:
        ensure_voter(session, openid, now).subscribed = True
        return BindResult("none", False, texts.WELCOME)
    if kind == "group":
        return _bind_group(session, openid, key, now)
    if kind == "site":
        return _bind_site(session, openid, key, now)
    if kind == "deputy":
        return _bind_deputy(session, openid, key)
    log.info("unknown QR scene kind %r", kind[:20])
    ensure_voter(session, openid, now).subscribed = True
    return BindResult("unknown", False, texts.UNKNOWN_SCENE)


def _bind_group(session: Session, openid: str, code: str, now: datetime) -> BindResult:
    group = session.scalar(select(VoterGroup).where(VoterGroup.code == code))
    voter = ensure_voter(session, openid, now)
    voter.subscribed = True
    if group is None:
        return BindResult("unknown", False, texts.UNKNOWN_SCENE)
    changed = voter.group_id != group.id or voter.site_id != group.site_id
    if changed:
        voter.group_id = group.id
        voter.site_id = group.site_id
        voter.bound_at = now
    site = session.get(Site, group.site_id) if group.site_id else None
    reply = texts.WELCOME_GROUP.format(deputy=group.deputy.name, site=site.name if site else "联络站")
    return BindResult("group", changed, reply)


def _bind_site(session: Session, openid: str, code: str, now: datetime) -> BindResult:
    site = session.scalar(select(Site).where(Site.code == code))
    voter = ensure_voter(session, openid, now)
    voter.subscribed = True
    if site is None:
        return BindResult("unknown", False, texts.UNKNOWN_SCENE)
    changed = voter.site_id != site.id
    if changed:
        voter.site_id = site.id
        voter.bound_at = voter.bound_at or now
    return BindResult("site", changed, texts.WELCOME_SITE.format(site=site.name, day=site.reception_day))


def _bind_deputy(session: Session, openid: str, token: str) -> BindResult:
    deputy = session.scalar(select(Deputy).where(Deputy.bind_token == token)) if token else None
    if deputy is None:
        return BindResult("unknown", False, texts.UNKNOWN_SCENE)
    changed = deputy.openid != openid
    if changed:
        other = deputy_by_openid(session, openid)
        if other is not None:  # one WeChat account speaks for one deputy
            other.openid = None
            session.flush()
        log.info("deputy %s bound a WeChat account", deputy.code)
        deputy.openid = openid
    deputy.subscribed = True
    return BindResult("deputy", changed, texts.DEPUTY_BOUND.format(deputy=deputy.name))


def unsubscribe(session: Session, openid: str) -> None:
    """Keep all history; only stop pushes."""
    for row in session.scalars(select(Voter).where(Voter.openid == openid)):
        row.subscribed = False
    deputy = deputy_by_openid(session, openid)
    if deputy is not None:
        deputy.subscribed = False
