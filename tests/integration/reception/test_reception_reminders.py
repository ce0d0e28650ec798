"""T-3 notices to the site's voters and the deputies on duty, day-of
reminders, changes told to those already reminded, bookings and questions."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.cli.context import State
from bot.jobs import tasks
from bot.models import OutboundPush, ReceptionRule, Site, Voter
from bot.services.reception.calendar import Calendar
from config.celery import celery_settings
from wechat_user import Phone

STATION_VOTER = "oDEMO_voter_01_01"  # groups 1-6 are at the station (20th)
POINT_VOTER = "oDEMO_voter_12_01"  # 上丰联络点 (10th)


def at(app, *when) -> None:
    app.extensions["liaison"].clock.value = datetime(*when, tzinfo=timezone.utc).timestamp()


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, list(args), obj=State(app=app))


def pushes(db, kind=None) -> list[OutboundPush]:
    db.expire_all()
    query = select(OutboundPush).order_by(OutboundPush.id)
    return list(db.scalars(query.where(OutboundPush.kind == kind) if kind else query))


def station_voters(db) -> set[str]:
    site = db.scalar(select(Site).where(Site.code == "station"))
    return {v.openid for v in db.scalars(select(Voter).where(Voter.site_id == site.id, Voter.subscribed.is_(True)))}


def december_20(db):
    return next(o for o in Calendar(db).plan(date(2026, 12, 1), 1) if o.site_code == "station")


def test_t3_notice_reaches_the_sites_voters_and_the_deputies_on_duty_once(app, ext, demo, db):
    at(app, 2026, 12, 17, 0)
    gone = db.scalar(select(Voter).where(Voter.openid == "oDEMO_voter_02_03"))
    gone.subscribed = False
    db.commit()
    with app.app_context():
        first = tasks.remind_receptions(ext, date(2026, 12, 17))
        again = tasks.remind_receptions(ext, date(2026, 12, 17))
    assert again == {"queued": 0}
    occ = december_20(db)
    notices = pushes(db, "reception_notice")
    assert {p.recipient_openid for p in notices} == station_voters(db)
    assert len(notices) == len(station_voters(db)) == 59 and "oDEMO_voter_02_03" not in station_voters(db)
    assert notices[0].payload["text"] == (f"12月20日（周日）9:00–12:00 乡人大代表联络站接待选民，接待代表：{occ.names}。"
                                          "地址：乡政府一楼。回复“预约”可预约。")
    duty = pushes(db, "duty_reminder")
    assert {p.recipient_openid for p in duty} == {d.openid for d in occ.deputies}
    assert first["queued"] == len(notices) + len(duty)
    # the worker runs the enqueued deliveries; running them all twice sends each once
    queued = [args[0] for _, args in ext.queue.items]
    assert sorted(queued) == sorted(p.id for p in notices + duty)
    ext.queue.drain(app)
    with app.app_context():
        for push_id in queued:
            tasks.deliver(ext, push_id)
    assert {p.status for p in pushes(db)} == {"sent"} and {p.attempts for p in pushes(db)} == {1}
    assert not pushes(db, "duty_today")  # the points' day (10th) and the 20th are not today


def test_deputies_are_reminded_on_the_day_with_the_bookings(app, ext, demo, db):
    at(app, 2026, 12, 18, 1)
    assert Phone(app, STATION_VOTER).says("预约").text.startswith("已为您预约12月20日（周日）乡人大代表联络站的接待，您是第 1 号。")
    with app.app_context():
        tasks.remind_receptions(ext, date(2026, 12, 20))
        tasks.remind_receptions(ext, date(2026, 12, 20))
    today = pushes(db, "duty_today")
    occ = december_20(db)
    name = db.scalar(select(Voter.name).where(Voter.openid == STATION_VOTER))
    assert {p.recipient_openid for p in today} == {d.openid for d in occ.deputies}
    assert today[0].payload["text"] == f"今天上午 9:00–12:00您在乡人大代表联络站（乡政府一楼）值班接待选民。已预约 1 人：1号{name}。"
    assert not pushes(db, "reception_notice")


def test_a_cancelled_reception_is_announced_to_those_already_reminded(cli, app, ext, demo, db):
    at(app, 2026, 12, 17, 0)
    assert cli("reception", "remind", "--today", "2026-12-17").exit_code == 0
    reminded = {p.recipient_openid for p in pushes(db) if p.kind in ("reception_notice", "duty_reminder")}
    result = cli("reception", "cancel", "station", "2026-12-20", "--by", "张干事", "--note", "因大雪取消。")
    assert result.exit_code == 0 and f"安排 {len(reminded)} 条变更通知" in result.output
    changes = pushes(db, "reception_change")
    assert {p.recipient_openid for p in changes} == reminded
    assert changes[0].payload["text"] == "乡人大代表联络站原定12月20日（周日）的接待选民日取消。因大雪取消。"
    assert not any(p.recipient_openid == POINT_VOTER for p in changes)
    assert "12月20日" not in Phone(app, STATION_VOTER).says("接待日是哪天").text
    assert cli("reception", "remind", "--today", "2026-12-20").output.startswith("已安排 0 条提醒")


def test_a_moved_reception_is_reminded_on_its_new_date(cli, app, ext, demo, db):
    at(app, 2026, 12, 1, 2)  # a reception is never moved to a day already past
    assert cli("reception", "move", "station", "2026-12-20", "--to", "2026-12-22", "--by", "张干事").exit_code == 0
    assert cli("reception", "remind", "--today", "2026-12-17").output.startswith("已安排 0 条提醒")
    assert cli("reception", "remind", "--today", "2026-12-19").exit_code == 0
    notice = pushes(db, "reception_notice")[0].payload["text"]
    assert notice.startswith("12月22日（周二）9:00–12:00 乡人大代表联络站接待选民")


def test_the_daily_job_is_on_the_beat_schedule():
    entry = celery_settings("redis://x")["beat_schedule"]["remind-receptions"]
    assert entry["task"] == "liaison.remind_receptions" and entry["schedule"].hour == {8}
    assert tasks.remind_receptions_task.name == "liaison.remind_receptions"


def test_booking_is_numbered_and_bounded_by_the_sites_capacity(app, ext, demo, db):
    at(app, 2026, 12, 1, 2)
    station = db.scalar(select(Site).where(Site.code == "station"))
    db.add(ReceptionRule(site_id=station.id, day_of_month=20, capacity=2))
    db.commit()
    a, b, c = (Phone(app, f"oDEMO_voter_0{g}_01") for g in (1, 2, 3))
    assert "您是第 1 号" in a.says("预约").text
    assert "您已预约12月20日（周日）乡人大代表联络站的接待，是第 1 号" in a.says("预约").text
    assert "您是第 2 号" in b.says("预约").text
    assert c.says("预约").text.startswith("12月20日（周日）乡人大代表联络站的接待预约已满（2 人）")
    assert a.says("取消预约").text == "已取消您12月20日（周日）在乡人大代表联络站的预约。"
    assert a.says("取消预约").text.startswith("您还没有预约")
    assert "您是第 3 号" in c.says("预约").text  # numbers are never reused
    on_duty = december_20(db).deputies[0]
    names = {o: db.scalar(select(Voter.name).where(Voter.openid == o)) for o in (b.openid, c.openid)}
    listing = Phone(app, on_duty.openid).says("预约名单").text
    assert listing == f"12月20日（周日）乡人大代表联络站已预约 2 人：2号{names[b.openid]}、3号{names[c.openid]}"
    assert db.scalar(select(func.count(OutboundPush.id))) == 0


def test_voters_ask_for_the_reception_day_place_and_deputies_on_duty(app, demo, db):
    at(app, 2026, 12, 11, 2)  # the points' December day has passed
    occ = next(o for o in Calendar(db).plan(date(2027, 1, 1), 1) if o.site_code == "shangfeng")
    phone = Phone(app, POINT_VOTER)
    answer = phone.says("接待日").text
    assert answer.startswith(f"下次接待日：1月10日，上午 9:00–12:00，地点：上丰联络点（上丰村居民区）。接待代表：{occ.names}。")
    assert phone.says("值班代表").text == f"1月10日上丰联络点值班代表：{occ.names}。"
    assert phone.says("联络站在哪").text == "您所在的是上丰联络点，地址：上丰村居民区。每月10日接待选民。"
    assert Phone(app, "oStranger").says("值班代表").text.startswith("乡人大代表联络站每月20日")
