"""Erasing a voter at their request (PIPL art. 47): their name, phone, openid
and words go everywhere (tickets, messages, pushes, events, media files, the
audit log's details, what they added to a neighbour's ticket theirs was merged
into, their deputy-card requests); the tickets stay as counts. The voter row keeps a stable pseudonym in place of the
openid, so the counts by voter still work and a second erase finds it again."""
from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, func, or_, select, true, update
from sqlalchemy.orm import Session

from ...keys import KeyRing
from ...models import BroadcastDelivery, ContactWindow, DeputyBinding, InboundMessage, OutboundPush, Voter
from .. import texts
from ..accounts import audit
from ..roster import phones as phone_rules
from ..roster.phones import PhoneBox
from . import scrub

PREFIX = "erased-"


class NotFound(LookupError):
    """No voter matches; the message is for staff (Chinese)."""


@dataclass
class Erased:
    voter_id: int
    pseudonym: str
    already: bool = False
    counts: Counter[str] = field(default_factory=Counter)


def pseudonym(ring: KeyRing, openid: str) -> str:
    """The stand-in for an openid, under the newest key (keyed: not reversible by trying openids)."""
    return pseudonyms(ring, openid)[0]


def pseudonyms(ring: KeyRing, openid: str) -> list[str]:
    """Under every key of the ring, newest first, to find a voter erased before a rotation."""
    return [PREFIX + hmac.new(key, openid.encode(), hashlib.sha256).hexdigest()[:24]
            for key in ring.keys("voter-pseudonym")]


def is_erased(voter: Voter) -> bool:
    return bool(voter.openid and voter.openid.startswith(PREFIX))


def find(session: Session, ring: KeyRing, box: PhoneBox, *, who: str | None = None,
         phone: str | None = None) -> Voter:
    """The voter by openid (or, erased already, its pseudonym), roster code, or phone."""
    if phone is not None:
        return _by_phone(session, box, phone)
    who = (who or "").strip()
    if not who:
        raise NotFound("请给出选民的 openid、名册编号或 --phone 手机号")
    voter = session.scalar(select(Voter).where(Voter.openid == who))
    if voter is None:
        voter = session.scalar(select(Voter).where(Voter.openid.in_(pseudonyms(ring, who))))
    if voter is None:
        voter = session.scalar(select(Voter).where(Voter.code == who))
    if voter is None:
        raise NotFound(f"没有找到选民 {who}")
    return voter


def _by_phone(session: Session, box: PhoneBox, raw: str) -> Voter:
    phone = phone_rules.normalise(raw)
    if not phone_rules.valid(phone):
        raise NotFound("手机号格式不对")
    found = [v for v in session.scalars(select(Voter).where(Voter.phone_tail.in_(box.tails(phone))))
             if box.open(v.phone_enc) == phone]
    if not found:
        raise NotFound("没有找到使用这个手机号的选民")
    if len(found) > 1:  # a family sharing one phone: erasing all of them would be wrong
        refs = "、".join(v.code or v.openid or f"#{v.id}" for v in found)
        raise NotFound(f"有 {len(found)} 位选民使用这个手机号（{refs}），请用 openid 或名册编号指明一位")
    return found[0]


def erase(session: Session, voter: Voter, *, ring: KeyRing, instance_path: str, by: str,
          now: datetime) -> Erased:
    """Overwrite everything held about the voter; idempotent (a second run finds nothing left)."""
    already = is_erased(voter)
    openid = voter.openid
    alias = openid if already or not openid else pseudonym(ring, openid)
    if not alias:  # a roster-only voter never seen on WeChat
        alias = PREFIX + f"roster-{voter.id}"
    done = Erased(voter.id, alias, already)
    ticket_ids = scrub.ticket_ids_of(session, voter.id)
    done.counts.update(scrub.tickets(session, ticket_ids, texts.ERASED, instance_path, now))
    done.counts.update(scrub.words_elsewhere(session, voter.id, ticket_ids, texts.ERASED, instance_path))
    if openid and not already:
        done.counts.update(_openid_rows(session, openid, alias, ticket_ids, now))
    voter.openid, voter.name, voter.code = alias, None, None
    voter.phone_enc = voter.phone_tail = None
    voter.subscribed = False
    session.flush()
    audit.record(session, actor=by, action="privacy.erase", target=f"voter:{voter.id}",
                 detail=f"{alias}；" + "，".join(f"{k} {v}" for k, v in sorted(done.counts.items()))
                 + ("（此前已删除）" if already else ""), now=now)
    return done


def _openid_rows(session: Session, openid: str, alias: str, ticket_ids: list[int], now: datetime) -> Counter[str]:
    """Rows keyed by the openid: the voter's own messages and the pushes to them
    (those about their tickets were overwritten with the tickets: not counted twice)."""
    done: Counter[str] = Counter()
    mine = InboundMessage.openid == openid
    done["messages"] += session.execute(
        update(InboundMessage).where(mine, _outside(InboundMessage.ticket_id, ticket_ids))
        .values(content=scrub.marked(InboundMessage.content, texts.ERASED),
                reply=scrub.marked(InboundMessage.reply, texts.ERASED), extra={})).rowcount
    # The keys hold the openid too ("openid:MsgId", "ticket:7:voter_replied:openid").
    session.execute(update(InboundMessage).where(mine).values(
        openid=alias, dedupe_key=func.replace(InboundMessage.dedupe_key, openid, alias)))
    to_them = OutboundPush.recipient_openid == openid
    done["pushes"] += scrub.pushes(session, to_them & _outside(OutboundPush.ticket_id, ticket_ids), texts.ERASED)
    session.execute(update(OutboundPush).where(to_them).values(
        recipient_openid=alias, dedupe_key=func.replace(OutboundPush.dedupe_key, openid, alias)))
    session.execute(update(BroadcastDelivery).where(BroadcastDelivery.openid == openid,
                                                    BroadcastDelivery.status == "pending")
                    .values(status="skipped", reason="erased"))
    session.execute(update(BroadcastDelivery).where(BroadcastDelivery.openid == openid).values(openid=alias))
    session.execute(delete(ContactWindow).where(ContactWindow.openid == openid))
    # Scanning a deputy's card left a binding request with the openid: kept as history, under the
    # alias; one still waiting is refused (confirming it would make the alias a deputy).
    session.execute(update(DeputyBinding).where(DeputyBinding.openid == openid, DeputyBinding.status == "pending")
                    .values(status="rejected", decided_at=now, decided_by="privacy.erase"))
    session.execute(update(DeputyBinding).where(DeputyBinding.openid == openid).values(openid=alias))
    return done


def _outside(column, ids: list[int]):
    return or_(column.is_(None), column.not_in(ids)) if ids else true()
