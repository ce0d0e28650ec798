"""Flat with data: every statement the webhook (and the worker delivering its
pushes) runs reads the growing tables through an index, so latency stays flat
from a thousand tickets to a million (bench/bigdata.py measures it).

The statements are not listed here: they are captured from the engine while
real signed WeChat XML goes through /wechat, so whatever the request path
comes to issue is what gets planned."""
from __future__ import annotations

from sqlalchemy import create_engine, select

from bot.models import VoterGroup
from lifecycle_kit import VOTER, build_demo, deputy_of, number_in
from plans_kit import GROWING, Statement, explain, recording
from scene_kit import scene
from wechat_user import Phone

UNBOUND = "oFLAT_stranger_0001"
NEWCOMER = "oFLAT_newcomer_0001"


def drive(app, db, rec) -> None:
    """A day at the station, each step labelled: the scenarios the plans must cover."""
    ext = app.extensions["liaison"]
    voter, deputy = Phone(app, VOTER), deputy_of(db, VOTER)
    desk = Phone(app, deputy.openid)
    group = db.scalar(select(VoterGroup).order_by(VoterGroup.id))
    poster = scene(db, "group", group.code)

    with rec.doing("bound voter's first message"):
        number = number_in(voter.says("村里自来水停了三天了", msg_id=880001).text)
    ext.clock.value += 40
    with rec.doing("second message in the burst window"):
        assert voter.says("家里做饭都没水用").text.startswith(f"已补充到 {number}")
    with rec.doing("duplicate MsgId"):
        assert number in voter.says("村里自来水停了三天了", msg_id=880001).text
    with rec.doing("subscribe with a scene"):
        assert Phone(app, NEWCOMER).scans(poster, subscribed=False).status == 200
    with rec.doing("unbound voter's message"):
        assert Phone(app, UNBOUND).says("村口的桥栏杆断了").text.startswith("已收到您的意见")
    with rec.doing("worker delivers the pushes"):
        ext.queue.drain(app)
    with rec.doing("deputy accepts"):
        assert desk.says(f"受理 {number}").text.startswith(f"已受理 {number}")
    with rec.doing("deputy's list"):
        assert desk.says("我的工单").status == 200
    with rec.doing("deputy resolves"):
        assert desk.says(f"办结 {number} 已修复通水").text.startswith(f"{number} 已办结")
    with rec.doing("voter asks for progress"):
        assert voter.says("进度").status == 200
    with rec.doing("voter's rating"):
        assert voter.says("5").text == f"感谢您对 {number} 办理结果的评价！"
    with rec.doing("worker delivers the pushes"):
        ext.queue.drain(app)
    with rec.doing("unsubscribe"):
        assert Phone(app, NEWCOMER).event("unsubscribe").status == 200


def test_every_statement_of_the_request_path_reads_growing_tables_through_an_index(make_app, db):
    app = build_demo(make_app)
    engine = app.extensions["liaison"].engine
    with recording(engine) as rec:
        drive(app, db, rec)
    statements = rec.distinct()
    # Guard against planning nothing: the path must have been captured, reads and writes of the big tables.
    touched = " ".join(s.sql for s in statements)
    for table in ("tickets", "voters", "inbound_messages", "outbound_pushes", "ticket_events"):
        assert f"FROM {table}" in touched or f"INTO {table}" in touched, table
    labels = {s.label for s in statements}
    assert {"bound voter's first message", "deputy accepts", "voter's rating", "subscribe with a scene"} <= labels

    checker = create_engine(str(engine.url.render_as_string(hide_password=False)))
    try:
        with checker.connect() as conn:
            findings = [explain(conn, s) for s in statements]
    finally:
        checker.dispose()
    failures = [f for f in findings if f.scans]
    assert not failures, f"{len(failures)} of {len(findings)} statements read a growing table without an index:\n\n" \
                         + "\n\n".join(map(str, failures))


def test_the_checker_sees_a_full_read_of_a_growing_table(schema):
    # The test above is only as good as this: an unindexed filter on tickets must fail it.
    engine = create_engine(schema)
    style = "%(since)s" if engine.dialect.name == "postgresql" else "?"
    params = {"since": "2026-01-01"} if engine.dialect.name == "postgresql" else ("2026-01-01",)
    try:
        with engine.connect() as conn:
            unindexed = explain(conn, Statement("probe", f"SELECT id FROM tickets WHERE updated_at > {style}", params))
            by_key = explain(conn, Statement("probe", f"SELECT id FROM tickets WHERE number = {style}", params))
            small = explain(conn, Statement("probe", f"SELECT id FROM sites WHERE name = {style}", params))
    finally:
        engine.dispose()
    assert unindexed.scans and "tickets" in unindexed.scans[0], unindexed.plan
    assert not by_key.scans, by_key.plan
    assert not small.scans and "sites" not in GROWING  # small tables are exempt
