"""Where a webhook message's time goes, in process: the app on PostgreSQL and a
private Redis (a fresh database `liaison_profile`), the demo township, voters
bound by subscribe events with group scenes, then N distinct encrypted text
messages through Flask's test client. Prints CPU ms per message, the SQL
statements per message by kind, and cProfile's top functions.

    python bench/profile_webhook.py --messages 2000
    python bench/profile_webhook.py --path default --sort tottime --top 40
"""
from __future__ import annotations

import argparse
import collections
import cProfile
import pstats
import re
import shutil
import tempfile
import time

from serving import admin_database, private_redis  # bench/serving.py, beside this script

from bot import create_app
from bot.wechat import Gate
from bot.wechat.simulator import event_xml, signed_request, text_xml

TOKEN, APP_ID, AES = "benchtoken0123456789", "wxbench0000000001", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
TEXTS = ["村里自来水停了三天了，什么时候能修好", "村口的路灯坏了一个多月没人管", "孩子上学的校车能不能多开一班",
         "低保申请需要什么材料", "垃圾堆在河边没人清理，气味很大", "希望在集市附近多设几个停车位"]


def build(work: str, redis_url: str, path: str):
    config = {"DATABASE_URL": admin_database("liaison_profile"), "REDIS_URL": redis_url,
              "INSTANCE_PATH": work + "/instance", "WECHAT_TOKEN": TOKEN, "WECHAT_AES_KEY": AES,
              "WECHAT_APP_ID": APP_ID, "WECHAT_APP_SECRET": "fakesecret", "WECHAT_API_BASE": "http://127.0.0.1:9",
              "SECRET_KEY": "p" * 40, "LOG_LEVEL": "WARNING"}
    if path == "new-ticket":
        config.update(BURST_SECONDS=0, VOTER_RATE_LIMIT=0)
    app = create_app(config)
    ext = app.extensions["liaison"]
    from bot.infra.migrate import upgrade
    from bot.models import VoterGroup
    from bot.services.roster import codes
    from bot.services.roster.demo import seed

    upgrade(ext.engine)
    with ext.Session() as s:
        seed(s, 7)
        scenes = [codes.scene_for("group", codes.ensure(s, "group", g, ext.now(), "bench").scene_key)
                  for g in s.scalars(VoterGroup.__table__.select().with_only_columns(VoterGroup.id))]
        s.commit()
    return app, ext, scenes


def post(client, gate: Gate, xml: str) -> None:
    now = int(time.time())
    query, body = signed_request(gate, xml, now)
    res = client.post("/wechat", query_string=query, data=body, content_type="text/xml")
    assert res.status_code == 200, res.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--voters", type=int, default=1000)
    parser.add_argument("--path", default="new-ticket", choices=["new-ticket", "default"])
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--plain", action="store_true", help="no cProfile: CPU per message only (py-spy from outside)")
    parser.add_argument("--dump", help="also write the raw profile here (for pstats or snakeviz)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="liaison-profile-")
    redis_server = private_redis(work)
    try:
        app, ext, scenes = build(work, redis_server.url(0), args.path)
        gate, client = Gate(TOKEN, APP_ID, AES), app.test_client()
        for i in range(args.voters):
            post(client, gate, event_xml(f"oVoter{i:06d}", "subscribe", int(time.time()),
                                         "qrscene_" + scenes[i % len(scenes)]))
        statements: collections.Counter[str] = collections.Counter()

        def count(conn, cursor, sql, params, context, executemany):
            statements[re.match(r"\s*(\w+)", sql).group(1).upper() + (" many" if executemany else "")] += 1
            if args.path and sql.lstrip().upper().startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
                table = re.search(r"(?:FROM|INTO|UPDATE)\s+(\w+)", sql)
                statements["  " + (table.group(1) if table else "?")] += 1

        from sqlalchemy import event

        for i in range(50):  # warm: imports, caches, connection pool
            post(client, gate, text_xml(f"oVoter{i % args.voters:06d}", TEXTS[i % len(TEXTS)], 9 * 10**15 + i,
                                        int(time.time())))
        event.listen(ext.engine, "before_cursor_execute", count)
        profiler = cProfile.Profile()
        cpu, wall = time.process_time(), time.perf_counter()
        if not args.plain:
            profiler.enable()
        for i in range(args.messages):
            post(client, gate, text_xml(f"oVoter{(i * 7919) % args.voters:06d}", TEXTS[i % len(TEXTS)],
                                        10**16 + i, int(time.time())))
        profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        event.remove(ext.engine, "before_cursor_execute", count)
        n = args.messages
        print(f"{n} messages, path {args.path}: {1000 * cpu / n:.2f} ms CPU, {1000 * wall / n:.2f} ms wall "
              f"per message" + ("" if args.plain else " (profiled; cProfile roughly doubles CPU)"))
        print("SQL statements per message:")
        for kind, c in sorted(statements.items(), key=lambda kv: (kv[0].startswith(" "), -kv[1])):
            print(f"  {kind:<28} {c / n:6.2f}")
        if args.plain:
            return
        if args.dump:
            profiler.dump_stats(args.dump)
        stats = pstats.Stats(profiler)
        stats.sort_stats(args.sort).print_stats(args.top)
        ext.engine.dispose()
    finally:
        redis_server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
