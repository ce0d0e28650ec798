"""Binding by parametric QR scene (group:<key>, site:<key>, deputy:<token>, all
issued by staff: see codes.py) and by identity claim ("绑定 张三 1234"), so
imported voters and WeChat users meet."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...models import Deputy, Site, Ticket, Voter, VoterGroup
from .. import texts
from ..reception.calendar import Calendar, beijing_today, describe, rule_for
from . import codes
from .phones import PhoneBox
from .voters import deputy_by_openid, ensure_voter

log = logging.getLogger(__name__)


class Limiter(Protocol):
    """Counts attempts per key in a window (see bot/ratelimit.py)."""

    limit: int

    def hit(self, key: str, limit: int | None = None) -> bool: ...


# Attempts per WeChat user, and (from all users together) per claimed name, per window.
PER_TARGET = 4  # times the per-user limit: one person's guesses cannot lock out the rightful owner


@dataclass(frozen=True)
class BindResult:
    kind: str  # group, site, deputy, pending, used, none, unknown, revoked, stays, claimed, refused
    changed: bool
    reply: str


def reception_line(session: Session, site: Site | None, now: datetime) -> str:
    if site is None:
        return ""
    occ = Calendar(session).next_for(site.id, beijing_today(now))
    return texts.NEXT_RECEPTION.format(date=describe(occ.date), site=site.name) if occ else ""


def bind(session: Session, openid: str, scene: str | None, now: datetime) -> BindResult:
    """Apply a subscribe/scan scene. Rescanning the same code changes nothing."""
    kind, _, key = (scene or "").partition(":")
    deputy = deputy_by_openid(session, openid)
    if deputy is not None:  # a deputy who follows again gets pushes again
        deputy.subscribed = True
    if not scene:
        ensure_voter(session, openid, now).subscribed = True
        return BindResult("none", False, texts.WELCOME)
    if kind == "deputy":
        found, reply = codes.request_binding(session, openid, key, now)
        if found != "deputy":
            log.info("deputy card scanned: %s", found)
        return BindResult(found, False, reply)
    issued = codes.find(session, kind, key)
    ensure_voter(session, openid, now).subscribed = True
    if issued is None:  # never issued: a guess, an old roster-code scene, or garbage
        log.info("QR scene not issued (kind %r)", kind[:20])
        return BindResult("unknown", False, texts.UNKNOWN_SCENE)
    if issued.revoked_at is not None:
        return BindResult("revoked", False, texts.REVOKED_SCENE)
    if kind == "group":
        return _bind_group(session, openid, issued.target_id, now)
    return _bind_site(session, openid, issued.target_id, now)


def _bind_group(session: Session, openid: str, group_id: int, now: datetime) -> BindResult:
    group = session.get(VoterGroup, group_id)
    voter = ensure_voter(session, openid, now)
    if group is None:
        return BindResult("unknown", False, texts.UNKNOWN_SCENE)
    if not group.active:
        return BindResult("revoked", False, texts.REVOKED_SCENE)
    if voter.code is not None and voter.group is not None and voter.group_id != group.id:
        # Staff put this roster voter in their group; a poster does not move them.
        return BindResult("stays", False, texts.GROUP_STAYS.format(group=voter.group.name,
                                                                   deputy=voter.group.deputy.name))
    changed = voter.group_id != group.id or voter.site_id != group.site_id
    if changed:
        voter.group_id = group.id
        voter.site_id = group.site_id
        voter.bound_at = now
    site = session.get(Site, group.site_id) if group.site_id else None
    reply = texts.WELCOME_GROUP.format(deputy=group.deputy.name, site=site.name if site else "联络站")
    return BindResult("group", changed, reply + reception_line(session, site, now))


def _bind_site(session: Session, openid: str, site_id: int, now: datetime) -> BindResult:
    site = session.get(Site, site_id)
    voter = ensure_voter(session, openid, now)
    if site is None:
        return BindResult("unknown", False, texts.UNKNOWN_SCENE)
    changed = voter.site_id != site.id
    if changed:
        voter.site_id = site.id
        voter.bound_at = voter.bound_at or now
    reply = texts.WELCOME_SITE.format(site=site.name, day=rule_for(session, site).day_of_month)
    return BindResult("site", changed, reply + reception_line(session, site, now))


def unsubscribe(session: Session, openid: str) -> None:
    """Keep all history; only stop pushes."""
    for row in session.scalars(select(Voter).where(Voter.openid == openid)):
        row.subscribed = False
    deputy = deputy_by_openid(session, openid)
    if deputy is not None:
        deputy.subscribed = False


def revoke_group(session: Session, code: str, now: datetime) -> VoterGroup | None:
    """The group's QR code stops binding; members and history stay."""
    group = session.scalar(select(VoterGroup).where(VoterGroup.code == code))
    if group is not None:
        codes.revoke(session, "group", group.id, now)
        if group.active:
            group.active, group.revoked_at = False, now
    return group


def revoke_site(session: Session, code: str, now: datetime) -> Site | None:
    """The site's QR code stops binding (a poster taken or copied); `liaison qr
    posters` then issues and prints a new one. Voters already bound stay."""
    site = session.scalar(select(Site).where(Site.code == code))
    if site is not None:
        codes.revoke(session, "site", site.id, now)
    return site


def revoke_deputy_cards(session: Session, code: str, now: datetime) -> Deputy | None:
    """The deputy's unused private cards stop working (a lost card); print a
    new one with `liaison qr posters --deputy CODE`. A binding stays."""
    deputy = session.scalar(select(Deputy).where(Deputy.code == code))
    if deputy is not None:
        codes.revoke(session, "deputy", deputy.id, now)
    return deputy


def claim(session: Session, openid: str, name: str, digits: str, now: datetime,
          box: PhoneBox, limiter: Limiter) -> BindResult:
    """"绑定 张三 1234": join this WeChat user to the roster voter with that name
    and phone ending. Every attempt counts, right or wrong, per user and per name;
    past the limit even a right one is refused. A wrong guess and a roster entry that
    is someone else's get the same answer, so the reply never confirms a guess."""
    try:
        allowed = limiter.hit(openid)
        if allowed:
            allowed = limiter.hit("claim-name:" + name, PER_TARGET * limiter.limit)
    except Exception as exc:  # no counter, no guessing: refuse rather than allow unlimited tries
        log.warning("identity claim refused, attempt counter unavailable: %s", type(exc).__name__)
        return BindResult("refused", False, texts.CLAIM_UNAVAILABLE)
    if not allowed:
        return BindResult("refused", False, texts.CLAIM_BLOCKED)
    matches = list(session.scalars(select(Voter).where(
        Voter.name == name, Voter.code.is_not(None), Voter.phone_tail.in_(box.tails(digits)))))
    target = matches[0] if len(matches) == 1 else None  # ambiguous: never guess between two people
    mine = session.scalar(select(Voter).where(Voter.openid == openid))
    if mine is not None and mine.code is not None and (target is None or target.id != mine.id):
        # Already a roster voter: the roster is staff's to change, and the answer must not
        # depend on whether the guess was right.
        log.info("identity claim by an already bound roster voter refused")
        return BindResult("refused", False, texts.CLAIM_ALREADY_BOUND.format(name=mine.name))
    if target is None or (target.openid and target.openid != openid):
        log.info("identity claim without a free unique match (%d candidates)", len(matches))
        return BindResult("refused", False, texts.CLAIM_NO_MATCH.format(name=name[:20]))
    changed = target.openid != openid
    if changed:
        _merge_into(session, openid, mine, target, now)
    joined = ""
    if target.group is not None:
        joined = texts.CLAIM_JOINED.format(deputy=target.group.deputy.name)
    site = target.group.site_id if target.group is not None else target.site_id
    line = reception_line(session, session.get(Site, site) if site else None, now)
    return BindResult("claimed", changed, texts.CLAIM_DONE.format(name=target.name, joined=joined) + line)


def _merge_into(session: Session, openid: str, stray: Voter | None, target: Voter, now: datetime) -> None:
    """The WeChat-only row of this openid (if any) folds into the roster row.
    A roster row is never folded away: claim() refuses before that."""
    if stray is not None and stray.id != target.id:
        if stray.code is not None:
            raise ValueError("a roster voter is never merged into another")
        session.execute(update(Ticket).where(Ticket.voter_id == stray.id).values(voter_id=target.id))
        target.site_id = target.site_id or stray.site_id
        target.group_id = target.group_id or stray.group_id
        session.delete(stray)
        session.flush()
    target.openid = openid
    target.subscribed = True
    target.bound_at = target.bound_at or now
    session.flush()
