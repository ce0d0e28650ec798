"""The follow-up really travels: webhook -> Redis broker -> Celery worker -> outbox."""
from __future__ import annotations

import time

from celery.contrib.testing.worker import start_worker
from sqlalchemy import select

from bot.models import OutboundPush
from bot.services.roster.demo import seed
from wechat_user import Phone


def test_push_is_delivered_by_a_real_celery_worker(make_app):
    app = make_app(TASK_QUEUE=None)
    ext = app.extensions["liaison"]
    with ext.Session() as s:
        seed(s, 9)
        s.commit()
    celery = ext.celery
    with start_worker(celery, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        Phone(app, "oDEMO_voter_04_02").says("河边的护栏倒了")
        deadline = time.monotonic() + 20
        status = None
        while time.monotonic() < deadline:
            with ext.Session() as s:
                status = s.scalar(select(OutboundPush.status))
            if status == "sent":
                break
            time.sleep(0.1)
    assert status == "sent"
