"""A burst of new tickets reaching one deputy: the first few are pushed at once,
the rest are listed in one digest when the window ends. Every push stays a row."""
from __future__ import annotations

from sqlalchemy import select

from bot.jobs import tasks
from bot.models import OutboundPush
from lifecycle_kit import VOTER, deputy_of, number_in
from wechat_user import Phone

OPINIONS = ["村里自来水停了三天了", "村口路灯坏了一个月了", "我家的低保停发三个月了", "村东头的路坑坑洼洼没法走",
            "垃圾好几天没人清运了", "小学门口没有红绿灯很危险", "村里的卫生室没有医生", "麦田里的水渠堵了浇不上地"]


def test_a_burst_of_tickets_to_one_deputy_is_three_pushes_and_one_digest(app, ext, demo, db):
    deputy = deputy_of(db, VOTER)
    voters = [f"oDEMO_voter_12_{n:02d}" for n in range(1, 9)]
    assert {deputy_of(db, v).id for v in voters} == {deputy.id}
    numbers = []
    for voter, text in zip(voters, OPINIONS):
        numbers.append(number_in(Phone(app, voter).says(text).text))
        ext.clock.value += 15  # eight tickets in two minutes
    assert len(set(numbers)) == 8
    ext.queue.drain(app)
    assert [p.payload["text"].split(" ")[1] for p in _pushes(db, deputy.openid, "sent")] == numbers[:3]
    assert len(_pushes(db, deputy.openid, "held")) == 5
    assert tasks.sweep(ext)["digests"] == 0  # the window has not ended
    ext.clock.value += 600
    assert tasks.sweep(ext)["digests"] == 1
    ext.queue.drain(app)
    sent = [p.payload["text"] for p in _pushes(db, deputy.openid, "sent")]
    assert len(sent) == 4 and len(_pushes(db, deputy.openid, "digested")) == 5  # every push stays a row
    digest = sent[-1]
    assert digest.startswith("您有5条新工单：")
    assert [n for n in numbers[3:] if f"#{n} " in digest] == numbers[3:]
    assert not any(f"#{n} " in digest for n in numbers[:3])
    assert tasks.sweep(ext)["digests"] == 0  # sent once
    mine = Phone(app, deputy.openid).says("我的工单").text
    assert all(n in mine for n in numbers)  # every ticket was the deputy's at once
    # After the window a single ticket is pushed at once again.
    ext.clock.value += 60
    later = number_in(Phone(app, "oDEMO_voter_12_09").says("村里的广播坏了听不见通知").text)
    ext.queue.drain(app)
    assert _pushes(db, deputy.openid, "sent")[-1].payload["text"].split(" ")[1] == later


def test_urgent_tickets_are_never_held_for_a_digest(app, ext, demo, db):
    deputy = deputy_of(db, VOTER)
    for n, text in enumerate(OPINIONS[:3], start=1):
        Phone(app, f"oDEMO_voter_12_{n:02d}").says(text)
    urgent = number_in(Phone(app, "oDEMO_voter_12_04").says("家里煤气泄漏了，快来人").text)
    ext.queue.drain(app)
    assert _pushes(db, deputy.openid, "sent")[-1].payload["text"].startswith(f"【紧急】新意见 {urgent}")
    assert _pushes(db, deputy.openid, "held") == []


def test_a_held_push_is_digested_even_if_no_worker_ran_it_in_time(app, ext, demo, db):
    """The decision waits for a worker; a lost job is enqueued again by the sweep, decided, then digested."""
    deputy = deputy_of(db, VOTER)
    for n, text in enumerate(OPINIONS[:5], start=1):
        Phone(app, f"oDEMO_voter_12_{n:02d}").says(text)
    ext.queue.items.clear()  # the broker lost every job
    ext.clock.value += 700
    tasks.sweep(ext)  # hands the pending pushes back to the queue
    ext.queue.drain(app)  # three go out, two are held with their window already over
    assert tasks.sweep(ext)["digests"] == 1
    ext.queue.drain(app)
    sent = _pushes(db, deputy.openid, "sent")
    assert len(sent) == 4 and sent[-1].payload["text"].startswith("您有2条新工单：")


def _pushes(db, openid: str, status: str) -> list[OutboundPush]:
    db.expire_all()
    return db.scalars(select(OutboundPush).where(OutboundPush.recipient_openid == openid,
                                                 OutboundPush.status == status).order_by(OutboundPush.id)).all()
