"""What the worker counts for /metrics: broadcast deliveries by result (their
rate is the broadcast rate) and the WeChat access tokens it fetched. Read from
this process's registry before and after (counters outlive a test)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import insert

from bot.jobs import sender
from bot.models import Voter
from bot.services.broadcasts import broadcast as service
from bot.wechat import ApiError, WeChatApi

LIVE = {"WECHAT_APP_ID": "wxtestapp", "WECHAT_APP_SECRET": "s3cret", "WECHAT_TOKEN": "tok0123456789abcdef",
        "WECHAT_TIMEOUT": 5.0, "BROADCAST_RATE": 0.0, "BROADCAST_BATCH": 200, "BROADCAST_BACKOFF": 0.05,
        "BROADCAST_LEASE": 1.0, "BROADCAST_ACCOUNT_RATE": 0}


def count(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_broadcast_deliveries_are_counted_by_result(make_app, fake_wechat):
    app = make_app(WECHAT_API_BASE=fake_wechat.base, **LIVE)
    ext = app.extensions["liaison"]
    now = datetime.now(timezone.utc)
    with ext.Session() as db:
        db.execute(insert(Voter), [{"openid": f"oCOUNT_{i:03d}", "subscribed": True, "created_at": now}
                                   for i in range(40)])
        b = service.create(db, text="明天上午乡政府召开村民代表会议。", title="会议通知", author="张干事",
                           targets=service.parse_targets("all"), now=now)
        service.schedule(db, b, None, now)
        db.commit()
        bid = b.id
    fake_wechat.script["custom"] = [40003]  # one bad openid: failed, not retried
    sent, failed = count("liaison_broadcast_deliveries_total", result="sent"), \
        count("liaison_broadcast_deliveries_total", result="failed")

    with app.app_context():
        assert sender.run(ext, bid) == "done"

    assert count("liaison_broadcast_deliveries_total", result="sent") == sent + 39
    assert count("liaison_broadcast_deliveries_total", result="failed") == failed + 1


def test_token_refreshes_are_counted_and_so_are_the_failed_ones(app, fake_wechat):
    redis = app.extensions["liaison"].redis
    ok, failed = (count("liaison_wechat_token_refreshes_total", result=r) for r in ("ok", "failed"))

    WeChatApi("wxtestapp", "s3cret", fake_wechat.base, redis).token()
    WeChatApi("wxtestapp", "s3cret", fake_wechat.base, redis).token()  # the shared token: no second fetch
    with pytest.raises(ApiError):
        WeChatApi("wxtestapp2", "wrong", fake_wechat.base, redis).token()  # WeChat refuses the secret

    assert count("liaison_wechat_token_refreshes_total", result="ok") == ok + 1
    assert count("liaison_wechat_token_refreshes_total", result="failed") == failed + 1
