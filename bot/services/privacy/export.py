"""A voter's own data, for their right of access (PIPL art. 45): everything
held about them in one JSON file, written 0600 and recorded in the audit log."""
from __future__ import annotations

import json
import os
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...infra.files import open_private, private_dir
from ...models import (Broadcast, BroadcastDelivery, Deputy, InboundMessage, NaturalVillage, OutboundPush,
                       Reception, ReceptionBooking, Site, Ticket, Voter)
from ..accounts import audit
from ..roster.phones import PhoneBox


def gather(session: Session, voter: Voter, box: PhoneBox, now: datetime) -> dict[str, Any]:
    """Everything about one voter: roster fields (phone decrypted), tickets with
    their history, messages, pushes to them, broadcasts and bookings."""
    openid = voter.openid or ""
    natural = session.get(NaturalVillage, voter.natural_village_id) if voter.natural_village_id else None
    deputies = {d.id: d.name for d in session.scalars(select(Deputy))}
    return {
        "exported_at": now,
        "voter": {
            "code": voter.code, "openid": voter.openid, "name": voter.name, "phone": box.open(voter.phone_enc),
            "village": voter.village.name if voter.village else None,
            "natural_village": natural.name if natural else None,
            "group": voter.group.name if voter.group else None,
            "group_deputy": voter.group.deputy.name if voter.group else None,
            "site": voter.site.name if voter.site else None,
            "subscribed": voter.subscribed, "created_at": voter.created_at, "bound_at": voter.bound_at,
        },
        "tickets": [_ticket(t, deputies) for t in session.scalars(
            select(Ticket).where(Ticket.voter_id == voter.id).order_by(Ticket.id))],
        "messages": [{"at": m.created_at, "type": m.msg_type, "event": m.event, "content": m.content,
                      "details": m.extra, "our_reply": m.reply} for m in session.scalars(
            select(InboundMessage).where(InboundMessage.openid == openid).order_by(InboundMessage.id))]
        if openid else [],
        "pushes": [{"at": p.created_at, "kind": p.kind, "text": (p.payload or {}).get("text"),
                    "status": p.status, "sent_at": p.sent_at} for p in session.scalars(
            select(OutboundPush).where(OutboundPush.recipient_openid == openid).order_by(OutboundPush.id))]
        if openid else [],
        "broadcasts": [{"title": b.title, "text": b.text, "status": d.status, "sent_at": d.sent_at}
                       for d, b in session.execute(
            select(BroadcastDelivery, Broadcast).join(Broadcast, Broadcast.id == BroadcastDelivery.broadcast_id)
            .where(BroadcastDelivery.voter_id == voter.id).order_by(BroadcastDelivery.id))],
        "bookings": [{"site": s.name, "date": r.moved_to or r.nominal, "number": b.number, "status": b.status,
                      "booked_at": b.created_at} for b, r, s in session.execute(
            select(ReceptionBooking, Reception, Site).join(Reception, Reception.id == ReceptionBooking.reception_id)
            .join(Site, Site.id == Reception.site_id).where(ReceptionBooking.voter_id == voter.id)
            .order_by(ReceptionBooking.id))],
    }


def _ticket(t: Ticket, deputies: dict[int, str]) -> dict[str, Any]:
    return {
        "number": t.number, "category": t.category, "status": t.status, "text": t.text, "place": t.place,
        "village": t.village.name if t.village else None, "deputy": deputies.get(t.deputy_id or 0),
        "created_at": t.created_at, "resolved_at": t.resolved_at, "rating": t.rating,
        "rating_comment": t.rating_comment,
        "events": [{"at": e.created_at, "kind": e.kind, "by": _who(e.actor, deputies), "note": e.note}
                   for e in t.events],
    }


def _who(actor: str, deputies: dict[int, str]) -> str:
    kind, _, ref = (actor or "").partition(":")
    if kind == "deputy" and ref.isdigit():
        return f"代表 {deputies.get(int(ref), '')}".strip()
    return {"voter": "本人", "system": "系统"}.get(kind, actor)


def write(session: Session, voter: Voter, path: str, box: PhoneBox, *, by: str, now: datetime) -> dict[str, int]:
    """Write the voter's data to `path` (0600, its folder 0700 if new) and audit it; returns counts."""
    data = gather(session, voter, box, now)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        private_dir(folder)
    with open_private(path, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, default=_plain)
    counts = {k: len(data[k]) for k in ("tickets", "messages", "pushes", "broadcasts", "bookings")}
    # Personal data leaves the system: who, when, whose and where it went is on record.
    audit.record(session, actor=by, action="export.voter", target=f"voter:{voter.id}",
                 detail=f"{os.path.abspath(path)}；" + "，".join(f"{k} {v}" for k, v in counts.items()),
                 now=now)
    return counts


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")
