"""What a load left behind, counted from the database and the fake WeChat
API: every message answered 200 is one ticket, every ticket's deputy got one
push. Shared by the fault test and the multi-host test (tests/hosts)."""
from __future__ import annotations

import collections
import re
import time
from dataclasses import dataclass, field

from sqlalchemy import func, select

from bot.models import Deputy, InboundMessage, OutboundPush, Ticket

CODE = re.compile(r"F\dN\d{4}")  # load.messages() puts it at the start of each text


def code_of(record: dict) -> str | None:
    """The message code a push sent to the fake API carries (text or template fields)."""
    text = (record.get("text") or {}).get("content") or ""
    if not text:
        text = " ".join(str(v.get("value", "")) for v in (record.get("data") or {}).values())
    found = CODE.search(text)
    return found.group(0) if found else None


@dataclass
class Snapshot:
    deputies: dict[int, str]  # deputy id -> openid
    stored: dict[str, int | None]  # inbound msg_id -> ticket id
    by_code: dict[str, list] = field(default_factory=dict)  # message code -> its tickets
    doubt: set[int] = field(default_factory=set)  # tickets whose push is 'sending' or 'unknown'
    outbox: dict[str, int] = field(default_factory=dict)  # push status -> count
    delivered: collections.Counter = field(default_factory=collections.Counter)  # (openid, code) -> sends


def snapshot(engine, sent: list[dict]) -> Snapshot:
    with engine.connect() as conn:
        deputies = dict(conn.execute(select(Deputy.id, Deputy.openid)).all())
        rows = conn.execute(select(InboundMessage.msg_id, InboundMessage.ticket_id)).all()
        tickets = conn.execute(select(Ticket.id, Ticket.text, Ticket.deputy_id)).all()
        doubt = set(conn.scalars(select(OutboundPush.ticket_id).where(
            OutboundPush.status.in_(("sending", "unknown")))))
        outbox = dict(conn.execute(select(OutboundPush.status, func.count()).group_by(OutboundPush.status)).all())
    by_code = collections.defaultdict(list)
    for t in tickets:
        by_code[t.text.split(" ", 1)[0]].append(t)
    return Snapshot(deputies, {str(r.msg_id): r.ticket_id for r in rows}, dict(by_code), doubt, outbox,
                    collections.Counter((s.get("touser"), code_of(s)) for s in sent))


def figures(batch: list, snap: Snapshot) -> dict[str, int]:
    """One phase's figures; `batch` is its load.Message list (codes share a prefix)."""
    prefix = batch[0].code[:2]
    acked = [m for m in batch if m.acked]
    lost = [m for m in acked if not snap.stored.get(str(m.msg_id))]
    mine = [t for m in batch for t in snap.by_code.get(m.code, [])]
    dup_tickets = sum(len(snap.by_code.get(m.code, [])) - 1 for m in batch if len(snap.by_code.get(m.code, [])) > 1)
    pushes = sum(n for (who, code), n in snap.delivered.items() if code and code.startswith(prefix))
    dup_pushes = sum(n - 1 for (who, code), n in snap.delivered.items()
                     if n > 1 and code and code.startswith(prefix))
    undelivered = [t for t in mine if t.deputy_id and not snap.delivered.get(
        (snap.deputies[t.deputy_id], t.text.split(" ", 1)[0]))]
    # A push claimed and then cut off from WeChat's answer (or its worker killed)
    # stays 'sending', then 'unknown': it may have reached WeChat, so it is never
    # resent (at most once) and staff see it. Counted apart from a loss.
    missing = sum(1 for t in undelivered if t.id not in snap.doubt)
    return dict(sent=len(batch), acknowledged=len(acked), unacknowledged=len(batch) - len(acked),
                retried=sum(m.tries > 1 for m in batch), spooled=sum(m.spooled for m in batch),
                stored=sum(1 for m in batch if snap.stored.get(str(m.msg_id))),
                tickets=len(mine), lost=len(lost), duplicated_tickets=dup_tickets, pushes=pushes,
                duplicated_pushes=dup_pushes, missing_deputy_pushes=missing,
                in_doubt=sum(1 for t in mine if t.id in snap.doubt),
                undelivered_in_doubt=len(undelivered) - missing)


def drain(engine, instance_paths: list[str], seconds: float) -> str:
    """Wait until no push is waiting, every web host's spool is empty and the
    outbox stopped changing (three looks 2 s apart). "in N s", or "NOT within"."""
    from bot.web.spool import waiting

    deadline, quiet, last = time.monotonic() + seconds, 0, None
    started = time.monotonic()
    while time.monotonic() < deadline:
        try:
            with engine.connect() as conn:
                counts = dict(conn.execute(select(OutboundPush.status, func.count())
                                           .group_by(OutboundPush.status)).all())
        except Exception:
            counts = None
        settled = counts is not None and not counts.get("pending") and counts == last
        spooled = any(waiting(path) for path in instance_paths)
        quiet = quiet + 1 if settled and not spooled else 0
        last = counts
        if quiet >= 3:
            return f"in {time.monotonic() - started:.0f} s"
        time.sleep(2)
    return f"NOT within {seconds:.0f} s"

