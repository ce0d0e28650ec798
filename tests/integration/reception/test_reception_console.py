"""The reception calendar in the staff console: the month with holidays,
make-up days and the deputies on duty; moving and cancelling a reception tell
everyone reminded or booked exactly once; next year's holidays entered with
Chinese errors; a site's rule; attendance marked once; the bookings list; the
notices as one A4 PDF page per site; only admin and staff."""
from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from bot.jobs import tasks
from bot.models import AuditEvent, HolidayDay, OutboundPush, ReceptionDuty, ReceptionRule, Site, Voter
from bot.services.reception import attendance
from bot.services.reception.calendar import Calendar
from console_kit import add_user, csrf_token, log_in
from wechat_user import Phone

BOOKER = "oDEMO_voter_01_01"  # a voter of the station (20th)


def at(app, *when) -> None:
    app.extensions["liaison"].clock.value = datetime(*when, tzinfo=timezone.utc).timestamp()


@pytest.fixture
def clerk(app, demo):
    """The clerk's browser; `clerk.at(...)` moves the clock and logs in again (idle timeout)."""
    add_user(app, "clerk", "staff")

    class Clerk:
        client = log_in(app, "clerk")

        def at(self, *when):
            at(app, *when)
            self.client = log_in(app, "clerk")

        def get(self, path):
            return self.client.get(path)

        def post(self, path, **data):
            return self.client.post(path, data=data, follow_redirects=True)

    return Clerk()


def post(clerk, path: str, **data):
    return clerk.post(path, csrf_token=csrf_token(clerk.client, "/console/reception/rules"), **data)


def changes(db) -> list[OutboundPush]:
    db.expire_all()
    return list(db.scalars(select(OutboundPush).where(OutboundPush.kind == "reception_change")
                           .order_by(OutboundPush.id)))


def station(db, year: int, month: int):
    return next(o for o in Calendar(db).plan(date(year, month, 1), 1) if o.site_code == "station")


def test_the_month_shows_every_site_holidays_make_up_days_and_duty_deputies(app, clerk, db):
    page = clerk.get("/console/reception?month=2026-10").get_data(as_text=True)
    cell = page.split('data-date="2026-10-10"')[1].split("</td>")[0]
    # National Day: 1-7 October off, Saturday 10 October a make-up working day, the points' day.
    assert "国庆节" in page.split('data-date="2026-10-01"')[1].split("</td>")[0]
    assert "调休上班" in cell
    for occ in Calendar(db).plan(date(2026, 10, 1), 1):
        shown = page.split(f'data-date="{occ.date.isoformat()}"')[1].split("</td>")[0]
        assert occ.site_name in shown and occ.names in shown
    assert {"善福联络点", "上丰联络点", "七里脚联络点"} <= set(re.findall(r"<strong>(\S+?)</strong>", cell))
    assert "2027 年还没有法定节假日数据" in clerk.get("/console/reception?month=2027-02").get_data(as_text=True)


def test_moving_tells_the_reminded_and_the_booked_exactly_once(app, ext, clerk, db):
    clerk.at(2026, 12, 1, 2)
    assert "您是第 1 号" in Phone(app, BOOKER).says("预约").text
    # Nobody reminded yet: the one booked voter hears of the move, once.
    done = post(clerk, "/console/reception/station/2026-12-20/move", to="2026-12-22", note="乡里开会。",
                confirm="yes").get_data(as_text=True)
    assert "已改到12月22日（周二）" in done and "1 人发变更通知" in done
    [first] = changes(db)
    assert first.recipient_openid == BOOKER
    assert first.payload["text"] == ("乡人大代表联络站原定12月20日（周日）的接待选民日改到12月22日（周二），"
                                     "上午 9:00–12:00，地址：乡政府一楼。乡里开会。")
    assert first.id in [args[0] for _, args in ext.queue.items]
    # The same move again is refused and tells nobody.
    again = post(clerk, "/console/reception/station/2026-12-20/move", to="2026-12-22", confirm="yes")
    assert "已经在12月22日（周二），不用改" in again.get_data(as_text=True) and len(changes(db)) == 1
    # T-3 of the new day reminds the site's voters (the booker among them), then a second move.
    with app.app_context():
        tasks.remind_receptions(ext, date(2026, 12, 19))
    db.expire_all()
    reminded = set(db.scalars(select(OutboundPush.recipient_openid).where(
        OutboundPush.kind.in_(("reception_notice", "duty_reminder")))))
    assert BOOKER in reminded and len(reminded) > 50
    clerk.at(2026, 12, 19, 2)
    post(clerk, "/console/reception/station/2026-12-20/move", to="2026-12-23", confirm="yes")
    second = [p for p in changes(db) if p.id != first.id]
    counts = Counter(p.recipient_openid for p in second)
    assert set(counts) == reminded and set(counts.values()) == {1}
    assert station(db, 2026, 12).date == date(2026, 12, 23)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "reception.move").order_by(AuditEvent.id.desc()))
    assert (event.actor, event.target, event.detail) == ("clerk", "station:2026-12-20", "改到 2026-12-23")


def test_moves_that_make_no_sense_are_refused_in_chinese(app, clerk, db):
    clerk.at(2026, 12, 5, 2)
    cases = {"2026-12-04": "不能改到已经过去的日子", "2027-02-01": "前后 31 天之内",
             "2027-01-20": "已有一次接待", "": "请选择新的日期"}
    for to, words in cases.items():
        res = post(clerk, "/console/reception/station/2026-12-20/move", to=to, confirm="yes")
        assert words in res.get_data(as_text=True), to
    unticked = post(clerk, "/console/reception/station/2026-12-20/move", to="2026-12-21")
    assert "请先勾选“我确认”" in unticked.get_data(as_text=True)
    assert station(db, 2026, 12).date == date(2026, 12, 20) and not changes(db)


def test_cancelling_tells_those_reminded_and_cannot_happen_twice(app, ext, clerk, db):
    clerk.at(2026, 12, 17, 2)
    with app.app_context():
        tasks.remind_receptions(ext, date(2026, 12, 17))
    db.expire_all()
    reminded = set(db.scalars(select(OutboundPush.recipient_openid).where(
        OutboundPush.kind.in_(("reception_notice", "duty_reminder")))))
    done = post(clerk, "/console/reception/station/2026-12-20/cancel", note="因大雪取消。", confirm="yes")
    assert f"已给收到过提醒或已预约的 {len(reminded)} 人发变更通知" in done.get_data(as_text=True)
    told = changes(db)
    assert Counter(p.recipient_openid for p in told) == Counter(reminded)
    assert told[0].payload["text"] == "乡人大代表联络站原定12月20日（周日）的接待选民日取消。因大雪取消。"
    twice = post(clerk, "/console/reception/station/2026-12-20/cancel", confirm="yes")
    assert "已经取消了" in twice.get_data(as_text=True) and len(changes(db)) == len(told)
    assert station(db, 2026, 12).cancelled
    month = clerk.get("/console/reception?month=2026-12").get_data(as_text=True)
    assert "已取消" in month.split('data-date="2026-12-20"')[1].split("</td>")[0]


def test_next_years_holidays_are_checked_line_by_line_then_move_the_reception(app, clerk, db):
    clerk.at(2026, 12, 2, 2)
    bad = post(clerk, "/console/reception/holidays/add", year="2027",
               text="春节 2027-02-06 至 2027-02-13\n春节 2027-02-30\n春节 2027-02-10 上班\n国庆 2026-10-01\n随便写写")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "没有录入" in page
    for words in ("第2行：日期不存在", "第3行：2027-02-10（周三）本来就是工作日", "第4行：2026-10-01 不在 2027 年",
                  "第5行：看不懂“随便写写”"):
        assert words in page, words
    assert db.scalar(select(HolidayDay.id)) is None  # all or nothing
    assert station(db, 2027, 2).date == date(2027, 2, 20)  # a Saturday, no holiday data: kept
    good = post(clerk, "/console/reception/holidays/add", year="2027",
                text="春节 2月15日 至 2月21日\n春节 2027-02-14 上班\n春节 2月20日 至 2月21日")
    assert "第3行：2027-02-20 在第1行已经填过" in good.get_data(as_text=True)
    good = post(clerk, "/console/reception/holidays/add", year="2027", text="春节 2月15日 至 2月21日\n春节 2027-02-14 上班")
    assert "已录入 2027 年：放假 7 天，调休上班 1 天" in good.get_data(as_text=True)
    db.expire_all()
    feb = station(db, 2027, 2)
    assert (feb.date, feb.moved_for) == (date(2027, 2, 22), "春节")
    month = clerk.get("/console/reception?month=2027-02").get_data(as_text=True)
    assert "2027 年还没有法定节假日数据" not in month
    assert "调休上班" in month.split('data-date="2027-02-14"')[1].split("</td>")[0]
    far = post(clerk, "/console/reception/holidays/add", year="2031", text="元旦 2031-01-01")
    assert "只能录入 2025 年到 2028 年的节假日" in far.get_data(as_text=True)


def test_a_sites_rule_is_edited_with_checks(app, clerk, db):
    form = {"day_of_month": "15", "starts": "14:00", "ends": "11:00", "place": "上丰村文化广场", "capacity": "30",
            "duty_count": "3", "holiday_policy": "previous_workday", "active": "yes"}
    wrong = post(clerk, "/console/reception/rules/shangfeng", **form)
    assert "上丰联络点：结束时间（11:00）要晚于开始时间（14:00）" in wrong.get_data(as_text=True)
    assert post(clerk, "/console/reception/rules/shangfeng", **{**form, "starts": "25:00"}).status_code == 200
    assert db.scalar(select(ReceptionRule.id)) is None
    done = post(clerk, "/console/reception/rules/shangfeng", **{**form, "ends": "17:00"}).get_data(as_text=True)
    assert "已保存。上丰联络点: 每月15日 14:00–17:00 上丰村文化广场，容量 30，值班 3 人，节假日提前到上一个工作日" in done
    occ = next(o for o in Calendar(db).plan(date(2027, 1, 1), 1) if o.site_code == "shangfeng")
    assert (occ.date, occ.place, occ.capacity, len(occ.deputies)) == (date(2027, 1, 15), "上丰村文化广场", 30, 3)
    post(clerk, "/console/reception/rules/qilijiao", **{**form, "ends": "17:00", "active": ""})
    assert not any(o.site_code == "qilijiao" for o in Calendar(db).plan(date(2027, 1, 1), 1))


def test_attendance_is_marked_after_the_day_once_with_who_marked_it(app, clerk, db):
    clerk.at(2026, 12, 19, 2)
    early = post(clerk, "/console/reception/station/2026-12-20/attendance", present="1")
    assert "接待还没到" in early.get_data(as_text=True)
    clerk.at(2026, 12, 20, 6)
    occ = station(db, 2026, 12)
    came, away = occ.deputies[0], occ.deputies[1]
    page = clerk.get("/console/reception/station/2026-12-20").get_data(as_text=True)
    assert came.name in page and 'name="present"' in page
    done = post(clerk, "/console/reception/station/2026-12-20/attendance", present=str(came.id))
    assert "已登记出席（1 人到场）" in done.get_data(as_text=True)
    db.expire_all()
    rows = {d.deputy_id: d for d in db.scalars(select(ReceptionDuty))}
    assert rows[came.id].attended is True and rows[away.id].attended is False
    assert rows[came.id].marked_by == "clerk"
    first_mark = rows[came.id].marked_at
    clerk.at(2026, 12, 21, 6)
    again = post(clerk, "/console/reception/station/2026-12-20/attendance", present=str(came.id))
    assert "出席情况没有变化" in again.get_data(as_text=True)
    db.expire_all()
    assert db.get(ReceptionDuty, rows[came.id].id).marked_at == first_mark
    assert len(db.scalars(select(ReceptionDuty)).all()) == len(occ.deputies)
    assert attendance.attended_counts(db, 2026) == {came.id: 1}
    stranger = post(clerk, "/console/reception/station/2026-12-20/attendance", present="999999")
    assert "只能登记这次接待的值班代表" in stranger.get_data(as_text=True)


def test_the_bookings_list_prints_with_names_and_is_audited(app, clerk, db):
    clerk.at(2026, 12, 1, 2)
    Phone(app, BOOKER).says("预约")
    name = db.scalar(select(Voter.name).where(Voter.openid == BOOKER))
    day = clerk.get("/console/reception/station/2026-12-20").get_data(as_text=True)
    assert name in day and "1 / 20 人" in day
    sheet = clerk.get("/console/reception/station/2026-12-20/print").get_data(as_text=True)
    assert "乡人大代表联络站接待选民预约名单" in sheet and name in sheet and "签到" in sheet
    assert "reception.js" in sheet and "<script>" not in sheet and "top" not in sheet.split("<body")[1][:200]
    assert db.scalar(select(AuditEvent.action).where(AuditEvent.action == "reception.print_bookings"))


def _pages(pdf: bytes) -> int:
    """Page objects in the PDF (its page tree's count must agree)."""
    pages = len(re.findall(rb"/Type /Page\b(?!s)", pdf))
    assert re.search(rb"/Count %d\b" % pages, pdf)
    return pages


def _text(pdf: bytes, tmp_path) -> str | None:
    if shutil.which("pdftotext") is None:
        return None
    path = tmp_path / "n.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_notices_are_one_a4_page_per_site(app, clerk, db, tmp_path):
    clerk.at(2026, 12, 2, 2)
    res = clerk.get("/console/reception/notices.pdf?month=2026-12")
    assert res.status_code == 200 and res.mimetype == "application/pdf" and res.data.startswith(b"%PDF")
    sites = db.scalars(select(Site).order_by(Site.id)).all()
    assert _pages(res.data) == len(sites) == 4
    assert res.data.count(b"/MediaBox [ 0 0 595.2756 841.8898 ]") == 4  # A4
    assert b"FontFile2" in res.data  # the TrueType font embedded
    text = _text(res.data, tmp_path)
    if text is not None:
        for site in sites:
            assert site.name in text
        occ = station(db, 2026, 12)
        assert "2026年12月20日（星期日）" in text and occ.deputies[0].name in text and "发送“预约”" in text
    one = clerk.get("/console/reception/shanfu/2026-12-10/notice.pdf")
    assert _pages(one.data) == 1 and 'filename="notice-2026-12-shanfu.pdf"' in one.headers["Content-Disposition"]
    if text is not None:
        assert "善福联络点" in _text(one.data, tmp_path) and "七里脚" not in _text(one.data, tmp_path)
    # A cancelled reception prints no notice.
    post(clerk, "/console/reception/station/2026-12-20/cancel", confirm="yes")
    assert _pages(clerk.get("/console/reception/notices.pdf?month=2026-12").data) == 3


def test_only_admin_and_staff_reach_the_reception_pages(app, demo, db):
    add_user(app, "d001", "deputy", deputy_code="D001")
    add_user(app, "county", "county")
    for name in ("d001", "county"):
        client = log_in(app, name)
        for path in ("/console/reception", "/console/reception/rules", "/console/reception/holidays",
                     "/console/reception/station/2026-12-20/print", "/console/reception/notices.pdf"):
            res = client.get(path)
            assert res.status_code == 403 and "这项操作需要管理员、工作人员账号" in res.get_data(as_text=True), path
        token = csrf_token(client, "/console/")
        res = client.post("/console/reception/station/2026-12-20/cancel", data={"confirm": "yes", "csrf_token": token})
        assert res.status_code == 403
    assert not station(db, 2026, 12).cancelled
    assert "接待日" not in log_in(app, "d001").get("/console/").get_data(as_text=True).split("<main>")[0]


def test_the_notice_font_has_every_character_a_years_notices_print(demo, db, monkeypatch):
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    from bot.services.reception import notice

    printed: list[str] = []
    for name in ("drawString", "drawCentredString"):
        real = getattr(Canvas, name)

        def spy(self, x, y, text, *args, _real=real, **kw):
            printed.append(text)
            return _real(self, x, y, text, *args, **kw)

        monkeypatch.setattr(Canvas, name, spy)
    year = Calendar(db).plan(date(2026, 1, 1), 12)
    pdf = notice.render(notice.pages(year, lambda site_id: f"liaison-sandbox:site:{site_id}"),
                        f"{notice.township_name(db)}人大主席团", date(2026, 1, 1), sandbox=True)
    assert _pages(pdf) == len(year) == 48
    covered = set(TTFont("check", str(notice.FONT)).face.charToGlyph)
    text = "".join(printed)
    assert "春节" in text and "放假" in text  # February's reception moved off the holiday says so
    assert {ch for ch in text if ord(ch) not in covered} == set()
