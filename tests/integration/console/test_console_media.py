"""The ticket page shows what the voter sent besides text: the photo itself
(served only to someone who may see the ticket), a location by its place name."""
from __future__ import annotations

from sqlalchemy import select

from bot.models import AuditEvent, Deputy
from console_kit import add_user, log_in
from lifecycle_kit import VOTER, build_on_wechat, deputy_of, number_in
from wechat_user import Phone


def test_staff_see_the_photo_and_the_place_and_another_deputy_gets_nothing(make_app, fake_wechat, db):
    app = build_on_wechat(make_app, fake_wechat)
    ext = app.extensions["liaison"]
    photo = b"\xff\xd8\xff\xe0 a burst pipe"
    fake_wechat.media["MEDIA_PIPE_1"] = (photo, "image/jpeg")
    phone = Phone(app, VOTER)
    number = number_in(phone.says("村里自来水停了三天了").text)
    ext.clock.value += 30
    phone.image("MEDIA_PIPE_1")
    ext.clock.value += 30
    phone.location("36.61", "114.48", "上丰村东头水井")
    ext.queue.drain(app)
    mine = deputy_of(db, VOTER)
    other = db.scalar(select(Deputy).where(Deputy.id != mine.id, Deputy.active.is_(True)))
    add_user(app, "clerk")
    add_user(app, "stranger", "deputy", other.code)

    clerk = log_in(app, "clerk")
    page = clerk.get(f"/console/tickets/{number}").get_data(as_text=True)
    src = f"/console/tickets/{number}/media/MEDIA_PIPE_1"
    assert f'<img class="photo" src="{src}"' in page
    assert "上丰村东头水井（36.61, 114.48）" in page
    got = clerk.get(src)
    assert got.status_code == 200 and got.data == photo and got.mimetype == "image/jpeg"

    stranger = log_in(app, "stranger")
    assert stranger.get(src).status_code == 404
    assert clerk.get(f"/console/tickets/{number}/media/..%2F..%2Fsecret_key").status_code == 404
    db.expire_all()
    actions = [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.target == number))]
    assert "ticket.media" in actions and "ticket.denied" in actions
