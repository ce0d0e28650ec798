"""A voter asks to be forgotten (PIPL art. 47): after `liaison voters erase`
nothing they said, nor their name, phone or WeChat id, is left in any column
of any table or in the files; the station's statistics do not change."""
from __future__ import annotations

import json
import os
import re

import pytest
from sqlalchemy import create_engine, func, inspect, select, text

from bot.cli import main
from bot.cli.context import State
from bot.fieldseal import PREFIX, Unreadable
from bot.models import AuditEvent, Base, Ticket, TicketTerm, Voter
from bot.models.base import cipher_of
from bot.services import texts
from lifecycle_kit import VOTER, build, deputy_of, number_in, ticket
from wechat_user import Phone

NAME, MOBILE = "欧阳清漪", "13912345678"
WORDS = ("王家老宅", "就是慢了点", "36.6123", "114.4876")
PHOTO = b"\xff\xd8\xff\xe0 the pipe by the old house"


@pytest.fixture
def station(make_app, fake_wechat, tmp_path):
    """The demo township on WeChat (the fake API), in a database of its own so
    its file can be read byte by byte."""
    from bot.infra.migrate import upgrade
    from bot.services.roster.demo import seed

    url = os.environ.get("LIAISON_TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'own.db'}"
    if not url.startswith("sqlite"):
        pytest.skip("reads the SQLite file itself")
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    app = build(make_app, DATABASE_URL=url, WECHAT_APP_ID="wxtestapp", WECHAT_APP_SECRET="s3cret",
                WECHAT_TOKEN="tok0123456789abcdef", WECHAT_API_BASE=fake_wechat.base, WECHAT_TIMEOUT=2.0)
    ext = app.extensions["liaison"]
    with ext.Session() as session:
        seed(session, 7)
        voter = session.scalar(select(Voter).where(Voter.openid == VOTER))
        voter.name = NAME
        ext.phones.store(voter, MOBILE)
        session.commit()
    fake_wechat.media["MEDIA_OLD_HOUSE"] = (PHOTO, "image/jpeg")
    return app


@pytest.fixture
def db(station):
    with station.extensions["liaison"].Session() as session:
        yield session


def _history(app, db) -> str:
    """The voter reports, sends a photo and a place, the deputy answers, the voter rates."""
    ext = app.extensions["liaison"]
    voter, deputy = Phone(app, VOTER), deputy_of(db, VOTER)
    desk = Phone(app, deputy.openid)
    number = number_in(voter.says("村里自来水停了三天了，王家老宅那段管子爆了").text)
    ext.clock.value += 30
    voter.image("MEDIA_OLD_HOUSE")
    ext.clock.value += 30
    voter.location("36.6123", "114.4876", "王家老宅门口")
    voter.says("你好")
    desk.says(f"受理 {number}")
    desk.says(f"回复 {number} 已联系水务站，王家老宅明天修")
    desk.says(f"办结 {number} 已修复通水")
    voter.says("基本满意，就是慢了点")
    ext.queue.drain(app)  # pushes sent, the photo downloaded
    return number


def _every_text(db) -> list[tuple[str, str, str]]:
    """(table, column, value) of every non-empty value of every table, as text
    (sealed columns decrypted: read through the models' column types)."""
    found = []
    for table in Base.metadata.sorted_tables:
        for row in db.execute(select(table)).mappings():
            for column, value in row.items():
                if value is not None and not isinstance(value, (int, float)):
                    found.append((table.name, column, json.dumps(value, ensure_ascii=False, default=str)))
    return found


def _file_bytes(ext) -> bytes:
    path = ext.settings["DATABASE_URL"][len("sqlite:///"):]
    return b"".join(open(path + suffix, "rb").read() for suffix in ("", "-wal") if os.path.exists(path + suffix))


def _unsealed(ext, raw: bytes) -> list[str]:
    """Every sealed value found anywhere in the file's bytes (live rows, freed
    pages, the log), decrypted. A value runs into the next column's bytes in a
    SQLite record, so each is tried at every length a seal can have."""
    cipher, found = cipher_of(ext.engine.dialect), []
    for match in re.finditer(rb"v1:([A-Za-z0-9+/]{40,}={0,2})", raw):
        body = match.group(1).decode()
        for end in range(len(body) - len(body) % 4, 39, -4):
            try:
                found.append(cipher.open(PREFIX + body[:end]))
                break
            except Unreadable:
                continue
    return found


def _statistics(db) -> list[tuple]:
    return sorted(db.execute(select(Ticket.category, Ticket.status, Ticket.village_id, Ticket.deputy_id,
                                    Ticket.rating, func.count()).group_by(Ticket.category, Ticket.status,
                                    Ticket.village_id, Ticket.deputy_id, Ticket.rating)).all(), key=str)


def test_an_erased_voter_leaves_no_trace_but_the_counts(station, db):
    app, ext = station, station.extensions["liaison"]
    number = _history(app, db)
    photo = os.path.join(ext.settings["INSTANCE_PATH"], "media", str(ticket(db, number).id), "MEDIA_OLD_HOUSE.jpg")
    assert open(photo, "rb").read() == PHOTO
    secrets = (VOTER, NAME, f"{NAME[0]}某", MOBILE) + WORDS
    assert {s for s in secrets for *_, value in _every_text(db) if s in value} >= {VOTER, NAME, "王家老宅"}
    # The file holds the words sealed: the scan of its bytes below does find them once decrypted.
    assert {s for s in secrets for plain in _unsealed(ext, _file_bytes(ext)) if s in plain} >= {"王家老宅"}
    before = _statistics(db)

    out = app.test_cli_runner().invoke(main, ["voters", "erase", VOTER, "--yes", "--by", "张干事"],
                                       obj=State(app=app))
    assert out.exit_code == 0, out.output
    assert out.output.startswith("已删除选民 #") and "工单 1" in out.output

    db.expire_all()
    left = [(table, column) for table, column, value in _every_text(db) for s in secrets if s in value]
    assert left == []
    assert _statistics(db) == before
    assert not os.path.exists(photo) and not os.path.exists(os.path.dirname(photo))
    erased = ticket(db, number)
    assert erased.text == texts.ERASED and (erased.category, erased.status, erased.rating) == ("城乡建设", "rated", 3)
    # Nor in the database file itself (overwritten pages are zeroed, the write-ahead log emptied),
    # as plaintext or sealed.
    raw = _file_bytes(ext)
    assert [s for s in secrets if s.encode() in raw] == []
    assert [s for s in secrets for plain in _unsealed(ext, raw) if s in plain] == []
    # Nor in the search index: the ticket is found by the marker's words alone.
    terms = set(db.scalars(select(TicketTerm.term).where(TicketTerm.ticket_id == erased.id)))
    assert terms == cipher_of(ext.engine.dialect).terms(texts.ERASED)
    # On record: who, when and which voter, never what was erased.
    audit = db.scalar(select(AuditEvent).where(AuditEvent.action == "privacy.erase"))
    assert audit.actor == "张干事" and audit.target.startswith("voter:") and "erased-" in audit.detail


def test_erasing_twice_changes_nothing_and_an_unknown_voter_is_refused(station, db):
    app = station
    _history(app, db)
    cli = app.test_cli_runner()
    first = cli.invoke(main, ["voters", "erase", VOTER, "--yes", "--json"], obj=State(app=app))
    done = json.loads(first.output)
    assert done["already_erased"] is False and done["counts"]["tickets"] == 1
    snapshot = _every_text(db)
    again = cli.invoke(main, ["voters", "erase", VOTER, "--yes", "--json"], obj=State(app=app))
    assert json.loads(again.output)["already_erased"] is True
    assert json.loads(again.output)["pseudonym"] == done["pseudonym"]  # stable
    db.expire_all()
    assert [row for row in _every_text(db) if row[0] != "audit_events"] == \
           [row for row in snapshot if row[0] != "audit_events"]
    unknown = cli.invoke(main, ["voters", "erase", "oNOBODY_at_all", "--yes"], obj=State(app=app))
    assert unknown.exit_code == 1 and "没有找到选民 oNOBODY_at_all" in unknown.output


def test_erase_by_phone_asks_first(station, db):
    app = station
    cli = app.test_cli_runner()
    no = cli.invoke(main, ["voters", "erase", "--phone", "139 1234 5678"], input="n\n", obj=State(app=app))
    assert no.exit_code == 1 and "确定吗" in no.output
    db.expire_all()
    assert db.scalar(select(Voter.name).where(Voter.openid == VOTER)) == NAME
    yes = cli.invoke(main, ["voters", "erase", "--phone", "139 1234 5678"], input="y\n", obj=State(app=app))
    assert yes.exit_code == 0, yes.output
    db.expire_all()
    assert db.scalar(select(func.count(Voter.id)).where(Voter.name == NAME)) == 0


def test_the_database_file_is_the_service_users_alone(station):
    ext = station.extensions["liaison"]
    path = ext.settings["DATABASE_URL"][len("sqlite:///"):]
    with ext.engine.begin() as conn:  # a write, so the WAL and shared-memory files exist
        conn.execute(text("UPDATE ticket_counters SET last = last"))
    assert inspect(ext.engine).has_table("voters")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            assert os.stat(path + suffix).st_mode & 0o777 == 0o600, suffix


def test_a_saved_photo_and_the_instance_are_the_service_users_alone(station, db):
    ext = station.extensions["liaison"]
    number = _history(station, db)
    instance = ext.settings["INSTANCE_PATH"]
    folder = os.path.join(instance, "media", str(ticket(db, number).id))
    assert os.stat(os.path.join(folder, "MEDIA_OLD_HOUSE.jpg")).st_mode & 0o777 == 0o600
    for path in (instance, os.path.join(instance, "media"), folder):
        assert os.stat(path).st_mode & 0o777 == 0o700, path


def test_an_erased_ticket_no_longer_teaches_the_classifier(station, db):
    from bot.services.tickets.triage import corrections

    app = station
    cli, obj = app.test_cli_runner(), State(app=app)
    number = number_in(Phone(app, VOTER).says("村东头那个东西不太好").text)
    other = number_in(Phone(app, "oDEMO_voter_12_02").says("学校那边收费的事不太清楚").text)
    for each in (number, other):
        assert cli.invoke(main, ["triage", "correct", each, "城乡建设", "--by", "李干事"], obj=obj).exit_code == 0
    assert cli.invoke(main, ["voters", "erase", VOTER, "--yes"], obj=obj).exit_code == 0
    db.expire_all()
    # The example's words are the marker now: learning "[已按本人要求删除]" is 城乡建设 would be wrong.
    assert corrections(db) == [{"text": "学校那边收费的事不太清楚", "label": "城乡建设"}]


NEIGHBOUR = "oDEMO_voter_12_04"  # 上丰村, like VOTER, another family
ADDED = "补充一下，我家在村东头8号李秀英家"
NOTE = "电话核实过，王家老宅那段确实爆了"
OLD_AUDIT = "已回复：李秀英家门口的管子下周换"


def _console(app, number: str, action: str, **form) -> None:
    from console_kit import csrf_token, log_in

    clerk = log_in(app, "clerk")
    done = clerk.post(f"/console/tickets/{number}/{action}", data={
        **form, "confirm": "yes", "csrf_token": csrf_token(clerk, f"/console/tickets/{number}")})
    assert done.status_code == 302


def test_an_erased_voter_leaves_nothing_on_a_neighbours_ticket_a_binding_or_the_audit_log(station, db):
    from bot.services.accounts import audit
    from console_kit import add_user
    from scene_kit import card

    app, ext = station, station.extensions["liaison"]
    add_user(app)
    deputy = deputy_of(db, VOTER)
    me = Phone(app, VOTER)
    assert me.scans(card(db, deputy.code)).text == texts.DEPUTY_BIND_PENDING  # a card found on the road
    theirs = number_in(Phone(app, NEIGHBOUR).says("村里自来水停了三天了，管子爆了").text)
    ext.clock.value += 3600
    mine = number_in(me.says("自来水停了，王家老宅那段管子爆了").text)
    assert ticket(db, mine).status == "merged"  # the same burst pipe: linked to the neighbour's report
    # A photo and a place sent just after: they go on the neighbour's ticket too.
    assert theirs in me.image("MEDIA_OLD_HOUSE").text
    assert theirs in me.location("36.6123", "114.4876", "李秀英家门口").text
    _console(app, mine, "note", text=NOTE)  # the clerk's words quote the voter's
    # What the console wrote in the audit log before it kept only lengths.
    audit.record(db, actor="clerk", action="ticket.reply", target=mine, detail=OLD_AUDIT, now=ext.now())
    db.commit()
    ext.clock.value += 3600
    assert theirs in me.says(ADDED).text  # goes on the neighbour's ticket
    ext.queue.drain(app)
    secrets = (VOTER, ADDED, "李秀英", "王家老宅", "36.6123")
    db.expire_all()
    photo = os.path.join(ext.settings["INSTANCE_PATH"], "media", str(ticket(db, theirs).id), "MEDIA_OLD_HOUSE.jpg")
    with open(photo, "rb") as saved:
        assert saved.read() == PHOTO
    assert {s for s in secrets for *_, value in _every_text(db) if s in value} == set(secrets)

    out = app.test_cli_runner().invoke(main, ["voters", "erase", VOTER, "--yes"], obj=State(app=app))
    assert out.exit_code == 0, out.output

    db.expire_all()
    left = {(table, column, s) for table, column, value in _every_text(db) for s in secrets if s in value}
    assert not left, sorted(left)
    raw = _file_bytes(ext)
    assert [s for s in secrets for plain in _unsealed(ext, raw) if s in plain] == []
    assert not os.path.exists(photo)
    # The neighbour's own report is untouched; the card request can no longer be confirmed.
    assert ticket(db, theirs).text == "村里自来水停了三天了，管子爆了"
    from bot.models import DeputyBinding
    assert [(b.status, b.openid.startswith("erased-")) for b in db.scalars(select(DeputyBinding))] == \
        [("rejected", True)]
