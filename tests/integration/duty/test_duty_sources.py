"""The duty record fills itself (issue 15, item 1): a deputy's 受理, 回复 and 办结
each become one casework activity, however often they repeat; an escalation to
the county is a suggestion that counts once staff mark it formal; a reception
attended, marked by staff or by the deputy's own "签到", is one "接待选民"; a
"走访" note is one visit, with the photos sent just after it, and a ticket on
the voter's behalf when it reports a problem. All driven through signed WeChat
XML, the phone pages, the console and the CLI, as people use them."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from bot.cli import main
from bot.cli.context import State
from bot.models import AuditEvent, Deputy, DutyActivity, InboundMessage, ReceptionDuty, Ticket, TicketEvent, User
from bot.services.duty import sources
from bot.services.reception.calendar import Calendar
from bot.services.reception_desk import days
from console_kit import add_user, csrf_token, log_in
from lifecycle_kit import VOTER, build_demo, county_contact, deputy_of, number_in
from phone_kit import form_of, sign_in
from wechat_user import Phone

DRAIN = "我家门口的下水道堵了一个星期，污水流到路上"
LAMP = "村口的路灯坏了三个月了，晚上出门看不见路"
RECEPTION_DAY = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)  # Friday 10:00 in Beijing: the station's day


@pytest.fixture
def app(make_app):
    return build_demo(make_app)


def at(app, when: datetime) -> None:
    app.extensions["liaison"].clock.value = when.timestamp()


def later(app, **delta) -> None:
    clock = app.extensions["liaison"].clock
    clock.value += timedelta(**delta).total_seconds()


def activities(db, deputy: Deputy, kind: str | None = None) -> list[DutyActivity]:
    db.expire_all()
    query = select(DutyActivity).where(DutyActivity.deputy_id == deputy.id)
    if kind:
        query = query.where(DutyActivity.kind == kind)
    return list(db.scalars(query.order_by(DutyActivity.id)))


def ticket(db, number: str) -> Ticket:
    db.expire_all()
    return db.scalar(select(Ticket).where(Ticket.number == number))


def short(number: str) -> int:
    return int(number.rsplit("-", 1)[1])


def cli(app, *args):
    return app.test_cli_runner().invoke(main, list(args), obj=State(app=app))


# -- tickets ------------------------------------------------------------------
def test_accepting_replying_and_resolving_each_count_once_even_resolved_twice_or_retried(app, db):
    holder = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says(DRAIN).text)
    deputy = Phone(app, holder.openid)
    assert "已受理" in deputy.says(f"受理 {short(number)}").text
    assert "已把您的答复" in deputy.says(f"回复 {short(number)} 已约水务站明天来看").text
    resolve_id = 8_100_000_000_000_000_001
    assert "已办结" in deputy.says(f"办结 {short(number)} 管道已修好", msg_id=resolve_id).text
    t = ticket(db, number)
    first = activities(db, holder)
    assert [(a.kind, a.evidence, a.source, a.counts) for a in first] == [
        ("casework", f"ticket:{t.id}:accepted", "auto", True), ("casework", f"ticket:{t.id}:replied", "auto", True),
        ("casework", f"ticket:{t.id}:resolved", "auto", True)]
    assert first[0].entered_by == f"deputy:{holder.id}" and first[0].day == date(2026, 11, 26)
    assert number in first[0].note
    # WeChat retries the 办结 message (same MsgId): the first answer, nothing new.
    deputy.says(f"办结 {short(number)} 管道已修好", msg_id=resolve_id)
    # The voter says it is not solved; the deputy accepts and resolves it a second time.
    Phone(app, VOTER).says("没解决，还是堵")
    assert ticket(db, number).status == "reopened"
    deputy.says(f"受理 {short(number)}")
    assert "已办结" in deputy.says(f"办结 {short(number)} 这次彻底疏通了").text
    # A retried task recording the same move again.
    sources.ticket_moved(db, holder, t, "resolve", datetime.now(timezone.utc), f"deputy:{holder.id}")
    db.commit()
    assert [a.id for a in activities(db, holder)] == [a.id for a in first]


def test_the_phone_page_and_the_console_desk_count_like_the_wechat_command(app, db):
    holder = deputy_of(db, VOTER)
    on_phone = number_in(Phone(app, VOTER).says(DRAIN).text)
    in_console = number_in(Phone(app, VOTER).says(LAMP).text)
    client, _ = sign_in(app, holder.openid)
    page = client.get(f"/m/t/{on_phone}")
    assert client.post(f"/m/t/{on_phone}", data={"action": "accept", "text": "",
                                                 **form_of(page.get_data(as_text=True), "accept")}).status_code == 302
    # A clerk acts in the console for the deputy who holds the ticket: the clerk's work, not the deputy's.
    add_user(app, "clerk", "staff")
    clerk = log_in(app, "clerk")
    done = clerk.post(f"/console/tickets/{in_console}/accept",
                      data={"csrf_token": csrf_token(clerk, f"/console/tickets/{in_console}")})
    assert done.status_code == 302
    db.expire_all()
    assert ticket(db, in_console).status == "accepted"
    got = {(a.evidence, a.entered_by) for a in activities(db, holder, "casework")}
    assert got == {(f"ticket:{ticket(db, on_phone).id}:accepted", f"deputy:{holder.id}")}
    assert db.scalar(select(DutyActivity).where(DutyActivity.entered_by == "staff:clerk")) is None


def test_an_escalated_suggestion_counts_only_once_staff_mark_it_formal(app, db):
    holder = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says(DRAIN).text)
    deputy = Phone(app, holder.openid)
    deputy.says(f"受理 {short(number)}")
    assert "已上报" in deputy.says(f"上报 {short(number)} 涉及县里的管网改造，乡里定不了").text
    t = ticket(db, number)
    suggestion = activities(db, holder, "suggestion")
    assert [(a.evidence, a.counts) for a in suggestion] == [(f"ticket:{t.id}:escalated", False)]
    # The county deputy it went up to resolves it: their casework, not the township deputy's.
    upper = county_contact(db, holder)
    Phone(app, upper.openid).says(f"办结 {short(number)} 县里已列入明年管网改造")
    assert [a.evidence for a in activities(db, upper)] == [f"ticket:{t.id}:resolved"]

    marked = cli(app, "duty", "formal", "--ticket", number, "--by", "王干事", "--json")
    assert marked.exit_code == 0, marked.output
    assert json.loads(marked.output) == {"ticket": number, "formal": True, "changed": 1, "deputies": [holder.name]}
    assert activities(db, holder, "suggestion")[0].counts is True
    again = cli(app, "duty", "formal", "--ticket", str(short(number)))  # as deputies write it
    assert "原本就是正式建议" in again.output
    undone = cli(app, "duty", "formal", "--ticket", number, "--undo")
    assert "取消正式建议认定" in undone.output and activities(db, holder, "suggestion")[0].counts is False
    audits = db.scalars(select(AuditEvent).where(AuditEvent.target == number,
                                                 AuditEvent.action.like("duty.%")).order_by(AuditEvent.id)).all()
    assert [(a.action, a.actor, a.detail) for a in audits] == [("duty.formal", "王干事", holder.name),
                                                              ("duty.informal", audits[1].actor, holder.name)]
    assert audits[1].actor.startswith("cli:")
    # A ticket nobody escalated cannot be a formal suggestion.
    other = number_in(Phone(app, VOTER).says(LAMP).text)
    refused = cli(app, "duty", "formal", "--ticket", other)
    assert refused.exit_code != 0 and "没有上报县人大的记录" in refused.output
    assert "没有编号为 2026-999999 的工单" in cli(app, "duty", "formal", "--ticket", "2026-999999").output


def _escalated(app, db, words: str) -> str:
    holder = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says(words).text)
    deputy = Phone(app, holder.openid)
    deputy.says(f"受理 {short(number)}")
    assert "已上报" in deputy.says(f"上报 {short(number)} 涉及县里的管网改造，乡里定不了").text
    return number


def test_a_short_number_marks_this_years_ticket_and_never_another_years(app, db):
    this_year = _escalated(app, db, DRAIN)
    last_year = _escalated(app, db, LAMP)
    # The newer ticket carries last year's number with the same sequence as this year's.
    db.execute(update(Ticket).where(Ticket.number == last_year).values(number=f"2025-{this_year[-6:]}"))
    db.commit()
    done = json.loads(cli(app, "duty", "formal", "--ticket", str(short(this_year)), "--json").output)
    assert done["ticket"] == this_year and done["changed"] == 1
    # Only last year's ticket has that sequence: refused, asking for the full number.
    db.execute(update(Ticket).where(Ticket.number == this_year).values(number="2026-000999"))
    db.commit()
    refused = cli(app, "duty", "formal", "--ticket", str(short(this_year)))
    assert refused.exit_code != 0 and "2026年没有序号为" in refused.output and "请写完整编号" in refused.output
    assert json.loads(cli(app, "duty", "formal", "--ticket", f"2025-{this_year[-6:]}", "--json").output)["changed"] == 1


def test_staff_mark_a_formal_suggestion_on_the_ticket_page_and_deputies_cannot(app, db):
    holder = deputy_of(db, VOTER)
    number = number_in(Phone(app, VOTER).says(DRAIN).text)
    Phone(app, holder.openid).says(f"受理 {short(number)}")
    Phone(app, holder.openid).says(f"上报 {short(number)} 乡里定不了")
    add_user(app, "clerk", "staff")
    add_user(app, "dep", "deputy", deputy_code=holder.code)
    clerk = log_in(app, "clerk")
    page = clerk.get(f"/console/tickets/{number}").get_data(as_text=True)
    assert "认定为正式建议" in page and 'id="duty-suggestion"' in page
    token = csrf_token(clerk, f"/console/tickets/{number}")
    done = clerk.post(f"/console/tickets/{number}/suggestion", data={"csrf_token": token, "formal": "yes"},
                      follow_redirects=True)
    assert "已认定为正式建议" in done.get_data(as_text=True)
    assert "取消正式建议认定" in done.get_data(as_text=True)
    assert activities(db, holder, "suggestion")[0].counts is True
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "duty.formal")).actor == "clerk"
    theirs = log_in(app, "dep")
    seen = theirs.get(f"/console/tickets/{number}").get_data(as_text=True)
    assert 'id="duty-suggestion"' not in seen
    refused = theirs.post(f"/console/tickets/{number}/suggestion",
                          data={"csrf_token": csrf_token(theirs, f"/console/tickets/{number}"), "formal": "no"})
    assert refused.status_code == 403 and "没有权限" in refused.get_data(as_text=True)
    assert activities(db, holder, "suggestion")[0].counts is True


# -- receptions ---------------------------------------------------------------
def _station_duty(db, year: int, month: int):
    return next(o for o in Calendar(db).plan(date(year, month, 1), 1) if o.site_code == "station")


def _mark(app, db, occ, present: set[int], now: datetime) -> None:
    """The clerk marks attendance as the console's reception page does (reception_desk)."""
    if db.scalar(select(User).where(User.username == "clerk")) is None:
        add_user(app, "clerk", "staff")
    clerk = db.scalar(select(User).where(User.username == "clerk"))
    days.mark_attendance(db, clerk, occ, present, address=None, now=now, today=occ.date)
    db.commit()


def test_staff_marking_attendance_records_one_reception_and_marking_absent_takes_it_back(app, db):
    at(app, RECEPTION_DAY)
    occ = _station_duty(db, 2026, 11)
    came = db.get(Deputy, occ.deputies[0].id)
    now = RECEPTION_DAY + timedelta(hours=6)
    for _ in range(2):  # marked twice (a double click, a retried request): one activity
        _mark(app, db, occ, {came.id}, now)
    got = activities(db, came)
    duty = db.scalar(select(ReceptionDuty).where(ReceptionDuty.deputy_id == came.id))
    assert [(a.kind, a.evidence, a.source, a.entered_by, a.day) for a in got] == [
        ("reception", f"reception-duty:{duty.id}", "auto", "clerk", occ.date)]
    assert all(activities(db, db.get(Deputy, d.id)) == [] for d in occ.deputies[1:])
    # Un-marked: the record follows the attendance sheet.
    _mark(app, db, occ, set(), now)
    assert activities(db, came) == []


def test_a_deputy_checks_in_on_their_reception_day_once_and_is_told_elsewhere(app, db):
    occ = _station_duty(db, 2026, 11)
    assert occ.date == date(2026, 11, 20) and occ.starts == "09:00"
    on_duty = db.get(Deputy, occ.deputies[0].id)
    # At 07:30 that morning, from home: too early, nothing recorded.
    at(app, datetime(2026, 11, 19, 23, 30, tzinfo=timezone.utc))
    early = Phone(app, on_duty.openid).says("签到").text
    assert "上午 9:00–12:00，8:00 以后到岗再发“签到”。这次签到没有记录。" in early, early
    assert activities(db, on_duty) == []
    at(app, RECEPTION_DAY)
    answer = Phone(app, on_duty.openid).says("签到")
    assert f"签到成功：11月20日（周五） {occ.site_name}接待选民" in answer.text, answer.text
    assert "已记入您的履职档案" in answer.text
    duty = db.scalar(select(ReceptionDuty).where(ReceptionDuty.deputy_id == on_duty.id))
    db.refresh(duty)
    assert duty.attended is True and duty.marked_by == "代表签到"
    again = Phone(app, on_duty.openid).says("签到。")
    assert "您已签到" in again.text and "代表签到" in again.text
    got = activities(db, on_duty)
    assert [(a.kind, a.evidence, a.source, a.day) for a in got] == [
        ("reception", f"reception-duty:{duty.id}", "deputy", date(2026, 11, 20))]
    # Staff marking the same reception later adds nothing.
    _mark(app, db, occ, {on_duty.id}, RECEPTION_DAY + timedelta(hours=8))
    assert [a.id for a in activities(db, on_duty)] == [got[0].id]

    # A station deputy who is not on duty today.
    pool = [d for d in db.scalars(select(Deputy).where(Deputy.active.is_(True))) if d.openid
            and d.id not in {x.id for x in Calendar(db).on(occ.date) for x in x.deputies}]
    off = pool[0]
    told = Phone(app, off.openid).says("签到").text
    assert "值班代表里没有您，签到没有记录" in told, told
    # Another day: no reception at all, and when they are next on duty.
    at(app, datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc))
    told = Phone(app, on_duty.openid).says("签到").text
    assert told.startswith("今天（11月26日（周四））没有接待选民活动，签到没有记录。"), told
    assert activities(db, off) == [] and len(activities(db, on_duty)) == 1
    # A voter saying it goes the voter way: nothing recorded.
    Phone(app, VOTER).says("签到")
    assert db.scalar(select(DutyActivity).where(DutyActivity.source == "deputy", DutyActivity.id != got[0].id)) \
        is None


# -- visits -------------------------------------------------------------------
def test_a_visit_note_is_one_record_and_photos_join_it_within_the_window_only(app, db):
    holder = deputy_of(db, VOTER)
    phone = Phone(app, holder.openid)
    said = phone.says("走访 新民村 张大妈家，身体还好，拉了拉家常").text
    assert said.startswith("已记入您的履职档案（走访选民）：11月26日，地点：新民村。记录：张大妈家，身体还好，拉了拉家常。"
                           "10分钟内发来的照片或语音会一起记入这次走访。"), said
    assert "工单" not in said  # nothing to report: no ticket
    visit = activities(db, holder, "visit")
    inbound = db.scalar(select(InboundMessage).where(InboundMessage.openid == holder.openid)
                        .order_by(InboundMessage.id.desc()))
    assert [(a.place, a.note, a.source, a.evidence) for a in visit] == [
        ("新民村", "张大妈家，身体还好，拉了拉家常", "deputy", f"inbound:{inbound.id}")]
    later(app, minutes=4)
    assert "已把照片记入 11月26日 在新民村的走访（共 1 个附件）" in phone.image("MEDIA_PHOTO_1").text
    later(app, minutes=5)
    assert "已把语音记入" in phone.voice("张大妈说腿脚不太方便", media_id="MEDIA_VOICE_1").text
    later(app, minutes=11)  # past the ten minutes: a photo of something else
    late = phone.image("MEDIA_PHOTO_2").text
    assert "走访" not in late
    got = activities(db, holder, "visit")
    assert len(got) == 1 and got[0].photos == ["MEDIA_PHOTO_1", "MEDIA_VOICE_1"]
    assert got[0].note == "张大妈家，身体还好，拉了拉家常\n（语音）张大妈说腿脚不太方便"
    assert db.scalar(select(Ticket).where(Ticket.voter.has(openid=None))) is None
    # Said by voice, WeChat's recognition text is read the same way.
    spoken = phone.voice("走访 下丰村 刘奶奶家，聊了聊家常", media_id="MEDIA_VOICE_2").text
    assert "地点：下丰村" in spoken and len(activities(db, holder, "visit")) == 2
    usage = phone.says("走访").text
    assert "请这样发送：走访 地点 走访情况" in usage and len(activities(db, holder, "visit")) == 2


def test_a_visit_note_the_classifier_reads_as_a_problem_opens_no_ticket_without_consent(app, db):
    holder = deputy_of(db, VOTER)
    said = Phone(app, holder.openid).says("走访 新民村 李大爷家，反映灌溉渠堵塞").text
    assert "已记入您的履职档案（走访选民）" in said and "工单" not in said, said
    assert "如果群众同意由您代为反映，请发送：走访 地点 代为反映 内容" in said
    assert db.scalar(select(Ticket)) is None and len(activities(db, holder, "visit")) == 1


def test_an_urgent_visit_note_is_filed_without_claiming_consent(app, db):
    holder = deputy_of(db, VOTER)
    said = Phone(app, holder.openid).says("走访 新民村 李大爷家着火了，有人被困").text
    t = ticket(db, number_in(said))
    assert t.urgent
    created = db.scalar(select(TicketEvent).where(TicketEvent.ticket_id == t.id, TicketEvent.kind == "created"))
    assert created.note.startswith("紧急情况代为反映：") and "同意" not in created.note, created.note


def test_a_visit_note_marked_on_behalf_opens_a_ticket_on_the_voters_behalf(app, db):
    holder = deputy_of(db, VOTER)
    phone = Phone(app, holder.openid)
    said = phone.says("走访 新民村 李大爷家 代为反映 灌溉渠堵塞").text
    number = number_in(said)
    assert "已代群众反映问题" in said and f"受理 {short(number)}" in said, said
    t = ticket(db, number)
    assert t.text == "新民村：李大爷家 灌溉渠堵塞" and t.deputy_id == holder.id and not t.needs_triage
    assert t.voter.openid is None and t.village.name == "新民村" and t.place == "新民村"
    created = db.scalar(select(TicketEvent).where(TicketEvent.ticket_id == t.id, TicketEvent.kind == "created"))
    assert created.actor == f"deputy:{holder.id}"
    assert created.note.startswith("代为反映：") and "群众同意代为反映" in created.note
    # The photo taken there joins the visit and the ticket; the worker saves it as a voter's would be.
    queue = app.config["TASK_QUEUE"]
    queue.items.clear()
    later(app, minutes=2)
    photo = phone.image("MEDIA_CANAL").text
    assert "已把照片记入" in photo and f"也已附在工单 {number} 里" in photo, photo
    assert queue.items == [("liaison.fetch_media", (t.id, "MEDIA_CANAL"))]
    attached = db.scalar(select(TicketEvent).where(TicketEvent.ticket_id == t.id, TicketEvent.kind == "attachment"))
    assert (attached.actor, attached.note) == (f"deputy:{holder.id}", "image:MEDIA_CANAL")
    visit = activities(db, holder, "visit")
    assert [(a.place, a.note, a.photos) for a in visit] == [("新民村", "李大爷家 代为反映 灌溉渠堵塞", ["MEDIA_CANAL"])]
    # The deputy handles it like any ticket, and it counts as casework.
    assert "已受理" in phone.says(f"受理 {short(number)}").text
    assert [a.evidence for a in activities(db, holder, "casework")] == [f"ticket:{t.id}:accepted"]
    # "代为反映" files it whatever the classifier would make of the words.
    marked = phone.says("走访 东庄村 王大妈家 代为反映 想问问低保怎么申请").text
    other = ticket(db, number_in(marked))
    assert other.text == "东庄村：王大妈家 想问问低保怎么申请"
    assert other.village.name == "东庄村" and len(activities(db, holder, "visit")) == 2


def test_someone_who_is_not_a_deputy_saying_visit_words_is_a_voter(app, db):
    answer = Phone(app, VOTER).says("走访 新民村 路灯坏了三个月了，晚上看不见路").text
    assert "编号" in answer and "履职档案" not in answer
    assert db.scalar(select(DutyActivity)) is None


def test_the_deputy_help_lists_check_in_and_visits(app, db):
    holder = deputy_of(db, VOTER)
    help_text = Phone(app, holder.openid).says("帮助").text
    assert "签到" in help_text and "走访 地点 走访情况" in help_text
