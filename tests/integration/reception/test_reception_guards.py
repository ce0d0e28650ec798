"""What the review of the reception console found, each kept from coming back:
a rule or a holiday entered or removed never moves or drops a reception people
booked or were told of (console and CLI alike); a reception that took place
cannot be moved or cancelled; the reception desk checks the account in the
service layer; looking at a page or printing a notice stores no duty roster
and issues no QR code (a POST "生成二维码" does)."""
from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.cli.context import State
from bot.models import HolidayDay, IssuedQr, OutboundPush, QrCode, Reception, ReceptionDuty, ReceptionRule, User
from bot.services.reception.calendar import Calendar
from console_kit import add_user, csrf_token, log_in
from wechat_user import Phone

BOOKER = "oDEMO_voter_01_01"  # a voter of the station (20th)
RULE = {"day_of_month": "20", "starts": "09:00", "ends": "12:00", "place": "", "capacity": "20", "duty_count": "2",
        "holiday_policy": "next_workday", "active": "yes"}


def at(app, *when) -> None:
    app.extensions["liaison"].clock.value = datetime(*when, tzinfo=timezone.utc).timestamp()


@pytest.fixture
def clerk(app, demo):
    add_user(app, "clerk", "staff")

    class Clerk:
        client = log_in(app, "clerk")

        def at(self, *when):
            at(app, *when)
            self.client = log_in(app, "clerk")

        def get(self, path):
            return self.client.get(path)

        def post(self, path, **data):
            token = csrf_token(self.client, "/console/reception/rules")
            return self.client.post(path, data={"csrf_token": token, **data}, follow_redirects=True)

    return Clerk()


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, list(args), obj=State(app=app))


def station(db, year: int, month: int):
    db.expire_all()
    return next(o for o in Calendar(db).plan(date(year, month, 1), 1) if o.site_code == "station")


def changes(db) -> list[OutboundPush]:
    db.expire_all()
    return list(db.scalars(select(OutboundPush).where(OutboundPush.kind == "reception_change")))


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def test_a_rule_that_would_drop_a_booked_reception_is_refused_with_the_list(app, clerk, db, cli):
    clerk.at(2026, 12, 1, 2)
    assert "您是第 1 号" in Phone(app, BOOKER).says("预约").text
    page = clerk.post("/console/reception/rules/station", **{**RULE, "day_of_month": "25"}).get_data(as_text=True)
    assert "12月20日（周日） 乡人大代表联络站已有 1 人预约" in page
    assert "改规则后这次接待会从日历上消失" in page and "请先在这次接待的页面取消它" in page
    assert db.scalar(select(ReceptionRule.id)) is None and station(db, 2026, 12).date == date(2026, 12, 20)
    assert "您已预约12月20日" in Phone(app, BOOKER).says("预约").text  # still booked, not a second booking
    # The command line is refused the same way (it calls the same service).
    refused = cli("reception", "rule", "station", "--day", "25")
    assert refused.exit_code != 0 and "已有 1 人预约" in refused.output
    assert db.scalar(select(ReceptionRule.id)) is None
    # What does not move it is saved; so is another site's rule.
    kept = clerk.post("/console/reception/rules/station", **{**RULE, "place": "乡政府二楼"}).get_data(as_text=True)
    assert "已保存。乡人大代表联络站: 每月20日 09:00–12:00 乡政府二楼" in kept
    other = clerk.post("/console/reception/rules/shangfeng", **{**RULE, "day_of_month": "15"})
    assert "已保存。上丰联络点: 每月15日" in other.get_data(as_text=True)
    # Cancelled first (the booked voter is told once), the new day goes through.
    clerk.post("/console/reception/station/2026-12-20/cancel", confirm="yes")
    assert [p.recipient_openid for p in changes(db)] == [BOOKER]
    done = clerk.post("/console/reception/rules/station", **{**RULE, "day_of_month": "25"})
    assert "已保存。乡人大代表联络站: 每月25日" in done.get_data(as_text=True)
    assert station(db, 2026, 12).date == date(2026, 12, 25)


def test_holidays_entered_or_removed_never_move_a_booked_reception_silently(app, clerk, db, cli):
    clerk.at(2026, 12, 1, 2)
    # Nobody booked or reminded yet: a holiday on the 20th moves the station's day to Monday the 21st.
    entered = clerk.post("/console/reception/holidays/add", year="2026", text="冬季休假 2026-12-20")
    assert "已录入 2026 年：放假 1 天" in entered.get_data(as_text=True)
    assert station(db, 2026, 12).date == date(2026, 12, 21)
    Phone(app, BOOKER).says("预约")
    # Removing it would move the booked reception back to the 20th: refused, in the console and the CLI.
    page = clerk.post("/console/reception/holidays/remove", day="2026-12-20").get_data(as_text=True)
    assert "12月21日（周一） 乡人大代表联络站已有 1 人预约" in page
    assert "删除这天的录入后这次接待会改到12月20日（周日）" in page and "请先在这次接待的页面把它改期到12月20日（周日）" in page
    refused = cli("reception", "holidays", "remove", "2026-12-20")
    assert refused.exit_code != 0 and "会改到12月20日（周日）" in refused.output
    assert count(db, HolidayDay) == 1
    # Entering the 21st too would move it again: refused, all lines or none.
    more = clerk.post("/console/reception/holidays/add", year="2026", text="冬季休假 2026-12-21\n元旦 2026-12-31")
    assert more.status_code == 422 and "录入节假日后这次接待会改到12月22日（周二）" in more.get_data(as_text=True)
    refused = cli("reception", "holidays", "add", "2026-12-21..2026-12-22")
    assert refused.exit_code != 0 and "会改到12月23日（周三）" in refused.output
    assert count(db, HolidayDay) == 1 and station(db, 2026, 12).date == date(2026, 12, 21)
    assert not changes(db)
    # Moved on its page first (the booked voter is told), the holiday entry no longer moves it.
    clerk.post("/console/reception/station/2026-12-20/move", to="2026-12-22", confirm="yes")
    assert [p.recipient_openid for p in changes(db)] == [BOOKER]
    done = clerk.post("/console/reception/holidays/add", year="2026", text="冬季休假 2026-12-21")
    assert "已录入 2026 年" in done.get_data(as_text=True)
    assert cli("reception", "holidays", "remove", "2026-12-20").exit_code == 0
    assert [d.day for d in db.scalars(select(HolidayDay))] == [date(2026, 12, 21)]
    assert station(db, 2026, 12).date == date(2026, 12, 22) and len(changes(db)) == 1


def test_a_reception_that_took_place_cannot_be_moved_or_cancelled(app, clerk, db, cli):
    from bot.services.reception import attendance

    clerk.at(2026, 12, 20, 6)  # the station's day, 14:00 in Beijing
    occ = station(db, 2026, 12)
    came = occ.deputies[0]
    clerk.post("/console/reception/station/2026-12-20/attendance", present=str(came.id))
    assert attendance.attended_counts(db, 2026) == {came.id: 1}
    today = clerk.post("/console/reception/station/2026-12-20/cancel", confirm="yes").get_data(as_text=True)
    assert "已经登记了值班代表出席，不能再改期或取消" in today
    page = clerk.get("/console/reception/station/2026-12-20").get_data(as_text=True)
    assert 'id="change-closed"' in page and 'id="form-cancel"' not in page and 'id="form-move"' not in page
    clerk.at(2026, 12, 28, 2)
    for action, extra in (("cancel", {}), ("move", {"to": "2026-12-30"})):
        res = clerk.post(f"/console/reception/station/2026-12-20/{action}", confirm="yes", **extra)
        assert "不能再改期或取消" in res.get_data(as_text=True), action
    refused = cli("reception", "cancel", "station", "2026-12-20", "--by", "值班员")
    assert refused.exit_code != 0 and "不能再改期或取消" in refused.output
    # Past and unmarked (the points' day, 10 December): refused too.
    past = clerk.post("/console/reception/shanfu/2026-12-10/cancel", confirm="yes").get_data(as_text=True)
    assert "善福联络点12月10日（周四）的接待已经过去了，不能再改期或取消" in past
    db.expire_all()
    assert not station(db, 2026, 12).cancelled and attendance.attended_counts(db, 2026) == {came.id: 1}
    assert not changes(db)


def test_the_reception_desk_checks_the_account_itself(app, demo, db):
    from bot.services.accounts import Forbidden
    from bot.services.reception_desk import days, notices, setup

    add_user(app, "d001", "deputy", deputy_code="D001")
    add_user(app, "county", "county")
    add_user(app, "clerk", "staff")
    now, today = datetime(2026, 12, 28, 2, tzinfo=timezone.utc), date(2026, 12, 28)
    users = {u.username: u for u in db.scalars(select(User))}
    occ = station(db, 2026, 12)
    where = {"address": "127.0.0.1", "now": now}
    calls = {
        "month": lambda by: days.month(db, by, "2026-12", today),
        "reception": lambda by: days.reception(db, by, "station", date(2026, 12, 20)),
        "day": lambda by: days.day(db, by, occ, today),
        "bookings": lambda by: days.bookings_sheet(db, by, occ, **where),
        "attendance": lambda by: days.mark_attendance(db, by, occ, set(), today=today, **where),
        "change": lambda by: days.change(db, by, occ, to=None, note="", **where),
        "rules": lambda by: setup.rule_listing(db, by),
        "rule": lambda by: setup.save_rule(db, by, setup.rules.site(db, "station"), {"day_of_month": 25},
                                           today=today, **where),
        "holidays": lambda by: setup.enter_holidays(db, by, 2027, "元旦 2027-01-01", today=today, **where),
        "remove": lambda by: setup.remove_holiday(db, by, date(2027, 1, 1), today=today, **where),
        "notices": lambda by: notices.pages(db, by, None, "2026-12", today, sandbox=True, **where),
        "codes": lambda by: notices.issue_codes(db, by, [], create=None, **where),
    }
    for call in calls.values():
        for who in (users["d001"], users["county"], None):
            with pytest.raises(Forbidden):
                call(who)
            db.rollback()
    assert count(db, ReceptionRule) == count(db, HolidayDay) == count(db, IssuedQr) == count(db, Reception) == 0
    users["clerk"].active = False
    with pytest.raises(Forbidden):
        calls["month"](users["clerk"])
    db.rollback()
    assert days.month(db, users["clerk"], "2026-12", today).title == "2026年12月"
    # The console's reception views reach the calendar only through the desk.
    import bot.console.reception as views

    assert not {"attendance", "reminders", "rules", "holidays", "notice", "month", "access"} & set(vars(views))


def test_looking_and_printing_store_nothing_and_issue_no_code(app, clerk, db, tmp_path):
    clerk.at(2026, 12, 20, 6)
    page = clerk.get("/console/reception/station/2026-12-20").get_data(as_text=True)
    assert 'name="present"' in page and station(db, 2026, 12).deputies[0].name in page
    assert count(db, Reception) == count(db, ReceptionDuty) == 0  # the duty roster is shown, not stored
    month = clerk.get("/console/reception?month=2026-12").get_data(as_text=True)
    assert 'id="form-codes"' in month and "还没有二维码" in month
    one = clerk.get("/console/reception/station/2026-12-20/notice.pdf")
    every = clerk.get("/console/reception/notices.pdf?month=2026-12")
    assert one.status_code == every.status_code == 200 and one.data.startswith(b"%PDF")
    assert count(db, IssuedQr) == count(db, QrCode) == count(db, Reception) == 0
    if shutil.which("pdftotext"):
        (tmp_path / "n.pdf").write_bytes(one.data)
        text = subprocess.run(["pdftotext", str(tmp_path / "n.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "本站点还没有二维码" in text and "生成二维码" in text
    # The button is a POST with the CSRF token; it issues the site's code once.
    assert clerk.client.post("/console/reception/codes", data={"site": "station"}).status_code == 400
    done = clerk.post("/console/reception/codes", site="station", nominal="2026-12-20").get_data(as_text=True)
    assert "已为乡人大代表联络站生成二维码" in done and 'id="form-code"' not in done
    assert count(db, IssuedQr) == 1
    again = clerk.post("/console/reception/codes", site="station").get_data(as_text=True)
    assert "这些站点都已有二维码" in again and count(db, IssuedQr) == 1
    # The printed notice now carries that code; the other sites' still say they have none.
    from bot.services.reception_desk import notices

    [issued] = db.scalars(select(IssuedQr)).all()
    items = {p.occ.site_code: p.qr for p in notices.pages(
        db, db.scalar(select(User).where(User.username == "clerk")), None, "2026-12", date(2026, 12, 20),
        sandbox=True, address=None, now=datetime(2026, 12, 20, tzinfo=timezone.utc))}
    assert items["station"] == f"liaison-sandbox:site:{issued.scene_key}" and items["shanfu"] is None


def test_in_production_wechats_code_is_requested_by_the_button_only_and_once(app, demo, db):
    from bot.services.reception_desk import notices

    add_user(app, "clerk", "staff")
    me = db.scalar(select(User).where(User.username == "clerk"))
    asked: list[str] = []

    def create(scene: str) -> dict:
        asked.append(scene)
        return {"ticket": f"t-{len(asked)}", "url": f"http://weixin.qq.com/q/{len(asked)}"}

    now = datetime(2026, 12, 1, tzinfo=timezone.utc)
    where = {"address": None, "now": now}
    shown = notices.pages(db, me, None, "2026-12", date(2026, 12, 1), sandbox=False, **where)
    assert [p.qr for p in shown] == [None] * 4 and not asked
    assert len(notices.issue_codes(db, me, [], create=create, address=None, now=now)) == 4 and len(asked) == 4
    assert notices.issue_codes(db, me, [], create=create, address=None, now=now) == [] and len(asked) == 4
    shown = notices.pages(db, me, None, "2026-12", date(2026, 12, 1), sandbox=False, **where)
    assert sorted(p.qr for p in shown) == [f"http://weixin.qq.com/q/{n}" for n in range(1, 5)]
    assert Counter(db.scalars(select(QrCode.scene))).most_common(1)[0][1] == 1
