"""Deputies' WeChat bindings in the console: staff see the pending requests a
scanned card left and every bound deputy, and confirm, reject or revoke; a
deputy's account cannot; a form without its CSRF token does nothing."""
from __future__ import annotations

from sqlalchemy import select

from bot.models import AuditEvent, Deputy, DeputyBinding
from console_kit import add_user, csrf_token, log_in
from scene_kit import card
from wechat_user import Phone


def openid_of(db, code: str) -> str | None:
    db.expire_all()
    return db.scalar(select(Deputy.openid).where(Deputy.code == code))


def test_staff_confirm_a_request_on_the_bindings_page(app, demo, db):
    Phone(app, "oDeputysNewPhone").scans(card(db, "D012"), subscribed=False)
    add_user(app, "clerk", "staff")
    client = log_in(app, "clerk")
    page = client.get("/console/bindings").get_data(as_text=True)
    assert "D012" in page and "…wPhone" in page and "oDeputysNewPhone" not in page
    request_id = db.scalar(select(DeputyBinding.id))

    forged = client.post("/console/bindings/confirm", data={"id": request_id})
    assert forged.status_code == 400 and openid_of(db, "D012") == "oDEMO_deputy_012"

    token = csrf_token(client, "/console/bindings")
    done = client.post("/console/bindings/confirm", data={"id": request_id, "csrf_token": token},
                       follow_redirects=True)
    assert "已确认绑定" in done.get_data(as_text=True)
    assert openid_of(db, "D012") == "oDeputysNewPhone"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "deputy_binding.confirm"))
    assert (event.actor, event.target) == ("clerk", "deputy:D012")


def test_revoking_needs_the_confirm_box(app, demo, db):
    add_user(app, "clerk", "staff")
    client = log_in(app, "clerk")
    token = csrf_token(client, "/console/bindings")
    unticked = client.post("/console/bindings/revoke", data={"deputy": "D012", "csrf_token": token},
                           follow_redirects=True)
    assert "我确认" in unticked.get_data(as_text=True) and openid_of(db, "D012") == "oDEMO_deputy_012"
    client.post("/console/bindings/revoke", data={"deputy": "D012", "confirm": "yes", "csrf_token": token})
    assert openid_of(db, "D012") is None


def test_a_deputy_account_may_not_see_or_decide_bindings(app, demo, db):
    Phone(app, "oThief").scans(card(db, "D012"), subscribed=False)
    add_user(app, "d012", "deputy", deputy_code="D012")
    client = log_in(app, "d012")
    assert client.get("/console/bindings").status_code == 403
    token = csrf_token(client, "/console/")
    res = client.post("/console/bindings/confirm", data={"id": db.scalar(select(DeputyBinding.id)),
                                                        "csrf_token": token})
    assert res.status_code == 403 and openid_of(db, "D012") == "oDEMO_deputy_012"
