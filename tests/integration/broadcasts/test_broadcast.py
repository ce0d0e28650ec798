"""Staff notices reach everyone once: one delivery row per recipient,
unsubscribed and refusing users skipped and counted, transient errors retried,
pause and resume, and a worker killed halfway neither resends nor skips."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, insert, select

from bot.cli import main
from bot.cli.context import State
from bot.jobs import sender, tasks
from bot.models import Broadcast, BroadcastDelivery, Deputy, Voter
from bot.services.broadcasts import broadcast as service
from bot.services.broadcasts import campaigns
from places import ROOT


@pytest.fixture
def wx(make_app, fake_wechat):
    def build(**extra):
        config = {"WECHAT_APP_ID": "wxtestapp", "WECHAT_APP_SECRET": "s3cret", "WECHAT_TOKEN": "tok0123456789abcdef",
                  "WECHAT_API_BASE": fake_wechat.base, "WECHAT_TIMEOUT": 5.0, "BROADCAST_RATE": 0.0,
                  "BROADCAST_BATCH": 200, "BROADCAST_BACKOFF": 0.05, "BROADCAST_LEASE": 1.0,
                  "BROADCAST_ACCOUNT_RATE": 0}
        config.update(extra)
        return make_app(**config)
    return build


def voters(db, n: int, unsubscribed_every: int = 0) -> None:
    now = datetime.now(timezone.utc)
    rows = [{"openid": f"oBULK_{i:06d}", "subscribed": not (unsubscribed_every and i % unsubscribed_every == 0),
             "created_at": now} for i in range(1, n + 1)]
    db.execute(insert(Voter), rows)
    db.commit()


def new(db, targets="all", **kw) -> int:
    b = service.create(db, text="明天上午乡政府召开村民代表会议。", title="会议通知", author="张干事",
                       targets=service.parse_targets(targets), now=datetime.now(timezone.utc), **kw)
    service.schedule(db, b, None, datetime.now(timezone.utc))
    db.commit()
    return b.id


def rows(db, broadcast_id: int) -> list[BroadcastDelivery]:
    db.expire_all()
    return list(db.scalars(select(BroadcastDelivery).where(BroadcastDelivery.broadcast_id == broadcast_id)))


def received(fake) -> Counter:
    return Counter(m["touser"] for m in fake.sent)


def test_preview_counts_each_kind_of_target(app, demo, db):
    now = datetime.now(timezone.utc)
    gone = db.scalar(select(Voter).where(Voter.openid == "oDEMO_voter_12_01"))
    gone.subscribed = False
    db.commit()
    count = lambda t: service.preview(db, service.create(db, text="x", author="a", now=now,  # noqa: E731
                                                         targets=service.parse_targets(t)))
    assert count("deputies") == {"recipients": 51, "skipped": 0}
    assert count("all") == {"recipients": 51 + 179, "skipped": 1}
    assert count("sites:shangfeng") == {"recipients": 39, "skipped": 1}
    assert count("groups:G01,G02") == {"recipients": 20, "skipped": 0}
    village = db.scalar(select(Voter).where(Voter.openid == "oDEMO_voter_01_01")).village
    assert count(f"villages:{village.code}")["recipients"] > 0
    with pytest.raises(service.BroadcastError, match="unknown sites: nowhere"):
        count("sites:nowhere")
    with pytest.raises(service.BroadcastError):
        service.parse_targets("martians")


def test_a_broadcast_reaches_each_subscribed_voter_once_and_counts_the_rest(wx, fake_wechat, db):
    app = wx()
    voters(db, 300, unsubscribed_every=10)
    fake_wechat.script["custom"] = [45011, 40003, 43004]  # busy once, a bad openid, a refusal
    bid = new(db)
    with app.app_context():
        assert sender.run(app.extensions["liaison"], bid) == "done"
        assert sender.run(app.extensions["liaison"], bid) == "done"  # a second run sends nothing
    got = received(fake_wechat)
    assert max(got.values()) == 1 and len(got) == 270 - 2
    by_status = Counter(r.status for r in rows(db, bid))
    assert by_status == {"sent": 268, "skipped": 31, "failed": 1}
    reasons = Counter(r.reason for r in rows(db, bid) if r.status != "sent")
    assert reasons["unsubscribed"] == 30 and reasons["refused (43004)"] == 1
    retried = [r for r in rows(db, bid) if r.attempts == 2]
    assert len(retried) == 1 and retried[0].status == "sent"
    assert service.status(db, bid) | {} == {"id": bid, "status": "done", "staged": True, "pause_reason": "",
                                            "sent": 268, "failed": 1, "skipped": 31, "unknown": 0,
                                            "waiting": 0, "total": 300}


def test_transient_errors_give_up_after_the_attempt_limit(wx, fake_wechat, db):
    app = wx(BROADCAST_MAX_ATTEMPTS=3)
    voters(db, 1)
    fake_wechat.script["custom"] = [45011] * 3
    bid = new(db)
    with app.app_context():
        assert sender.run(app.extensions["liaison"], bid) == "done"
    (row,) = rows(db, bid)
    assert row.status == "failed" and row.reason.startswith("gave up after 3 attempts")
    assert fake_wechat.sent == []


def staged(ext, db, n: int) -> int:
    """A broadcast to n voters, started and staged, nothing claimed yet."""
    voters(db, n)
    bid = new(db)
    with ext.Session() as s:
        service.start(s, bid, datetime.now(timezone.utc))
        while service.stage(s, bid, 1000):
            pass
        s.commit()
    return bid


def test_two_sender_runs_claim_one_batch_each_and_never_the_same_row(app, ext, db):
    bid = staged(ext, db, 300)
    first, second = ext.Session(), ext.Session()
    now = datetime.now(timezone.utc)
    a = service.claim(first, bid, "run-a", now, 40)  # run-a's transaction still holds its rows
    b = service.claim(second, bid, "run-b", now, 40)
    first.commit(), second.commit()
    first.close(), second.close()
    assert len(a) == len(b) == 40 and not {r[0] for r in a} & {r[0] for r in b}
    assert [r[0] for r in a] == sorted(r[0] for r in a)
    by_run = Counter(r.claimed_by for r in rows(db, bid) if r.status == "sending")
    assert by_run == {"run-a": 40, "run-b": 40}


def test_a_retry_reaches_the_journal_at_once_so_a_kill_cannot_turn_it_into_unknown(wx, fake_wechat, db):
    """Sent outcomes ride along with the next "begin"; anything else is written
    straight away, or a kill would settle a push that never left as unknown."""
    from bot.jobs.journal import RedisJournal

    app = wx(BROADCAST_THREADS=1, BROADCAST_BATCH=50)
    voters(db, 5)
    fake_wechat.script["custom"] = [45011]  # the first push: "too frequent", retried later
    bid = new(db)
    ext = app.extensions["liaison"]
    seen: list[tuple] = []

    class Recording(RedisJournal):
        def begin(self, token, delivery_id, settled=None):
            seen.append(("begin", delivery_id, dict(settled or {})))
            super().begin(token, delivery_id, settled)

        def done(self, token, outcomes):
            seen.append(("done", None, dict(outcomes)))
            super().done(token, outcomes)

    with app.app_context():
        assert sender.run(ext, bid, journal=Recording(ext.redis, lease=1.0)) == "done"
    first = seen[0][1]
    kind, _, marks = seen[1]  # right after the first send, before the next "begin"
    assert kind == "done" and marks[first].startswith("retry|")
    assert all(not any(v.startswith("retry") for v in marks.values()) for kind, _, marks in seen if kind == "begin")
    assert len(received(fake_wechat)) == 5


def test_claiming_works_without_update_returning_too(app, ext, db, monkeypatch):
    """SQLite before 3.35 (a Python built against an old system library) has no UPDATE ... RETURNING."""
    bid = staged(ext, db, 30)
    with ext.Session() as s:
        monkeypatch.setattr(s.bind.dialect, "update_returning", False)
        got = service.claim(s, bid, "run-old", datetime.now(timezone.utc), 20)
        s.commit()
    assert len(got) == 20 and [r[0] for r in got] == sorted(r[0] for r in got) and all(r[2] == 1 for r in got)


def test_a_spent_daily_quota_pauses_the_broadcast_until_staff_resume(wx, fake_wechat, db):
    app = wx(BROADCAST_THREADS=1, BROADCAST_BATCH=10)
    voters(db, 40)
    fake_wechat.script["custom"] = [45009]
    bid = new(db)
    ext = app.extensions["liaison"]
    with app.app_context():
        assert sender.run(ext, bid) == "paused"
        st = service.status(db, bid)
        assert st["status"] == "paused" and "45009" in st["pause_reason"] and st["waiting"] == 40
        service.resume(db, db.get(Broadcast, bid))
        db.commit()
        assert sender.run(ext, bid) == "done"
    assert len(received(fake_wechat)) == 40 and max(received(fake_wechat).values()) == 1


def test_staff_pause_then_resume_sends_the_rest_once(wx, fake_wechat, db):
    app = wx(BROADCAST_THREADS=2, BROADCAST_BATCH=20)
    voters(db, 400)
    fake_wechat.delay = 0.003
    bid = new(db)
    ext = app.extensions["liaison"]
    result = {}
    with app.app_context():
        runner = threading.Thread(target=lambda: result.setdefault("state", sender.run(ext, bid)))
        runner.start()
        while len(fake_wechat.sent) < 60:
            time.sleep(0.01)
        with ext.Session() as s:
            service.pause(s, s.get(Broadcast, bid))
            s.commit()
        runner.join(10)
        assert result["state"] == "paused"
        paused_at = len(fake_wechat.sent)
        st = service.status(db, bid)
        assert 60 <= st["sent"] == paused_at < 400 and st["waiting"] == 400 - paused_at
        time.sleep(0.2)
        assert len(fake_wechat.sent) == paused_at  # nothing goes out while paused
        with ext.Session() as s:
            service.resume(s, s.get(Broadcast, bid))
            s.commit()
        assert sender.run(ext, bid) == "done"
    got = received(fake_wechat)
    assert len(got) == 400 and max(got.values()) == 1


def test_cancel_skips_everyone_still_waiting(wx, fake_wechat, db):
    app = wx()
    voters(db, 50)
    bid = new(db)
    with app.app_context():
        ext = app.extensions["liaison"]
        with ext.Session() as s:
            service.stage(s, bid, 1000)
            service.stage(s, bid, 1000)
            s.commit()
        with ext.Session() as s:
            assert service.cancel(s, s.get(Broadcast, bid), ext.now()) == 50
            s.commit()
        assert sender.run(ext, bid) == "cancelled"
    assert fake_wechat.sent == [] and {r.reason for r in rows(db, bid)} == {"cancelled"}


def _worker(app_config: dict, broadcast_id: int) -> subprocess.Popen:
    env = dict(os.environ, **{f"LIAISON_{k}": str(v) for k, v in app_config.items()})
    code = ("import sys; from bot import create_app; from bot.jobs import sender; app = create_app(); "
            "ctx = app.app_context(); ctx.push(); sender.run(app.extensions['liaison'], int(sys.argv[1]))")
    return subprocess.Popen([sys.executable, "-c", code, str(broadcast_id)], cwd=ROOT, env=env)


def test_a_worker_killed_halfway_neither_resends_nor_skips(wx, fake_wechat, db, schema, redis_url, tmp_path):
    app = wx(BROADCAST_THREADS=8, BROADCAST_BATCH=100)
    voters(db, 3000, unsubscribed_every=100)
    fake_wechat.script["custom"] = [45011, 45011, 40003, 43004, -1, -1, -1]
    fake_wechat.delay = 0.004
    bid = new(db)
    ext = app.extensions["liaison"]
    worker = _worker({"DATABASE_URL": schema, "REDIS_URL": redis_url, "INSTANCE_PATH": tmp_path / "w",
                      "WECHAT_APP_ID": "wxtestapp", "WECHAT_APP_SECRET": "s3cret", "WECHAT_TOKEN": "tok0123456789abcdef",
                      "WECHAT_API_BASE": fake_wechat.base, "BROADCAST_RATE": 0, "BROADCAST_THREADS": 8,
                      "BROADCAST_BATCH": 100, "BROADCAST_BACKOFF": 0.05, "BROADCAST_LEASE": 1,
                      "LOG_LEVEL": "WARNING"}, bid)
    deadline = time.monotonic() + 60
    while len(fake_wechat.sent) < 1000 and worker.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    worker.send_signal(signal.SIGKILL)
    worker.wait(10)
    halfway = len(fake_wechat.sent)
    assert 1000 <= halfway < 2900, "the worker must die mid-way"
    with app.app_context():
        assert sender.run(ext, bid) == "done"
    got = received(fake_wechat)
    assert max(got.values()) == 1, "nobody gets a second copy"
    final = {r.openid: r for r in rows(db, bid)}
    assert len(final) == 3000 and not [r for r in final.values() if r.status in ("pending", "sending")]
    statuses = Counter(r.status for r in final.values())
    assert statuses["skipped"] == 30 + 1 and statuses["failed"] == 1
    # Unknown: a push in flight at the kill, or sent with its outcome still
    # waiting to ride along with the next "begin": at most two per sending thread.
    assert statuses["unknown"] <= 2 * 8, "only pushes in flight at the kill are unknown"
    for openid, row in final.items():
        if row.status == "sent":
            assert got[openid] == 1
        elif row.status in ("failed", "skipped"):
            assert got[openid] == 0
    missing = [o for o, r in final.items() if got[o] == 0 and r.status not in ("failed", "skipped", "unknown")]
    assert missing == [], "nobody is skipped"
    assert statuses["sent"] + statuses["unknown"] >= 3000 - 31 - 1


def test_dispatch_starts_due_broadcasts_only(wx, db):
    app = wx()
    ext = app.extensions["liaison"]
    voters(db, 3)
    later = service.create(db, text="x", author="a", now=ext.now(), targets={"kind": "all", "codes": []})
    service.schedule(db, later, ext.now() + timedelta(hours=2), ext.now())
    draft = service.create(db, text="y", author="a", now=ext.now(), targets={"kind": "all", "codes": []})
    db.commit()
    now_id = new(db)
    with app.app_context():
        assert tasks.dispatch(ext) == [now_id]
    assert ext.queue.items == [("liaison.send_broadcast", (now_id,))]
    assert draft.status == "draft"


def test_publicity_days_are_prefilled_as_drafts_once_a_year(app, ext, db):
    made = campaigns.prefill(db, 2027, ext.now())
    assert [(b.title, b.status) for b in made] == [("6月5日环境日", "draft"), ("6月25日全国土地日", "draft"),
                                                   ("12月4日国家宪法日", "draft")]
    assert made[2].scheduled_at == datetime(2027, 12, 4, 1, 0, tzinfo=timezone.utc)
    assert campaigns.prefill(db, 2027, ext.now()) == []
    db.commit()
    with app.app_context():
        assert len(tasks.prefill(ext, 2027)) == 3  # 2028's; 2027's exist


def test_staff_command_line(wx, fake_wechat, demo, db):
    app = wx()
    runner = app.test_cli_runner()
    cli = lambda *a: runner.invoke(main, list(a), obj=State(app=app))  # noqa: E731
    made = cli("broadcast", "create", "--text", "本周六停水。", "--to", "deputies", "--by", "张干事")
    assert made.exit_code == 0 and "51 人接收" in made.output
    bid = db.scalar(select(func.max(Broadcast.id)))
    assert "→ 51 人接收，0 人已取消关注（跳过）" in cli("broadcast", "preview", str(bid)).output
    sent = cli("broadcast", "send", str(bid), "--here", "--wait")
    assert sent.exit_code == 0, sent.output
    assert f"#{bid} 已发完：已发 51，失败 0，跳过 0，不确定 0，等待 0，共 51" in sent.output
    deputies = set(db.scalars(select(Deputy.openid)))
    assert set(received(fake_wechat)) == deputies
    assert '"sent": 51' in cli("broadcast", "status", str(bid), "--json").output
    assert cli("broadcast", "pause", str(bid)).exit_code != 0  # done is done


def test_outside_the_48_hour_window_the_broadcasts_template_is_used(wx, fake_wechat, db):
    app = wx()
    voters(db, 2)
    fake_wechat.script["custom"] = [45015, 45015]
    bid = new(db, template_id="TPL_NOTICE")
    with app.app_context():
        assert sender.run(app.extensions["liaison"], bid) == "done"
    assert [m["kind"] for m in fake_wechat.sent] == ["template", "template"]
    assert {m["template_id"] for m in fake_wechat.sent} == {"TPL_NOTICE"}
    assert fake_wechat.sent[0]["data"]["first"]["value"] == "会议通知"
    assert {r.channel for r in rows(db, bid)} == {"template"}


def test_without_a_template_closed_windows_fail_loudly(wx, fake_wechat, db, caplog):
    app = wx()
    voters(db, 1)
    fake_wechat.script["custom"] = [45015]
    bid = new(db)
    with app.app_context(), caplog.at_level("ERROR"):
        assert sender.run(app.extensions["liaison"], bid) == "done"
    (row,) = rows(db, bid)
    assert row.status == "failed" and row.reason == "window closed, no template configured"
    assert "LIAISON_WECHAT_TEMPLATE_ID" in caplog.text


def test_two_workers_together_keep_to_the_accounts_rate(wx, fake_wechat, db):
    app = wx(BROADCAST_ACCOUNT_RATE=40, BROADCAST_THREADS=4, BROADCAST_BATCH=20)
    voters(db, 160)
    bid = new(db)
    ext = app.extensions["liaison"]
    states = []

    def work():
        with app.app_context():
            states.append(sender.run(ext, bid))

    started = time.monotonic()
    workers = [threading.Thread(target=work) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)
    took = time.monotonic() - started
    assert states == ["done", "done"] and len(received(fake_wechat)) == 160
    assert max(received(fake_wechat).values()) == 1
    assert took >= 2.0  # 40 per second for both together: 160 pushes span 4 one-second windows
