"""Voters' words are sealed at rest: a copy of the database shows none of them,
the app reads them back, staff still find tickets by their words, a new key
reads what the old one sealed, and `liaison db reseal` moves everything onto
the newest key (old plaintext rows included)."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session

from bot.cli import main
from bot.cli.context import State
from bot.models import AuditEvent, Base, InboundMessage, OutboundPush, Ticket, TicketEvent, TicketTerm
from bot.models.base import NoCipher
from bot.services.roster.demo import seed
from console_kit import add_user, csrf_token, log_in
from lifecycle_kit import VOTER, build, deputy_of, number_in
from wechat_user import Phone

OLD = "o" * 40
NEW = "n" * 40
SAME_VILLAGE = "oDEMO_voter_12_04"  # 上丰村, like VOTER, another family
WORDS = "张家湾路口的自来水管爆了三天没人修"
PLACE = "上丰村东头老槐树下"
REPLY = "已联系水厂抢修完毕"
NOTE = "王大爷家电话打不通，下周再上门"


def raw(app) -> str:
    """Every value of every table, read with a plain engine that holds no key."""
    engine = create_engine(app.config["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return "\n".join(str(row) for t in Base.metadata.sorted_tables
                             for row in conn.execute(text(f"SELECT * FROM {t.name}")))
    finally:
        engine.dispose()


def township(app):
    ext = app.extensions["liaison"]
    with ext.Session() as session:
        seed(session, 7)
        session.commit()
    return ext


def reseal(app, *args):
    done = app.test_cli_runner().invoke(main, ["db", "reseal", *args], obj=State(app=app))
    assert done.exit_code == 0, done.output
    return done.output


def search(app, words: str) -> str:
    return log_in(app, "clerk").get("/console/tickets", query_string={"q": words}).get_data(as_text=True)


def test_a_database_copy_shows_none_of_a_voters_words_which_the_app_reads_back(make_app):
    app = build(make_app)
    ext = township(app)
    voter = Phone(app, VOTER)
    number = number_in(voter.says(WORDS).text)
    voter.location("28.1", "120.3", PLACE)  # within the burst: the ticket's place
    ext.clock.value += 60
    with ext.Session() as s:
        desk = Phone(app, deputy_of(s, VOTER).openid)
    desk.says(f"受理 {number}")
    assert "已办结" in desk.says(f"办结 {number} {REPLY}").text
    add_user(app)
    clerk = log_in(app, "clerk")
    noted = clerk.post(f"/console/tickets/{number}/note", data={"text": NOTE, "csrf_token": csrf_token(
        clerk, f"/console/tickets/{number}")})
    assert noted.status_code == 302
    ext.queue.drain(app)

    dump = raw(app)
    assert number in dump  # the rows are there...
    for secret in (WORDS, "自来水", PLACE, "老槐树", REPLY, "水厂", NOTE):
        assert secret not in dump, secret  # ...nor any words: ticket, events, messages, pushes, audit log
    assert "v1:" in dump

    with ext.Session() as s:
        t = s.scalar(select(Ticket).where(Ticket.number == number))
        assert t.text == WORDS and PLACE in t.place
        assert {REPLY, NOTE} <= {e.note for e in t.events}
        # The audit log keeps how long the note was, not its words (the ticket's history has them).
        assert s.scalar(select(AuditEvent.detail).where(AuditEvent.action == "ticket.note")) == f"文字 {len(NOTE)} 字"
        assert WORDS in s.scalars(select(InboundMessage.content)).all()
        assert any(WORDS in p.payload["text"] for p in s.scalars(select(OutboundPush)))
        assert s.scalar(select(InboundMessage.extra).where(InboundMessage.msg_type == "location"))["Label"] == PLACE


def test_staff_find_a_ticket_by_a_word_of_its_sealed_text_and_not_by_an_absent_one(make_app):
    app = build(make_app)
    township(app)
    number = number_in(Phone(app, VOTER).says(WORDS).text)
    add_user(app)
    assert number in search(app, "自来水管")
    assert number in search(app, "水")  # one character
    assert number in search(app, "自来水 管")  # spaces do not matter
    assert number not in search(app, "路灯")
    assert number not in search(app, "水自来")  # every pair is in the text, the phrase is not
    assert number in search(app, number[-6:])  # numbers are not sealed: found as before


def test_the_same_problem_from_two_neighbours_is_still_merged(make_app):
    app = build(make_app, BURST_SECONDS=0)
    ext = township(app)
    first = number_in(Phone(app, VOTER).says("村里自来水停了三天了").text)
    ext.clock.value += 3600
    answer = Phone(app, SAME_VILLAGE).says("村里自来水也停了好几天了").text
    assert f"同村已有群众反映了类似问题（{first}）" in answer
    with ext.Session() as s:
        assert s.scalar(select(Ticket.status).where(Ticket.number == number_in(answer))) == "merged"
    assert "自来水" not in raw(app)


def test_a_new_key_reads_what_the_old_one_sealed_and_reseal_moves_it_to_the_new_one(make_app):
    before = build(make_app, SECRET_KEY=OLD)
    township(before)
    number = number_in(Phone(before, VOTER).says(WORDS).text)
    sealed_before = raw(before)

    rotated = build(make_app, SECRET_KEY=f"{NEW},{OLD}")
    with rotated.extensions["liaison"].Session() as s:
        assert s.scalar(select(Ticket.text).where(Ticket.number == number)) == WORDS
    add_user(rotated)
    assert number in search(rotated, "自来水")  # its index is still under the old key

    out = reseal(rotated)
    assert "tickets.text：重新加密 1 条，共 1 条" in out and "检索索引：已重建 1 件工单" in out
    assert "重新加密 0 条" not in out.split("tickets.text")[1].splitlines()[0]
    assert raw(rotated) != sealed_before and WORDS not in raw(rotated)

    new_only = build(make_app, SECRET_KEY=NEW)  # the old secret dropped
    with new_only.extensions["liaison"].Session() as s:
        t = s.scalar(select(Ticket).where(Ticket.number == number))
        assert t.text == WORDS and all(e.note is not None for e in t.events)
        assert all(p.payload["text"] for p in s.scalars(select(OutboundPush)))
    assert number in search(new_only, "自来水")
    again = reseal(new_only)
    assert "重新加密 1" not in again and "tickets.text：重新加密 0 条，共 1 条" in again


def test_rows_written_before_sealing_read_as_they_are_are_found_and_get_sealed(make_app):
    app = build(make_app)
    ext = township(app)
    number = number_in(Phone(app, VOTER).says("路灯坏了").text)
    engine = create_engine(app.config["DATABASE_URL"])  # as an older version left them: plaintext, no index
    with engine.begin() as conn:
        conn.execute(text("UPDATE tickets SET text = :t"), {"t": WORDS})
        conn.execute(text("UPDATE ticket_events SET note = 'v1:旧的备注'"))  # looks sealed, is not
        conn.execute(text("UPDATE outbound_pushes SET payload = :p"), {"p": '{"text": "旧推送：自来水", "title": ""}'})
        conn.execute(text("DELETE FROM ticket_terms"))
    engine.dispose()

    with ext.Session() as s:
        t = s.scalar(select(Ticket).where(Ticket.number == number))
        assert t.text == WORDS and {e.note for e in t.events} == {"v1:旧的备注"}
        assert s.scalar(select(OutboundPush.payload))["text"] == "旧推送：自来水"
    add_user(app)
    assert number in search(app, "自来水")  # not indexed yet, still found
    assert number not in search(app, "路灯")

    out = reseal(app, "--batch", "1")
    assert "tickets.text：重新加密 1 条" in out and "outbound_pushes.payload：重新加密" in out
    assert WORDS not in raw(app) and "旧推送" not in raw(app) and "旧的备注" not in raw(app)
    with ext.Session() as s:
        assert s.scalar(select(Ticket.text).where(Ticket.number == number)) == WORDS
        assert s.scalar(select(OutboundPush.payload))["text"] == "旧推送：自来水"
        assert s.scalar(select(TicketTerm.ticket_id).limit(1)) is not None
    assert number in search(app, "自来水")


def test_an_engine_without_the_keys_refuses_to_store_plaintext(app, demo):
    engine = create_engine(app.config["DATABASE_URL"])
    with Session(engine) as s, pytest.raises(StatementError) as refused:
        s.add(InboundMessage(dedupe_key="k1", openid="o", msg_type="text", content=WORDS))
        s.flush()
    engine.dispose()
    assert isinstance(refused.value.orig, NoCipher)
    assert WORDS not in raw(app)


def test_sql_cannot_compare_sealed_text():
    """Every seal differs (a fresh nonce): an equality or LIKE would silently find nothing."""
    for clause in (lambda: Ticket.text == WORDS, lambda: Ticket.text.contains("水"),
                   lambda: TicketEvent.note.like("%x%")):
        with pytest.raises(TypeError, match="sealed"):
            clause()
    assert Ticket.place.is_(None) is not None
