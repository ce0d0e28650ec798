"""The dashboard's further figures with known tickets: by village, response and
resolution times, satisfaction by deputy, "3+10" health, and the list's site and
overdue filters; a deputy counts only what they see and no one else's ratings."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, true

from bot.models import Role, Site, Ticket, User, Voter
from bot.services.accounts import access
from bot.services.roster import report
from bot.services.station import Station
from bot.services.tickets import board, board_figures
from console_kit import add_user, log_in
from lifecycle_kit import number_in
from wechat_user import Phone

START = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # Monday, 09:00 in Beijing
HOUR = 3600


def _voters(db, n=3):
    """n bound voters in different villages whose group deputies differ and are on WeChat."""
    chosen: list[Voter] = []
    for v in db.scalars(select(Voter).where(Voter.openid.is_not(None), Voter.group_id.is_not(None))
                        .order_by(Voter.id)):
        deputy = v.group.deputy
        if deputy is None or not deputy.openid:
            continue
        if all(v.village_id != c.village_id and deputy.id != c.group.deputy_id for c in chosen):
            chosen.append(v)
        if len(chosen) == n:
            return chosen
    raise AssertionError("the demo township has too few villages")


def _story(app, ext, db):
    """Voter A: answered after 2 h, resolved after 24 h, rated 5. Voter B: 4 h, 48 h, rated 2.
    Voter C: one ticket nobody answers; A: a second one, open."""
    a, b, c = _voters(db)
    da, db_ = a.group.deputy, b.group.deputy
    ext.clock.value = START.timestamp()
    first = number_in(Phone(app, a.openid).says("村里自来水停了三天了").text)
    second = number_in(Phone(app, b.openid).says("村口的路灯坏了三个月了").text)
    unanswered = number_in(Phone(app, c.openid).says("小学门口的水沟堵了，下雨就积水").text)
    ext.clock.value += 2 * HOUR
    assert Phone(app, da.openid).says(f"受理 {first}").text.startswith("已受理")
    ext.clock.value += 2 * HOUR
    assert Phone(app, db_.openid).says(f"受理 {second}").text.startswith("已受理")
    ext.clock.value += 20 * HOUR  # 24 h after opening
    assert "已办结" in Phone(app, da.openid).says(f"办结 {first} 已修复通水").text
    assert "感谢" in Phone(app, a.openid).says("5").text
    ext.clock.value += 24 * HOUR  # 48 h
    assert "已办结" in Phone(app, db_.openid).says(f"办结 {second} 已换新灯").text
    assert "感谢" in Phone(app, b.openid).says("不满意").text
    later = number_in(Phone(app, a.openid).says("村东头的桥栏杆断了，很危险").text)
    db.expire_all()
    return {"a": a, "b": b, "c": c, "da": da, "db": db_, "first": first, "second": second,
            "unanswered": unanswered, "later": later}


def _deputy_user(deputy):
    return User(username="x", role=Role.DEPUTY, active=True, deputy_id=deputy.id)


def test_each_figure_over_known_tickets(app, ext, demo, db):
    k = _story(app, ext, db)
    now = ext.now()
    villages = dict(board_figures.by_village(db, true()))
    assert villages == {k["a"].village.name: 2, k["b"].village.name: 1, k["c"].village.name: 1}
    top = board_figures.by_village(db, true(), top=1)
    assert top == [(k["a"].village.name, 2), ("其他村", 2)]

    d = board_figures.durations(db, true(), now=now)
    assert (d.first_response.n, d.first_response.median, d.first_response.p90) == (2, 3.0, 4.0)
    assert (d.resolution.n, d.resolution.median, d.resolution.p90) == (2, 36.0, 48.0)
    # A ticket opened more than 12 months ago is left out.
    gone = db.scalar(select(Ticket).where(Ticket.number == k["first"]))
    gone.created_at = now - timedelta(days=400)
    db.flush()
    assert board_figures.durations(db, true(), now=now).first_response.n == 1
    db.rollback()

    rows = board_figures.satisfaction(db, true())
    assert [(r.deputy, r.ratings, r.average) for r in rows] == [(k["da"].name, 1, 5.0), (k["db"].name, 1, 2.0)]


def test_a_deputy_counts_only_their_tickets_and_sees_only_their_own_rating(app, ext, demo, db):
    k = _story(app, ext, db)
    now, station = ext.now(), Station(resolve_days=15)
    me = _deputy_user(k["da"])
    mine = access.visible(me)
    assert board.counts(db, mine, now=now, station=station) == {"open": 1, "overdue": 0, "urgent": 0}
    assert board.counts(db, true(), now=now, station=station)["open"] == 2
    assert dict(board_figures.by_village(db, mine)) == {k["a"].village.name: 2}
    assert board_figures.durations(db, mine, now=now).first_response.n == 1
    ratings = board_figures.satisfaction(db, mine, deputy_id=access.own_deputy(me))
    assert [(r.deputy, r.ratings) for r in ratings] == [(k["da"].name, 1)]
    # Even a ticket escalated to them that someone else handled shows only their own line.
    other = db.scalar(select(Ticket).where(Ticket.number == k["second"]))
    other.escalated_to_id = k["da"].id
    db.flush()
    assert [r.deputy for r in board_figures.satisfaction(db, access.visible(me), deputy_id=access.own_deputy(me))] \
        == [k["da"].name]
    assert access.own_deputy(User(username="s", role=Role.STAFF, active=True)) is None
    db.rollback()


def test_site_and_overdue_filters_use_the_slas_rule(app, ext, demo, db):
    k = _story(app, ext, db)
    now, station = ext.now(), Station(resolve_days=15)
    late = db.scalar(select(Ticket).where(Ticket.number == k["unanswered"]))
    late.sla_started_at = late.created_at = now - timedelta(days=30)
    db.commit()
    assert board.counts(db, true(), now=now, station=station)["overdue"] == 1
    rows, total = board.search(db, true(), board.Filters(overdue=True), now=now, station=station)
    assert (total, [r.number for r in rows]) == (1, [k["unanswered"]])
    assert board.search(db, true(), board.Filters(overdue=False), now=now, station=station)[1] == 3
    # Fifteen working days, not calendar days: 16 calendar days back is not late yet.
    late.sla_started_at = late.created_at = now - timedelta(days=16)
    db.commit()
    assert board.search(db, true(), board.Filters(overdue=True), now=now, station=station)[1] == 0
    site_id = db.scalar(select(Ticket.site_id).where(Ticket.number == k["first"]))
    assert site_id is not None
    elsewhere = db.scalar(select(Site.id).where(Site.id != site_id).order_by(Site.id))
    db.scalar(select(Ticket).where(Ticket.number == k["second"])).site_id = elsewhere
    db.commit()
    rows, total = board.search(db, true(), board.Filters(site_id=elsewhere), now=now, station=station)
    assert (total, [r.number for r in rows]) == (1, [k["second"]])
    assert k["second"] not in {r.number for r in board.search(db, true(), board.Filters(site_id=site_id))[0]}
    assert {site_id, elsewhere} <= {id_ for id_, _ in board.choices(db, true())["sites"]}


def test_health_counts_match_roster_check(demo, db):
    found = report.check(db)
    counts = report.problem_counts(db)
    assert [key for key, _, _ in counts] == list(report.CHECKS)
    assert all(n == len(found[key]) for key, _, n in counts)


def test_the_dashboard_page_per_role(app, ext, demo, db):
    k = _story(app, ext, db)
    add_user(app, "clerk")
    add_user(app, "dep", "deputy", k["da"].code)
    add_user(app, "county", "county")
    staff = log_in(app, "clerk").get("/console/").get_data(as_text=True)
    assert "/console/roster/health" in staff and 'id="table-health"' in staff
    assert k["da"].name in staff and k["db"].name in staff and "其他村" not in staff
    assert "3.0 小时" in staff and "1.5 天" in staff  # medians: first response 3 h, resolution 36 h
    mine = log_in(app, "dep").get("/console/").get_data(as_text=True)
    assert 'id="table-health"' not in mine and "/console/roster/health" not in mine
    table = mine.split('id="table-ratings"')[1].split("</table>")[0]
    assert k["da"].name in table and k["db"].name not in table
    assert 'id="count-open">1<' in mine
    county = log_in(app, "county").get("/console/").get_data(as_text=True)
    assert "还没有评价" in county and 'id="table-health"' not in county
    listed = log_in(app, "clerk").get("/console/tickets?overdue=0").get_data(as_text=True)
    assert "共 4 件" in listed
