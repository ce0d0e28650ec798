"""The service functions the console's desk calls: desk.take (the deputy's
WeChat moves for a clerk or a deputy account), reassigning, internal notes and
staff merges."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot.models import Deputy, OutboundPush, TicketEvent, Voter
from bot.services import answers
from bot.services.station import Station
from bot.services.tickets import assignment, board, desk, duplicates, records, triage
from bot.services.tickets.classify import classify
from bot.services.tickets.records import open_ticket

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
STATION = Station(offices=("水务站", "村镇建设办"))


def _ticket(db, openid="oDEMO_voter_03_01", text="村口路灯坏了三个月没人修"):
    voter = db.scalar(select(Voter).where(Voter.openid == openid))
    return open_ticket(db, voter=voter, text=text, classification=classify(text),
                       assignment=assignment.choose(db, voter), now=NOW)


def _pushes(db, ticket, kind):
    return list(db.scalars(select(OutboundPush).where(OutboundPush.ticket_id == ticket.id,
                                                      OutboundPush.kind == kind)))


def test_a_clerk_replies_and_resolves_for_the_tickets_deputy(demo, db):
    t = _ticket(db)
    refused = desk.take(db, t, "reply", "已联系", NOW, STATION, deputy=None, actor="staff:clerk")
    assert not refused.moved and "还没有受理" in refused.outcome.reply
    assert desk.take(db, t, "accept", "", NOW, STATION, deputy=None, actor="staff:clerk").moved
    done = desk.take(db, t, "reply", "已联系电工", NOW, STATION, deputy=None, actor="staff:clerk")
    assert done.moved and done.outcome.push_ids
    [push] = _pushes(db, t, "voter_replied")
    assert push.recipient_openid == t.voter.openid
    assert t.deputy.name in push.payload["text"] and "已联系电工" in push.payload["text"]
    desk.take(db, t, "resolve", "路灯已修好", NOW, STATION, deputy=None, actor="staff:clerk")
    assert t.status == "resolved" and "评价" in _pushes(db, t, "voter_resolved")[0].payload["text"]
    actors = {e.actor for e in db.scalars(select(TicketEvent).where(TicketEvent.ticket_id == t.id,
                                                                    TicketEvent.kind != "created"))}
    assert "staff:clerk" in actors


def test_a_deputy_account_moves_as_on_wechat_and_an_unknown_office_is_refused(demo, db):
    t = _ticket(db)
    me = t.deputy
    desk.take(db, t, "accept", "", NOW, STATION, deputy=me, actor=f"deputy:{me.id}")
    bad = desk.take(db, t, "transfer", "不存在的办", NOW, STATION, deputy=me, actor=f"deputy:{me.id}")
    assert not bad.moved and "水务站" in bad.outcome.reply and t.status == "accepted"
    assert desk.take(db, t, "transfer", "水务站", NOW, STATION, deputy=me, actor=f"deputy:{me.id}").moved
    assert (t.status, t.office) == ("transferred", "水务站")
    empty = desk.take(db, t, "reply", "  ", NOW, STATION, deputy=me, actor=f"deputy:{me.id}")
    assert not empty.moved and "请填写" in empty.outcome.reply


def test_a_clerk_cannot_move_a_ticket_nobody_holds(demo, db):
    t = _ticket(db)
    t.deputy_id = None
    db.flush()
    db.refresh(t, ["deputy"])
    result = desk.take(db, t, "accept", "", NOW, STATION, deputy=None, actor="staff:clerk")
    assert not result.moved and "还没有分派" in result.outcome.reply


def test_reassigning_a_new_ticket_tells_the_new_deputy(demo, db):
    t = _ticket(db)
    before = t.deputy
    other = next(code for code, _ in board.assignable(db) if code != before.code)
    other = db.scalar(select(Deputy).where(Deputy.code == other))
    with pytest.raises(triage.TriageError):  # the CLI's queue-only rule is unchanged
        triage.assign(db, t, other.code, "clerk", NOW)
    with pytest.raises(triage.TriageError, match="已经分派给"):
        triage.assign(db, t, before.code, "clerk", NOW, reassign=True)
    push = triage.assign(db, t, other.code, "clerk", NOW, reassign=True)
    assert t.deputy_id == other.id and push is not None and push.recipient_openid == other.openid


def test_an_internal_note_is_an_event_and_never_in_what_voters_or_deputies_read(demo, db):
    t = _ticket(db)
    records.note(db, t, "staff:clerk", NOW, "这是内部备注：电工下周三到")
    assert db.scalar(select(TicketEvent).where(TicketEvent.ticket_id == t.id, TicketEvent.kind == "note")).actor \
        == "staff:clerk"
    assert not any("电工下周三" in str(p.payload) for p in db.scalars(select(OutboundPush)))
    assert "电工下周三" not in answers.progress(db, t.voter)
    assert "电工下周三" not in desk.my_tickets(db, t.deputy)
    with pytest.raises(ValueError):
        records.note(db, t, "staff:clerk", NOW, "  ")


def test_a_staff_merge_links_the_duplicate_and_refuses_chains(demo, db):
    first = _ticket(db)
    second = _ticket(db, openid="oDEMO_voter_03_02", text="路灯坏了好久了")
    with pytest.raises(duplicates.MergeError):
        duplicates.merge(db, second, second, "clerk", NOW)
    duplicates.merge(db, second, first, "clerk", NOW)
    assert (second.status, second.duplicate_of_id) == ("merged", first.id)
    assert duplicates.linked(db, first) == [second]
    third = _ticket(db, openid="oDEMO_voter_03_03", text="路灯")
    with pytest.raises(duplicates.MergeError):  # first now has a duplicate: it cannot go under another
        duplicates.merge(db, first, third, "clerk", NOW)
    with pytest.raises(duplicates.MergeError):  # nor onto a ticket that is itself merged
        duplicates.merge(db, third, second, "clerk", NOW)
