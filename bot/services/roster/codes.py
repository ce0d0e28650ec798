"""Issued QR codes. A scene binds only if staff issued it and have not revoked
it: sites and groups get a random scene key (printed on their posters, kept so
a poster can be printed again); a deputy's private card gets a random token
that is shown once, when the card is printed, and kept only as its SHA-256.
Scanning a card never binds at once: it leaves a request for staff to confirm
(services/accounts/bindings.py), and a card is used up by its confirmation."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...models import Deputy, DeputyBinding, IssuedQr
from .. import texts

PUBLIC_KINDS = ("site", "group")


def scene_for(kind: str, key: str) -> str:
    return f"{kind}:{key}"


def token_hash(token: str) -> str:
    """Tokens are 128 random bits, so a plain SHA-256 is enough: nothing to brute-force."""
    return hashlib.sha256(token.encode()).hexdigest()


def live(session: Session, kind: str, target_id: int) -> IssuedQr | None:
    """The target's current code: issued, neither revoked nor used."""
    return session.scalar(select(IssuedQr).where(
        IssuedQr.kind == kind, IssuedQr.target_id == target_id, IssuedQr.revoked_at.is_(None),
        IssuedQr.used_at.is_(None)).order_by(IssuedQr.id.desc()))


def revoke(session: Session, kind: str, target_id: int, now: datetime) -> int:
    """Stop every live code of the target; how many there were."""
    rows = session.scalars(select(IssuedQr).where(
        IssuedQr.kind == kind, IssuedQr.target_id == target_id, IssuedQr.revoked_at.is_(None),
        IssuedQr.used_at.is_(None))).all()
    for row in rows:
        row.revoked_at = now
    session.flush()
    return len(rows)


def issue(session: Session, kind: str, target_id: int, now: datetime, by: str) -> IssuedQr:
    """A new public code for a site or group; the old one stops working."""
    if kind not in PUBLIC_KINDS:
        raise ValueError(f"not a public QR kind: {kind}")
    revoke(session, kind, target_id, now)
    row = IssuedQr(kind=kind, target_id=target_id, scene_key=secrets.token_urlsafe(12),
                   issued_at=now, issued_by=by[:64])
    session.add(row)
    session.flush()
    return row


def ensure(session: Session, kind: str, target_id: int, now: datetime, by: str) -> IssuedQr:
    """The live public code of a site or group, issued on first need (printing its poster)."""
    return live(session, kind, target_id) or issue(session, kind, target_id, now, by)


def find(session: Session, kind: str, key: str) -> IssuedQr | None:
    """The issued public code behind a scanned scene, live or revoked; None if never issued."""
    if kind not in PUBLIC_KINDS or not key:
        return None
    return session.scalar(select(IssuedQr).where(IssuedQr.kind == kind, IssuedQr.scene_key == key))


def issue_card(session: Session, deputy: Deputy, now: datetime, by: str) -> str:
    """A new private binding card for the deputy; earlier unused cards stop
    working. Returns the token: print it now, it is not kept."""
    revoke(session, "deputy", deputy.id, now)
    token = secrets.token_urlsafe(16)
    session.add(IssuedQr(kind="deputy", target_id=deputy.id, key_hash=token_hash(token),
                         issued_at=now, issued_by=by[:64]))
    session.flush()
    return token


def request_binding(session: Session, openid: str, token: str, now: datetime) -> tuple[str, str]:
    """A deputy card was scanned: record who asked to become which deputy, for
    staff to confirm. Returns (kind, reply). Nobody is bound here."""
    card = session.scalar(select(IssuedQr).where(IssuedQr.kind == "deputy",
                                                 IssuedQr.key_hash == token_hash(token))) if token else None
    if card is None:
        return "unknown", texts.UNKNOWN_SCENE
    if card.used_at is not None:
        return "used", texts.DEPUTY_CARD_USED
    deputy = session.get(Deputy, card.target_id)
    if card.revoked_at is not None or deputy is None or not deputy.active:
        return "revoked", texts.DEPUTY_CARD_REVOKED
    if deputy.openid == openid:
        return "deputy", texts.DEPUTY_BOUND.format(deputy=deputy.name)
    waiting = session.scalar(select(DeputyBinding).where(
        DeputyBinding.card_id == card.id, DeputyBinding.openid == openid, DeputyBinding.status == "pending"))
    if waiting is None:
        session.add(DeputyBinding(deputy_id=deputy.id, openid=openid, card_id=card.id, status="pending",
                                  requested_at=now))
        session.flush()
    return "pending", texts.DEPUTY_BIND_PENDING
