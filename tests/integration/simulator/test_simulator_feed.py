"""What the simulator's phones show: only what the worker has sent to that
openid since the phones were switched on, pushes and broadcasts in the order
they went; the people it offers come from the roster."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.models import Broadcast, BroadcastDelivery, DeliveryStatus, OutboundPush, PushStatus
from bot.services.outbox import feed
from bot.services.roster import cast

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)


def _push(db, key, openid, status, text, sent=None):
    db.add(OutboundPush(dedupe_key=key, recipient_openid=openid, kind="voter_replied", status=status,
                        payload={"text": text, "title": ""}, created_at=T0, sent_at=sent))
    db.flush()


def test_a_phone_shows_what_was_sent_to_it_after_it_was_switched_on(db):
    _push(db, "old", "oA", PushStatus.SENT, "开机前的推送", T0)
    start = feed.cursor(db)
    _push(db, "mine", "oA", PushStatus.SENT, "答复", T0 + timedelta(seconds=5))
    _push(db, "waiting", "oA", PushStatus.PENDING, "还没发")
    _push(db, "other", "oB", PushStatus.SENT, "别人的", T0 + timedelta(seconds=1))
    b = Broadcast(title="通知", text="本月20日接待选民", status="sending")
    db.add(b)
    db.flush()
    db.add(BroadcastDelivery(broadcast_id=b.id, openid="oA", status=DeliveryStatus.SENT, sent_at=T0 + timedelta(seconds=2)))
    db.add(BroadcastDelivery(broadcast_id=b.id, openid="oB", status=DeliveryStatus.SKIPPED))
    db.flush()
    got = feed.arrived(db, "oA", start)
    assert [(a.key.split(":")[0], a.text) for a in got] == [("broadcast", "本月20日接待选民"), ("push", "答复")]
    assert feed.waiting(db, ["oA", "oB"], start) == 1
    assert feed.arrived(db, "oA", feed.cursor(db)) == []


def test_the_phones_start_as_a_voter_and_their_own_deputy(db, demo):
    voter, deputy = cast.pair(db)
    assert (voter.code, voter.openid, voter.where) == ("M0101", "oDEMO_voter_01_01", "新民村")
    assert (deputy.code, deputy.openid) == ("D011", "oDEMO_deputy_011")
    voter, deputy = cast.pair(db, "M0203", "D002")
    assert (voter.code, deputy.code) == ("M0203", "D002")
    voter, deputy = cast.pair(db, "M0203", "nobody")
    assert deputy.code != "D011" and deputy.code == cast.pair(db, "M0203")[1].code  # M02's own deputy
    assert len(cast.voters(db)) == 180 and len(cast.deputies(db)) == 51
