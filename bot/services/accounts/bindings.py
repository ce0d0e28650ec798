"""Deputies' WeChat bindings, decided by staff. Scanning a deputy's card only
asks (services/roster/codes.py); here staff confirm or reject the request, or
revoke a binding. Whoever loses the deputy identity is told on WeChat, and
every decision is in the audit log with who made it."""
from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...models import Deputy, DeputyBinding, IssuedQr, Role, User
from .. import texts
from ..outbox import notify
from ..outcome import Outcome
from . import audit
from .errors import Forbidden, NotFound, _Refusal

log = logging.getLogger(__name__)

# Who may decide bindings in the console (the CLI is the station's own shell).
DECIDERS = (Role.ADMIN, Role.STAFF)


class BindingError(_Refusal, ValueError):
    """The request cannot be decided this way (already decided, card used...)."""

    default = "绑定操作没有完成"


def may_decide(user: User) -> None:
    if user.role not in DECIDERS:
        raise Forbidden()


def masked(openid: str | None) -> str:
    """Enough of an openid to tell two accounts apart on screen, not to reuse it."""
    return f"…{openid[-6:]}" if openid else ""


def listing(session: Session) -> dict[str, list[dict]]:
    """Pending requests (oldest first) and every deputy bound to a WeChat account."""
    pending = []
    for req in session.scalars(select(DeputyBinding).where(DeputyBinding.status == "pending")
                               .order_by(DeputyBinding.id)):
        card = session.get(IssuedQr, req.card_id) if req.card_id else None
        pending.append({"id": req.id, "deputy": req.deputy.code, "name": req.deputy.name,
                        "wechat": masked(req.openid), "requested_at": req.requested_at.isoformat(),
                        "card_issued_at": card.issued_at.isoformat() if card else None,
                        "replaces": masked(req.deputy.openid) or None})
    active = []
    for deputy in session.scalars(select(Deputy).where(Deputy.openid.is_not(None), Deputy.openid != "")
                                  .order_by(Deputy.code)):
        last = session.scalar(select(DeputyBinding).where(
            DeputyBinding.deputy_id == deputy.id, DeputyBinding.openid == deputy.openid,
            DeputyBinding.status == "confirmed").order_by(DeputyBinding.id.desc()))
        active.append({"deputy": deputy.code, "name": deputy.name, "wechat": masked(deputy.openid),
                       "since": last.decided_at.isoformat() if last and last.decided_at else None,
                       "confirmed_by": last.decided_by if last else None})
    return {"pending": pending, "active": active}


def alert_staff(session: Session, openid: str, staff_openids: tuple[str, ...], now: datetime) -> Outcome:
    """Tell staff on WeChat that this account's card scan waits for them (once per request)."""
    req = session.scalar(select(DeputyBinding).where(DeputyBinding.openid == openid,
                                                     DeputyBinding.status == "pending")
                         .order_by(DeputyBinding.id.desc()))
    if req is None:
        return Outcome()
    if not staff_openids:
        log.warning("deputy binding request %s waits; no staff WeChat configured (LIAISON_STAFF_OPENIDS)", req.id)
    text = texts.STAFF_BINDING_REQUEST.format(deputy=req.deputy.name, code=req.deputy.code, id=req.id)
    return Outcome().add_pushes([notify.queue(
        session, key=f"deputy-binding:{req.id}:staff:{staff}", openid=staff, kind="deputy_binding_request",
        text=text, title=texts.DEPUTY_BINDING_TITLE, now=now) for staff in staff_openids])


def _pending(session: Session, request_id: int) -> DeputyBinding:
    req = session.get(DeputyBinding, request_id)
    if req is None:
        raise NotFound(f"没有编号为 {request_id} 的绑定申请")
    if req.status != "pending":
        raise BindingError(f"绑定申请 {request_id} 已处理过（{STATUS_NAMES.get(req.status, req.status)}）")
    return req


STATUS_NAMES = {"pending": "待确认", "confirmed": "已确认", "rejected": "已拒绝", "superseded": "已被其他申请取代",
                "revoked": "已解除"}


def confirm(session: Session, request_id: int, by: str, now: datetime, address: str | None = None) -> Outcome:
    """Bind the requesting account to the deputy. The card is used up; other
    requests for the deputy lapse; the account that held the identity before is told."""
    req = _pending(session, request_id)
    deputy = req.deputy
    card = session.get(IssuedQr, req.card_id) if req.card_id else None
    if card is None or card.used_at is not None or card.revoked_at is not None:
        raise BindingError("这张绑定卡已使用或已作废，不能再确认；请为代表重新印卡")
    if not deputy.active:
        raise BindingError(f"代表 {deputy.code} 已不在职，不能绑定")
    other = session.scalar(select(Deputy).where(Deputy.openid == req.openid, Deputy.id != deputy.id))
    if other is not None:
        raise BindingError(f"这个微信已绑定代表 {other.code} {other.name}，请先解除那个绑定")
    previous = deputy.openid
    # Spend the card in one conditional UPDATE: of two clerks confirming at once, one wins.
    spent = session.execute(update(IssuedQr).where(IssuedQr.id == card.id, IssuedQr.used_at.is_(None),
                                                   IssuedQr.revoked_at.is_(None)).values(used_at=now)).rowcount
    if not spent:
        raise BindingError("这张绑定卡已使用或已作废，不能再确认；请为代表重新印卡")
    deputy.openid, deputy.subscribed = req.openid, True
    req.status, req.decided_at, req.decided_by = "confirmed", now, by[:64]
    for rest in session.scalars(select(DeputyBinding).where(
            DeputyBinding.deputy_id == deputy.id, DeputyBinding.status == "pending")):
        rest.status, rest.decided_at, rest.decided_by = "superseded", now, by[:64]
    session.flush()
    outcome = Outcome().add_pushes([notify.queue(
        session, key=f"deputy-binding:{req.id}:confirmed", openid=req.openid, kind="deputy_binding",
        text=texts.DEPUTY_BINDING_CONFIRMED.format(deputy=deputy.name), title=texts.DEPUTY_BINDING_TITLE, now=now)])
    moved = bool(previous) and previous != req.openid
    if moved:
        outcome.add_pushes([notify.queue(
            session, key=f"deputy-binding:{req.id}:moved", openid=previous, kind="deputy_binding",
            text=texts.DEPUTY_BINDING_MOVED.format(deputy=deputy.name), title=texts.DEPUTY_BINDING_TITLE, now=now)])
    audit.record(session, actor=by, action="deputy_binding.confirm", target=f"deputy:{deputy.code}",
                 detail=f"绑定申请 {req.id}，微信 {masked(req.openid)}"
                        + (f"，替换原微信 {masked(previous)}" if moved else ""), address=address, now=now)
    log.info("deputy %s binding confirmed (request %s)", deputy.code, req.id)
    return outcome


def reject(session: Session, request_id: int, by: str, now: datetime, address: str | None = None) -> Outcome:
    """Refuse the request; the card stays usable for the right person."""
    req = _pending(session, request_id)
    req.status, req.decided_at, req.decided_by = "rejected", now, by[:64]
    audit.record(session, actor=by, action="deputy_binding.reject", target=f"deputy:{req.deputy.code}",
                 detail=f"绑定申请 {req.id}，微信 {masked(req.openid)}", address=address, now=now)
    return Outcome().add_pushes([notify.queue(
        session, key=f"deputy-binding:{req.id}:rejected", openid=req.openid, kind="deputy_binding",
        text=texts.DEPUTY_BINDING_REJECTED, title=texts.DEPUTY_BINDING_TITLE, now=now)])


def revoke(session: Session, deputy_code: str, by: str, now: datetime, address: str | None = None) -> Outcome:
    """Unbind the deputy's WeChat account and tell it. The deputy gets no new
    work on WeChat until a new card is scanned and confirmed."""
    deputy = session.scalar(select(Deputy).where(Deputy.code == deputy_code.strip()))
    if deputy is None:
        raise NotFound(f"没有编码为 {deputy_code.strip()[:32]} 的代表")
    openid = deputy.openid
    if not openid:
        raise BindingError(f"代表 {deputy.code} 没有绑定微信")
    deputy.openid = None
    stamp = int(now.timestamp())
    for row in session.scalars(select(DeputyBinding).where(
            DeputyBinding.deputy_id == deputy.id, DeputyBinding.openid == openid,
            DeputyBinding.status == "confirmed")):
        row.status = "revoked"
    session.flush()
    audit.record(session, actor=by, action="deputy_binding.revoke", target=f"deputy:{deputy.code}",
                 detail=f"解除微信 {masked(openid)}", address=address, now=now)
    return Outcome().add_pushes([notify.queue(
        session, key=f"deputy-binding:{deputy.id}:revoked:{stamp}", openid=openid, kind="deputy_binding",
        text=texts.DEPUTY_BINDING_REVOKED.format(deputy=deputy.name), title=texts.DEPUTY_BINDING_TITLE, now=now)])
