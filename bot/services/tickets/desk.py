"""The deputy's desk: commands a deputy sends from WeChat, the rules of who
may act on which ticket, and what each command does.

    受理 123 | 办理 123 <progress> | 回复 123 <text> | 回复全部 123 <text> | 转办 123 <office>
    上报 123 <reason> | 办结 123 <result> | 办结全部 123 <result> | 退回 123 <reason> | 我的工单 | 帮助

Forgiving about spaces, full-width characters and the number form (123 or
2026-000123). A deputy may act only on tickets assigned to them or escalated
to them, and never on a confidential one; anything else gets the same answer
as a number that does not exist (no probing), audited outside the ticket.

A reply, progress or result reaches the ticket's own voter; voters whose
reports were merged into it hear only that there is news (or that it is
resolved, with the rating request), unless the deputy sends "回复全部" or
"办结全部": the words may hold the first voter's address or family matters.
"""
from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, NamedTuple

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ...models import OPEN_STATUSES, ContactLink, Deputy, Ticket, TicketEvent, TicketStatus
from ...nlp.confidential import NAMES_DEPUTY
from .. import texts
from ..accounts import audit
from ..calendar.local_time import BEIJING
from ..duty import sources as duty_sources
from ..outcome import Outcome
from ..roster.voters import display_name, village_name
from ..station import Station
from . import confidential, duplicates
from .lifecycle import WAITING, WORKING, allowed, deputy_openid, move, release_duplicates, to_people, to_voter
from .records import by_number, record

log = logging.getLogger(__name__)

VERBS = ("受理", "办理", "回复", "转办", "上报", "办结", "退回")
REPLY_ALL = "回复全部"  # a reply sent word for word to the voters of merged reports too
RESOLVE_ALL = "办结全部"  # the same for a result
TO_ALL = (REPLY_ALL, RESOLVE_ALL)
ACTIONS = {"受理": "accept", "办理": "progress", "回复": "reply", "转办": "transfer", "上报": "escalate",
           "办结": "resolve", "退回": "return", REPLY_ALL: "reply", RESOLVE_ALL: "resolve"}
NEEDS_TEXT = {"办理", "回复", "转办", "上报", "办结", "退回", REPLY_ALL, RESOLVE_ALL}
LISTS = ("我的工单", "帮助")
_COMMAND = re.compile(r"^(回复全部|办结全部|受理|办理|回复|转办|上报|办结|退回)\s*[:：]?\s*(?:(\d{4})\s*-\s*)?(\d{1,6})(?!\d)"
                      r"\s*[:：,，。]?\s*(.*)$", re.S)
_TRAILING = "。.！!，,；; "


@dataclass(frozen=True)
class Command:
    verb: str
    year: int | None = None
    seq: int | None = None
    arg: str = ""

    @property
    def label(self) -> str:
        return f"{self.year}-{self.seq:06d}" if self.year else str(self.seq)


class _Move(NamedTuple):
    """What a command did, and what the voter(s) hear of it: the event and the words for one ticket.
    `moved` is False when the command was refused and the ticket left as it was."""
    outcome: Outcome
    event: TicketEvent | None = None
    say: Callable[[Ticket], str] | None = None
    moved: bool = True


class Result(NamedTuple):
    """A move taken from the console: the outcome to commit, and whether the ticket moved
    (if not, `outcome.reply` says why, in Chinese)."""
    outcome: Outcome
    moved: bool


_WIDE = {**{0xFF10 + i: str(i) for i in range(10)}, 0x3000: " ", 0xFF0D: "-",
         **{ord(c): "-" for c in "‐‑‒–—―−"}}


def normalize(text: str) -> str:
    """Full-width digits and spaces to ASCII, dashes unified, spaces collapsed;
    the rest (Chinese punctuation in a reply) is kept as the deputy wrote it."""
    text = unicodedata.normalize("NFC", text or "").translate(_WIDE)
    return re.sub(r"\s+", " ", text).strip().rstrip(_TRAILING)


def parse(text: str) -> Command | None:
    """The command in a message, or None if it is not a deputy command at all.
    A command word with a malformed rest gives Command(verb) (usage help)."""
    t = normalize(text)
    compact = t.replace(" ", "")
    if compact in LISTS:
        return Command(compact)
    if not t.startswith(VERBS):
        return None
    found = _COMMAND.match(t)
    if not found:
        compact = t.replace(" ", "")
        return Command(next((v for v in TO_ALL if compact.startswith(v)), t[:2]))
    verb, year, seq, arg = found.groups()
    return Command(verb, int(year) if year else None, int(seq), arg.strip())


def may_act(deputy: Deputy, ticket: Ticket) -> bool:
    if ticket.confidential:  # the staff's alone, whoever it once went to
        return False
    return ticket.deputy_id == deputy.id or (ticket.escalated_to_id is not None
                                             and ticket.escalated_to_id == deputy.id)


def find(session: Session, deputy: Deputy, cmd: Command) -> Ticket | None:
    if cmd.year:
        return by_number(session, cmd.label)
    candidates = session.scalars(select(Ticket).where(Ticket.number.like(f"%-{cmd.seq:06d}"))
                                 .order_by(Ticket.id.desc())).all()
    mine = [t for t in candidates if may_act(deputy, t)]
    return (mine or list(candidates) or [None])[0]


def act(session: Session, deputy: Deputy, cmd: Command, now: datetime, station: Station) -> Outcome:
    if cmd.verb == "帮助":
        return Outcome(texts.DEPUTY_HELP)
    if cmd.verb == "我的工单":
        return Outcome(my_tickets(session, deputy))
    if cmd.seq is None or (cmd.verb in NEEDS_TEXT and not cmd.arg):
        return Outcome(texts.DEPUTY_USAGE.format(usage=texts.DEPUTY_USAGES[cmd.verb]))
    ticket = find(session, deputy, cmd)
    if ticket is not None:
        # Lock the row: two people acting on one ticket at once see each other's move.
        session.refresh(ticket, with_for_update=True)
    if ticket is None or not may_act(deputy, ticket):
        return _refuse(session, deputy, cmd, ticket, now)
    return _apply(session, deputy, ticket, cmd, now, station, _actor(deputy)).outcome


def _refuse(session: Session, deputy: Deputy, cmd: Command, ticket: Ticket | None, now: datetime) -> Outcome:
    """The same answer whether the number does not exist or is not theirs, so
    numbers cannot be probed. A refusal is audited in the audit log, never on
    the ticket: its own history is not for the deputy who probed it."""
    log.warning("deputy %s refused: %s %s, %s", deputy.code, cmd.verb, cmd.label,
                "no such ticket" if ticket is None else "not assigned or escalated to them")
    if ticket is not None:
        audit.record(session, actor=f"deputy:{deputy.id}", action="ticket.denied", target=ticket.number,
                     detail=f"代表微信指令“{cmd.verb}”：不是分派或上报给该代表的工单", now=now)
    return Outcome(texts.DEPUTY_NO_SUCH_TICKET.format(number=cmd.label))


def take(session: Session, ticket: Ticket, action: str, arg: str, now: datetime, station: Station, *,
         deputy: Deputy | None, actor: str) -> Result:
    """The console's way to a deputy's move (accept, reply, transfer, escalate,
    resolve): the same rules, events and pushes as the WeChat command. `deputy`
    is the deputy acting; None for station staff, who act for whoever holds the
    ticket now (the upper deputy it went to, else its own deputy). `actor` is
    recorded on the events ("deputy:7", "staff:clerk")."""
    verb = next(v for v, a in ACTIONS.items() if a == action)
    session.refresh(ticket, with_for_update=True)
    if deputy is None:
        deputy = ticket.escalated_to or ticket.deputy
        if deputy is None:
            return Result(Outcome(texts.CONSOLE_NO_DEPUTY.format(number=ticket.number), ticket.id), False)
    arg = normalize(arg)
    if action in {ACTIONS[v] for v in NEEDS_TEXT} and not arg:
        return Result(Outcome(texts.CONSOLE_NEEDS_TEXT.format(verb=verb), ticket.id), False)
    cmd = Command(verb, seq=int(ticket.number.rsplit("-", 1)[-1]), arg=arg)
    return _apply(session, deputy, ticket, cmd, now, station, actor)


def _apply(session: Session, deputy: Deputy, ticket: Ticket, cmd: Command, now: datetime, station: Station,
           actor: str) -> Result:
    action = ACTIONS[cmd.verb]
    if not allowed(ticket, action):
        if ticket.status in WAITING and allowed(ticket, "accept"):
            return Result(Outcome(texts.DEPUTY_ACCEPT_FIRST.format(number=ticket.number, short=cmd.seq),
                                  ticket.id), False)
        return Result(Outcome(texts.DEPUTY_BAD_STATE.format(
            number=ticket.number, verb=cmd.verb, status=texts.STATUS_NAMES.get(ticket.status, ticket.status)),
            ticket.id), False)
    done, event, say, moved = _DO[action](session, deputy, ticket, cmd, now, station, actor)
    done.ticket_id = ticket.id
    if moved and event is not None:  # the deputy's duty record (履职档案), once per ticket and move
        duty_sources.ticket_moved(session, deputy, ticket, action, now, actor)
    if event is not None and say is not None:
        if action in WORDS_FOR_ONE and cmd.verb not in TO_ALL:
            n = _tell_voters(session, ticket, action, done, event, say, now,
                             others=_news(deputy, ticket, action, station))
            first_only = {"reply": texts.DEPUTY_REPLIED_FIRST_ONLY, "resolve": texts.DEPUTY_RESOLVED_FIRST_ONLY}
            if n and action in first_only:
                done.reply = first_only[action].format(number=ticket.number, n=n, short=cmd.seq, total=n + 1)
        else:
            n = _tell_voters(session, ticket, action, done, event, say, now)
            if n and cmd.verb in TO_ALL:
                done.reply = (texts.DEPUTY_REPLIED_ALL if cmd.verb == REPLY_ALL
                              else texts.DEPUTY_RESOLVED_ALL).format(number=ticket.number, n=n)
    return Result(done, moved)


# Moves whose words the deputy writes for the first voter: those merged in hear only that there is
# news, or that it is resolved (and are asked to rate it).
WORDS_FOR_ONE = frozenset({"reply", "progress", "resolve"})


def _news(deputy: Deputy, primary: Ticket, action: str, station: Station) -> Callable[[Ticket], str]:
    if action == "resolve":
        return lambda t: texts.VOTER_LINKED_RESOLVED.format(number=t.number, deputy=deputy.name,
                                                            days=station.reopen_days)
    status = texts.STATUS_NAMES.get(primary.status, primary.status)
    return lambda t: texts.VOTER_LINKED_NEWS.format(number=t.number, deputy=deputy.name, status=status)


def _tell_voters(session: Session, ticket: Ticket, action: str, done: Outcome, event: TicketEvent,
                 say: Callable[[Ticket], str], now: datetime,
                 others: Callable[[Ticket], str] | None = None) -> int:
    """The voter, and every voter whose duplicate is linked to this ticket: one
    handling closes all, each voter told in their own ticket's words (`others`
    for them when given). Returns how many linked voters there were."""
    done.add_pushes([to_voter(session, ticket, event, say(ticket), now)])
    rows = duplicates.linked(session, ticket)
    for other in rows:
        note = event.note if others is None else f"见 {ticket.number}"
        if action == "resolve":
            theirs = move(session, other, "resolve_linked", event.actor, now, note)
            other.resolved_at = now
        else:
            theirs = record(session, other, event.kind, event.actor, now, note)
            session.flush()
        done.add_pushes([to_voter(session, other, theirs, (others or say)(other), now)])
    return len(rows)


def _actor(deputy: Deputy) -> str:
    return f"deputy:{deputy.id}"


def _accept(session, deputy, ticket, cmd, now, station, actor) -> _Move:
    event = move(session, ticket, "accept", actor, now, deputy.name)
    ticket.accepted_at = now
    return _Move(Outcome(texts.DEPUTY_ACCEPTED.format(number=ticket.number, short=cmd.seq)), event,
                 say=lambda t: texts.VOTER_ACCEPTED.format(number=t.number, deputy=deputy.name))


def _progress(session, deputy, ticket, cmd, now, station, actor) -> _Move:
    """"办理 123 已约水务站明天来看": the matter is being worked on; the voter hears how."""
    event = move(session, ticket, "progress", actor, now, cmd.arg)
    return _Move(Outcome(texts.DEPUTY_PROGRESS.format(number=ticket.number)), event,
                 say=lambda t: texts.VOTER_PROGRESS.format(number=t.number, deputy=deputy.name, text=cmd.arg))


def _reply(session, deputy, ticket, cmd, now, station, actor) -> _Move:
    event = move(session, ticket, "reply", actor, now, cmd.arg)
    return _Move(Outcome(texts.DEPUTY_REPLIED.format(number=ticket.number)), event,
                 say=lambda t: texts.VOTER_REPLIED.format(number=t.number, deputy=deputy.name, text=cmd.arg))


def match_office(offices: tuple[str, ...], name: str) -> str | None:
    """The configured office a deputy means: exact, or the one office whose name contains theirs."""
    name = name.strip()
    if name in offices:
        return name
    close = [o for o in offices if name and (name in o or o in name)]
    return close[0] if len(close) == 1 else None


def _transfer(session, deputy, ticket, cmd, now, station, actor) -> _Move:
    office = match_office(station.offices, cmd.arg)
    if office is None:
        return _Move(Outcome(texts.DEPUTY_UNKNOWN_OFFICE.format(office=cmd.arg, offices="、".join(station.offices))),
                     moved=False)
    ticket.office = office
    event = move(session, ticket, "transfer", actor, now, office)
    return _Move(Outcome(texts.DEPUTY_TRANSFERRED.format(number=ticket.number, office=office)), event,
                 say=lambda t: texts.VOTER_TRANSFERRED.format(number=t.number, office=office, deputy=deputy.name))


def upper_deputy(session: Session, layer: str, lower_id: int) -> Deputy | None:
    """The deputy who contacts `lower_id` under "3+10" (county for a township
    deputy, city for a county one) and can be reached (Deputy.reachable). An
    unreachable one does not count: nobody would hear."""
    return session.scalar(select(Deputy).join(ContactLink, ContactLink.from_deputy_id == Deputy.id)
                          .where(ContactLink.layer == layer, ContactLink.to_deputy_id == lower_id, Deputy.reachable)
                          .order_by(ContactLink.id).limit(1))


def escalations(ticket: Ticket) -> int:
    """How many times the ticket went up since it was last returned to triage."""
    n = 0
    for e in ticket.events:
        n = 0 if e.kind == "returned" else n + (e.kind == "escalated")
    return n


def _escalate(session, deputy, ticket, cmd, now, station, actor) -> _Move:
    ups = escalations(ticket)  # not ticket.level: that stays "city" after a return
    if ups >= 2:
        return _Move(Outcome(texts.DEPUTY_TOP.format(number=ticket.number)), moved=False)
    if ups == 0 and ticket.deputy_id == deputy.id:
        layer, body, offices = "county_township", "county", station.county_office_openids
    elif ups == 1 and ticket.escalated_to_id == deputy.id:
        layer, body, offices = "city_county", "city", station.city_office_openids
    else:  # it went up from this level already: never twice at the same level
        return _Move(Outcome(texts.DEPUTY_BAD_STATE.format(number=ticket.number, verb=cmd.verb,
                                                           status=texts.STATUS_NAMES[TicketStatus.ESCALATED])),
                     moved=False)
    upper = upper_deputy(session, layer, deputy.id)
    named = confidential.naming(ticket, [upper])
    if named:  # a complaint about the deputy it would go up to: the staff's alone
        pushes = confidential.withdraw(session, ticket, now, station, (NAMES_DEPUTY,), actor=actor,
                                       tell_deputies=False, named=named)
        log.info("ticket %s: escalation kept from the upper deputy it names; now confidential", ticket.number)
        return _Move(Outcome(texts.DEPUTY_TAKEN_OVER.format(number=ticket.number)).add_pushes(pushes))
    body_name = texts.BODY_NAMES[body]
    staff = () if upper or offices else tuple(station.staff_openids)
    if not (upper or offices or staff):
        log.error("ticket %s: %s refused, nobody can receive it (no reachable upper deputy, no "
                  "LIAISON_%s_OFFICE_OPENIDS, no LIAISON_STAFF_OPENIDS)", ticket.number, cmd.verb, body.upper())
        return _Move(Outcome(texts.DEPUTY_ESCALATE_NOBODY.format(number=ticket.number, body=body_name)),
                     moved=False)
    if not offices:
        log.error("ticket %s escalated to the %s People's Congress: no office WeChat configured "
                  "(LIAISON_%s_OFFICE_OPENIDS)%s", ticket.number, body, body.upper(),
                  "" if upper else ": sent to the station staff to forward")
    ticket.level = body
    ticket.escalated_to_id = upper.id if upper is not None else None
    who = f"{'、' + upper.name if upper else ''}{'（交工作人员转报）' if staff else ''}"
    event = move(session, ticket, "escalate", actor, now, f"{body_name}{who}：{cmd.arg}")
    village = village_name(ticket.village)
    text = texts.DEPUTY_ESCALATED_IN.format(number=ticket.number, category=ticket.category, village=village,
                                            who=display_name(ticket.voter.name), text=ticket.text,
                                            reason=cmd.arg, deputy=deputy.name)
    if staff:
        text += texts.STAFF_FORWARD_ESCALATION.format(body=body_name)
    if upper:
        reply = texts.DEPUTY_ESCALATED.format(number=ticket.number, body=body_name, upper=upper.name)
        out = _Move(Outcome(reply), event,
                    say=lambda t: texts.VOTER_ESCALATED.format(number=t.number, body=body_name, upper=upper.name))
    elif offices:
        out = _Move(Outcome(texts.DEPUTY_NO_UPPER.format(number=ticket.number, body=body_name)), event,
                    say=lambda t: texts.VOTER_ESCALATED_BODY.format(number=t.number, body=body_name))
    else:
        out = _Move(Outcome(texts.DEPUTY_ESCALATED_STAFF.format(number=ticket.number, body=body_name)), event,
                    say=lambda t: texts.VOTER_ESCALATED_STAFF.format(number=t.number, body=body_name))
    out.outcome.add_pushes(to_people(session, ticket, event, [deputy_openid(upper), *offices, *staff],
                                     "ticket_escalated", text, texts.DEPUTY_ESCALATED_IN_TITLE, now))
    return out


def _resolve(session, deputy, ticket, cmd, now, station, actor) -> _Move:
    event = move(session, ticket, "resolve", actor, now, cmd.arg)
    ticket.resolved_at = now
    return _Move(Outcome(texts.DEPUTY_RESOLVED.format(number=ticket.number)), event,
                 say=lambda t: texts.VOTER_RESOLVED.format(number=t.number, result=cmd.arg, days=station.reopen_days))


def _return(session, deputy, ticket, cmd, now, station, actor) -> _Move:
    event = move(session, ticket, "return", actor, now, cmd.arg)
    ticket.deputy_id, ticket.needs_triage, ticket.accepted_at = None, True, None
    ticket.escalated_to_id = None  # the county deputy it went up to loses access with it
    village = village_name(ticket.village)
    text = texts.STAFF_RETURNED.format(number=ticket.number, category=ticket.category, village=village,
                                       text=ticket.text, reason=cmd.arg, deputy=deputy.name)
    if not station.staff_openids:
        log.error("ticket %s returned to triage: no staff WeChat configured (LIAISON_STAFF_OPENIDS)", ticket.number)
    out = Outcome(texts.DEPUTY_RETURNED.format(number=ticket.number))
    out.add_pushes(to_people(session, ticket, event, list(station.staff_openids), "ticket_returned", text,
                             texts.STAFF_RETURNED_TITLE, now))
    out.add_pushes(release_duplicates(session, ticket, actor, now))
    return _Move(out)  # the staff and the released duplicates' voters are told above


_DO = {"accept": _accept, "progress": _progress, "reply": _reply, "transfer": _transfer, "escalate": _escalate, "resolve": _resolve,
       "return": _return}


def my_tickets(session: Session, deputy: Deputy, limit: int = 20) -> str:
    """Open tickets assigned or escalated to the deputy, oldest first; never a confidential one."""
    rows = session.scalars(select(Ticket).where(
        or_(Ticket.deputy_id == deputy.id, Ticket.escalated_to_id == deputy.id), Ticket.confidential.is_(False),
        Ticket.status.in_(OPEN_STATUSES)).order_by(Ticket.created_at, Ticket.id)).all()
    if not rows:
        return texts.DEPUTY_MINE_NONE
    lines = [texts.DEPUTY_MINE_HEAD.format(count=len(rows))]
    for t in rows[:limit]:
        when = t.created_at.astimezone(BEIJING)
        short = t.text if len(t.text) <= 12 else t.text[:12] + "…"
        line = texts.DEPUTY_MINE_LINE.format(number=t.number, when=f"{when.month}月{when.day}日", text=short,
                                             status=texts.STATUS_NAMES.get(t.status, t.status))
        n = duplicates.count_linked(session, t)
        lines.append(line + (texts.DEPUTY_MINE_DUPLICATES.format(n=n) if n else ""))
    if len(rows) > limit:
        lines.append(texts.DEPUTY_MINE_MORE.format(count=len(rows) - limit))
    return "\n".join(lines)


__all__ = ["WORKING", "Command", "Result", "act", "find", "may_act", "my_tickets", "normalize", "parse", "take"]
