"""Scanning a QR code binds a voter to a group or site, or a deputy's WeChat."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.models import Deputy, Site, Voter, VoterGroup
from scene_kit import card, scene
from wechat_user import Phone


def voter(db, openid: str) -> Voter:
    db.expire_all()
    return db.scalar(select(Voter).where(Voter.openid == openid))


def test_group_qr_binds_a_new_follower_to_the_group_and_its_deputy(app, ext, demo, db):
    ext.clock.value = 1795658400  # 2026-11-26 10:00 in Beijing: the station's next 20th is in December
    group = db.scalar(select(VoterGroup).where(VoterGroup.code == "G05"))
    answer = Phone(app, "oNewVoter").scans(scene(db, "group", "G05"), subscribed=False)

    site = db.get(Site, group.site_id)
    assert answer.text == f"欢迎！您已加入 {group.deputy.name} 代表的联系选民群（{site.name}）。" \
                          f"有什么意见建议，直接在这里发文字或语音即可。下次接待日：12月20日（{site.name}）。"
    v = voter(db, "oNewVoter")
    assert (v.group_id, v.site_id, v.subscribed) == (group.id, group.site_id, True)

    reply = Phone(app, "oNewVoter").says("村口的路灯坏了一个月了").text
    assert reply.endswith(f"已转交 {group.deputy.name} 代表。")


def test_rescanning_is_idempotent(app, demo, db):
    phone = Phone(app, "oRescan")
    first = phone.scans(scene(db, "group", "G02"), subscribed=False)
    bound_at = voter(db, "oRescan").bound_at
    again = phone.scans(scene(db, "group", "G02"))
    assert first.text == again.text
    assert voter(db, "oRescan").bound_at == bound_at
    assert db.query(Voter).filter(Voter.openid == "oRescan").count() == 1


def test_a_wechat_only_voter_scanning_another_group_moves(app, demo, db):
    phone = Phone(app, "oMover")
    phone.scans(scene(db, "group", "G01"), subscribed=False)
    phone.scans(scene(db, "group", "G10"))
    assert voter(db, "oMover").group_id == db.scalar(select(VoterGroup.id).where(VoterGroup.code == "G10"))


def test_site_qr_binds_the_voter_to_the_liaison_point(app, demo, db):
    answer = Phone(app, "oSiteVoter").scans(scene(db, "site", "shangfeng"), subscribed=False)
    assert answer.text.startswith("欢迎！您已关联到上丰联络点，每月10日接待选民。")
    site = db.scalar(select(Site).where(Site.code == "shangfeng"))
    v = voter(db, "oSiteVoter")
    assert (v.site_id, v.group_id) == (site.id, None)


def test_unknown_or_forged_scenes_get_a_helpful_answer(app, demo, db):
    phone = Phone(app, "oCurious")
    for guess in ("group:G01", "site:station", "group:G99", "site:nowhere", "deputy:guess", "deputy:", "mars:1",
                  "123123"):
        assert "请向联络站工作人员索取新的二维码" in phone.scans(guess).text, guess
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


BEIJING_26_NOV = 1795658400  # 2026-11-26 10:00 in Beijing


def test_site_qr_greeting_names_the_next_reception_day(app, ext, demo, db):
    ext.clock.value = BEIJING_26_NOV
    answer = Phone(app, "oPointVoter").scans(scene(db, "site", "qilijiao"), subscribed=False)
    assert answer.text.endswith("下次接待日：12月10日（七里脚联络点）。")


def test_a_revoked_group_code_binds_nobody_and_says_so(app, ext, demo, db):
    from bot.services.roster.binding import revoke_group

    printed = scene(db, "group", "G03")
    revoke_group(db, "G03", ext.now())
    db.commit()
    answer = Phone(app, "oLateScanner").scans(printed, subscribed=False)
    assert "这个二维码已停用" in answer.text
    assert voter(db, "oLateScanner").group_id is None
    members = db.scalars(select(Voter).join(VoterGroup).where(VoterGroup.code == "G03")).all()
    assert len(members) == 10  # the group's voters stay


def test_a_deputy_who_unsubscribes_gets_no_tickets_until_they_come_back(app, demo, db):
    v = voter(db, "oDEMO_voter_04_01")
    deputy_openid = v.group.deputy.openid
    Phone(app, deputy_openid).event("unsubscribe")
    assert not Phone(app, "oDEMO_voter_04_01").says("路灯坏了").text.endswith(f"已转交 {v.group.deputy.name} 代表。")
    Phone(app, deputy_openid).event("subscribe")
    assert Phone(app, "oDEMO_voter_04_01").says("村口的垃圾好几天没人收了").text.endswith(f"已转交 {v.group.deputy.name} 代表。")


# -- "绑定 张三 1234": a WeChat user meets their roster entry ---------------------------

@pytest.fixture
def roster_voter(ext, db):
    """An imported fixed voter of G02 with a known phone, not yet on WeChat."""
    from bot.services.roster.demo import seed

    seed(db, 7, box=ext.phones)
    group = db.scalar(select(VoterGroup).where(VoterGroup.code == "G02"))
    person = Voter(code="R001", name="邓淑珍", village_id=None, group_id=group.id, subscribed=True)
    ext.phones.store(person, "13912345678")
    db.add(person)
    db.commit()
    ext.clock.value = BEIJING_26_NOV
    return person


def test_claiming_an_identity_joins_the_wechat_user_to_the_roster_voter(app, db, roster_voter):
    phone = Phone(app, "oGranny")
    phone.says("村口的桥坏了")  # wrote before confirming: a WeChat-only voter with a ticket
    answer = phone.says("绑定 邓淑珍 5678")
    group = db.get(VoterGroup, roster_voter.group_id)
    assert answer.text == f"邓淑珍，您好！已核对您的登记信息。您在 {group.deputy.name} 代表的联系选民群。" \
                          "下次接待日：12月20日（乡人大代表联络站）。"
    me = voter(db, "oGranny")
    assert me.id == roster_voter.id and me.code == "R001"
    from bot.models import Ticket
    assert db.scalar(select(Ticket).where(Ticket.voter_id == me.id)).text == "村口的桥坏了"  # history kept
    assert db.query(Voter).filter(Voter.openid == "oGranny").count() == 1
    assert phone.says("绑定 邓淑珍 5678").text == answer.text  # again: same answer, nothing changes


def test_claim_needs_the_right_name_and_digits(app, db, roster_voter):
    phone = Phone(app, "oGuesser")
    assert phone.says("绑定 邓淑珍 1111").text.startswith("没有找到与“邓淑珍”")
    assert phone.says("绑定 邓淑 5678").text.startswith("没有找到")
    assert phone.says("绑定 邓淑珍").text == "请按“绑定 姓名 手机后四位”的格式发送，例如：绑定 张三 1234"
    assert voter(db, "oGuesser").code is None


def test_five_wrong_guesses_lock_out_even_the_right_digits_for_a_window(app, db, roster_voter):
    phone = Phone(app, "oBruteForce")
    for digits in ("0000", "1111", "2222", "3333", "4444"):
        assert phone.says(f"绑定 邓淑珍 {digits}").text.startswith("没有找到")
    assert phone.says("绑定 邓淑珍 5678").text == "核对失败次数太多，请一小时后再试，或联系联络站工作人员。"
    assert voter(db, "oBruteForce").code is None
    assert Phone(app, "oSomeoneElse").says("绑定 邓淑珍 5678").text.startswith("邓淑珍，您好")  # per user


def test_the_lockout_ends_when_the_window_does(ext):
    from bot.web.ratelimit import RedisLimiter

    limiter = RedisLimiter(ext.redis, limit=2, window=1)
    assert limiter.hit("oX") and limiter.hit("oX")
    assert not limiter.hit("oX")
    assert ext.redis.ttl("liaison:fails:oX") in (0, 1)
    ext.redis.delete("liaison:fails:oX")  # what expiry does
    assert limiter.hit("oX")


def test_a_roster_entry_already_on_another_wechat_is_not_taken_over(app, db, roster_voter):
    Phone(app, "oFirst").says("绑定 邓淑珍 5678")
    assert Phone(app, "oSecond").says("绑定 邓淑珍 5678").text.startswith("没有找到与“邓淑珍”")
    assert voter(db, "oSecond").code is None


class BrokenCounter:
    """A failure counter whose store is down."""

    limit = 5

    def hit(self, key, limit=None):
        raise ConnectionError("redis down")


def test_no_failure_counter_means_no_guessing(ext, db, roster_voter):
    from bot.services.roster.binding import claim

    done = claim(db, "oAnyone", "邓淑珍", "5678", ext.now(), ext.phones, BrokenCounter())
    assert (done.kind, done.reply) == ("refused", "暂时无法核对登记信息，请稍后再试。")
    assert db.scalar(select(Voter.openid).where(Voter.code == "R001")) is None


@pytest.fixture
def two_roster_voters(ext, db, roster_voter):
    """邓淑珍 (R001, …5678) and 王强 (R002, …9999), both fixed voters of G02."""
    neighbour = Voter(code="R002", name="王强", group_id=roster_voter.group_id, subscribed=True)
    ext.phones.store(neighbour, "13700009999")
    db.add(neighbour)
    db.commit()
    return roster_voter, neighbour


LOCKED = "核对失败次数太多，请一小时后再试，或联系联络站工作人员。"


def test_a_right_claim_of_yourself_does_not_buy_more_guesses_at_someone_else(app, db, two_roster_voters):
    me = Phone(app, "oAttacker")
    assert me.says("绑定 王强 9999").text.startswith("王强，您好")
    for guess in ("0000", "1111", "2222"):
        assert not me.says(f"绑定 邓淑珍 {guess}").text.startswith("邓淑珍")
    assert me.says("绑定 王强 9999").text.startswith("王强，您好")  # the fifth attempt this hour
    assert me.says("绑定 邓淑珍 3333").text == LOCKED
    assert me.says("绑定 王强 9999").text == LOCKED


def test_a_roster_entry_on_another_wechat_answers_like_a_wrong_guess_and_costs_an_attempt(
        app, ext, db, roster_voter):
    Phone(app, "oVictim").says("绑定 邓淑珍 5678")
    spy = Phone(app, "oSpy")
    wrong = spy.says("绑定 邓淑珍 1111").text
    assert spy.says("绑定 邓淑珍 5678").text == wrong.replace("1111", "5678") == \
        "没有找到与“邓淑珍”和这四位号码相符的登记信息，请核对后再试，或联系联络站工作人员。"
    assert int(ext.redis.get("liaison:fails:oSpy")) == 2
    for _ in range(3):
        spy.says("绑定 邓淑珍 5678")
    assert spy.says("绑定 邓淑珍 5678").text == LOCKED


def test_many_wechat_users_together_get_a_bounded_number_of_guesses_at_one_name(app, db, roster_voter):
    for n in range(20):  # four users' worth, spread over twenty accounts
        assert Phone(app, f"oSock{n}").says(f"绑定 邓淑珍 {n:04d}").text.startswith("没有找到")
    assert Phone(app, "oSock99").says("绑定 邓淑珍 5678").text == LOCKED
    assert voter(db, "oSock99").code is None


def test_a_roster_voter_cannot_claim_a_second_roster_identity(app, db, two_roster_voters):
    granny, neighbour = two_roster_voters
    me = Phone(app, "oHousehold")
    assert me.says("绑定 王强 9999").text.startswith("王强，您好")
    me.says("村口的桥坏了")
    refused = me.says("绑定 邓淑珍 5678").text
    assert refused == "您的微信已经绑定了登记信息“王强”，不能再绑定其他人的登记信息。如需更改，请联系联络站工作人员。"
    assert me.says("绑定 邓淑珍 1234").text == refused  # right or wrong: the same answer
    db.expire_all()
    from bot.models import Ticket
    assert db.get(Voter, neighbour.id).openid == "oHousehold"  # both roster rows stay
    assert db.get(Voter, granny.id).openid is None
    assert db.get(Voter, db.scalar(select(Ticket)).voter_id).code == "R002"


def test_concurrent_attempts_each_count_so_the_limit_holds(ext):
    from concurrent.futures import ThreadPoolExecutor

    from bot.web.ratelimit import RedisLimiter

    limiter = RedisLimiter(ext.redis, limit=5, window=60)
    with ThreadPoolExecutor(8) as pool:
        allowed = list(pool.map(lambda _: limiter.hit("oRacer"), range(24)))
    assert allowed.count(True) == 5


def test_a_counter_left_without_expiry_gets_one_and_the_lockout_ends(ext):
    from bot.web.ratelimit import RedisLimiter

    ext.redis.set("liaison:fails:oStuck", 99)  # a crash between INCR and EXPIRE, by older code
    assert not RedisLimiter(ext.redis, window=60).hit("oStuck")
    assert 0 < ext.redis.ttl("liaison:fails:oStuck") <= 60


def test_printing_a_new_deputy_card_voids_the_old_one(app, ext, demo, db):
    old = card(db, "D040")
    new = card(db, "D040")
    assert Phone(app, "oFinder").scans(old).text == "这张代表绑定卡已作废，请联系联络站工作人员领取新卡。"
    assert Phone(app, "oOwner").scans(new).text.startswith("已收到您绑定人大代表身份的申请")


def test_a_revoked_deputy_card_asks_nobody_to_be_bound(app, ext, demo, db):
    from bot.models import DeputyBinding
    from bot.services.roster.binding import revoke_deputy_cards

    lost = card(db, "D040")
    revoke_deputy_cards(db, "D040", ext.now())
    db.commit()
    assert "已作废" in Phone(app, "oFinder").scans(lost).text
    assert db.query(DeputyBinding).count() == 0


def test_rescanning_a_card_while_waiting_leaves_one_request(app, demo, db):
    from bot.models import DeputyBinding

    printed = card(db, "D040")
    phone = Phone(app, "oPatient")
    assert phone.scans(printed, subscribed=False).text == phone.scans(printed).text
    assert db.query(DeputyBinding).filter(DeputyBinding.status == "pending").count() == 1
