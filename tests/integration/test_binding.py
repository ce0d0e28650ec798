"""Scanning a QR code binds a voter to a group or site, or a deputy's WeChat."""
from __future__ import annotations

from sqlalchemy import select

from bot.models import Deputy, Site, Voter, VoterGroup
from wechat_user import Phone


def voter(db, openid: str) -> Voter:
    db.expire_all()
    return db.scalar(select(Voter).where(Voter.openid == openid))


def test_group_qr_binds_a_new_follower_to_the_group_and_its_deputy(app, demo, db):
    group = db.scalar(select(VoterGroup).where(VoterGroup.code == "G05"))
    answer = Phone(app, "oNewVoter").scans("group:G05", subscribed=False)

    assert answer.text == f"欢迎！您已加入 {group.deputy.name} 代表的联系选民群（{db.get(Site, group.site_id).name}）。" \
                          "有什么意见建议，直接在这里发文字或语音即可。"
    v = voter(db, "oNewVoter")
    assert (v.group_id, v.site_id, v.subscribed) == (group.id, group.site_id, True)

    reply = Phone(app, "oNewVoter").says("村口的路灯坏了一个月了").text
    assert reply.endswith(f"已转交 {group.deputy.name} 代表。")


def test_rescanning_is_idempotent(app, demo, db):
    phone = Phone(app, "oRescan")
    first = phone.scans("group:G02", subscribed=False)
    bound_at = voter(db, "oRescan").bound_at
    again = phone.scans("group:G02")
    assert first.text == again.text
    assert voter(db, "oRescan").bound_at == bound_at
    assert db.query(Voter).filter(Voter.openid == "oRescan").count() == 1


def test_scanning_another_group_moves_the_voter(app, demo, db):
    phone = Phone(app, "oMover")
    phone.scans("group:G01", subscribed=False)
    phone.scans("group:G10")
    assert voter(db, "oMover").group_id == db.scalar(select(VoterGroup.id).where(VoterGroup.code == "G10"))


def test_site_qr_binds_the_voter_to_the_liaison_point(app, demo, db):
    answer = Phone(app, "oSiteVoter").scans("site:shangfeng", subscribed=False)
    assert answer.text.startswith("欢迎！您已关联到上丰联络点，每月10日接待选民。")
    site = db.scalar(select(Site).where(Site.code == "shangfeng"))
    v = voter(db, "oSiteVoter")
    assert (v.site_id, v.group_id) == (site.id, None)


def test_deputy_qr_binds_the_deputys_wechat(app, demo, db):
    deputy = db.scalar(select(Deputy).where(Deputy.code == "D030"))
    answer = Phone(app, "oRealDeputyPhone").scans(f"deputy:{deputy.bind_token}", subscribed=False)
    assert answer.text == f"{deputy.name} 代表，您好！您的微信已绑定，群众反映的意见将推送到这里。"
    db.expire_all()
    assert db.get(Deputy, deputy.id).openid == "oRealDeputyPhone"


def test_one_wechat_account_speaks_for_one_deputy(app, demo, db):
    a, b = db.scalars(select(Deputy).where(Deputy.code.in_(["D020", "D021"])).order_by(Deputy.code)).all()
    phone = Phone(app, "oSharedPhone")
    phone.scans(f"deputy:{a.bind_token}", subscribed=False)
    phone.scans(f"deputy:{b.bind_token}")
    db.expire_all()
    assert db.get(Deputy, a.id).openid is None and db.get(Deputy, b.id).openid == "oSharedPhone"


def test_unknown_or_forged_scenes_get_a_helpful_answer(app, demo, db):
    phone = Phone(app, "oCurious")
    for scene in ("group:G99", "site:nowhere", "deputy:guess", "deputy:", "mars:1", "123123"):
        assert "请向联络站工作人员索取新的二维码" in phone.scans(scene).text
    v = voter(db, "oCurious")
    assert v.group_id is None and v.site_id is None
    assert db.scalar(select(Deputy).where(Deputy.openid == "oCurious")) is None


def test_deputy_who_unfollows_and_follows_again_gets_pushes_again(app, demo, db):
    deputy = db.scalar(select(Deputy).where(Deputy.code == "D012"))
    phone = Phone(app, deputy.openid)
    phone.event("unsubscribe")
    db.expire_all()
    assert db.get(Deputy, deputy.id).subscribed is False
    phone.event("subscribe")
    db.expire_all()
    assert db.get(Deputy, deputy.id).subscribed is True
