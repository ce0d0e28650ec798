"""Broadcasts in the staff console, without a browser: the live audience count
is what sending reaches (unsubscribed voters skipped and counted), a
scheduled time is kept in Beijing time and lies ahead, pause / resume /
cancel move the states and are audited, the delivery report masks every
recipient (page and .xlsx), the publicity-day drafts appear each year, and
accounts other than admin and staff are refused."""
from __future__ import annotations

import io
import re
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.jobs import SEND_BROADCAST, sender
from bot.models import AuditEvent, Broadcast, BroadcastDelivery, User, Voter
from bot.services.accounts import Forbidden
from bot.services.broadcasts import broadcast as service
from bot.services.broadcasts import desk
from console_kit import add_user, csrf_token, log_in

WECHAT = {"WECHAT_APP_ID": "wxtestapp", "WECHAT_APP_SECRET": "s3cret", "WECHAT_TOKEN": "tok0123456789abcdef",
          "WECHAT_TIMEOUT": 5.0, "BROADCAST_RATE": 0.0, "BROADCAST_BATCH": 200, "BROADCAST_BACKOFF": 0.05,
          "BROADCAST_LEASE": 1.0, "BROADCAST_ACCOUNT_RATE": 0, "WECHAT_TEMPLATE_ID": "TPL_NOTICE"}
GONE = "oDEMO_voter_12_01"  # a fixed voter at 上丰 who unfollowed the account


@pytest.fixture
def wx(make_app, fake_wechat):
    return make_app(WECHAT_API_BASE=fake_wechat.base, **WECHAT)


@pytest.fixture
def township(wx):
    from bot.services.roster.demo import seed

    ext = wx.extensions["liaison"]
    with ext.Session() as s:
        seed(s, 7)
        s.scalar(select(Voter).where(Voter.openid == GONE)).subscribed = False
        s.commit()
    add_user(wx, "clerk", "staff")
    return wx


def work(app) -> list[str]:
    """What a Celery worker does with the jobs the console left: run each broadcast's sender."""
    queue, ext, states = app.config["TASK_QUEUE"], app.extensions["liaison"], []
    with app.app_context():
        while queue.items:
            name, args = queue.items.pop(0)
            assert name == SEND_BROADCAST, name
            states.append(sender.run(ext, *args))
    return states


def form_tokens(client, path: str) -> dict[str, str]:
    """The hidden tokens of a compose form: CSRF and the one-use compose token."""
    page = client.get(path).get_data(as_text=True)
    return dict(re.findall(r'name="(csrf_token|compose_token)" value="([^"]+)"', page))


def compose(client, **form):
    data = {"text": "本周六上午九点在上丰联络点接待选民，欢迎来反映意见。", "title": "接待日通知", "do": "now", **form}
    if "csrf_token" not in data:
        data = {**form_tokens(client, "/console/broadcasts/new"), **data}
    return client.post("/console/broadcasts/new", data=data)


def account(db, name: str) -> User:
    return db.scalar(select(User).where(User.username == name))


def newest(db) -> Broadcast:
    db.expire_all()
    return db.scalars(select(Broadcast).order_by(Broadcast.id.desc())).first()


def test_staff_see_the_count_of_one_site_and_sending_reaches_exactly_those(township, fake_wechat, db):
    client = log_in(township, "clerk")
    count = client.get("/console/broadcasts/audience?kind=sites&codes_sites=shangfeng&text=x").get_data(as_text=True)
    recipients = int(re.search(r'id="recipients">(\d+)<', count).group(1))
    skipped = int(re.search(r'id="skipped">(\d+)<', count).group(1))
    assert (recipients, skipped) == (39, 1)

    sent = compose(client, kind="sites", codes_sites="shangfeng")
    assert sent.status_code == 302
    b = newest(db)
    assert b.status == "scheduled" and b.author == "clerk"
    assert township.config["TASK_QUEUE"].items == [(SEND_BROADCAST, (b.id,))]  # after the commit, to the worker
    assert work(township) == ["done"]
    st = service.status(db, b.id)
    assert (st["sent"], st["skipped"], st["failed"], st["waiting"]) == (recipients, skipped, 0, 0)
    reached = {m["touser"] for m in fake_wechat.sent}
    assert len(reached) == recipients and GONE not in reached
    [gone] = db.scalars(select(BroadcastDelivery).where(BroadcastDelivery.broadcast_id == b.id,
                                                        BroadcastDelivery.status == "skipped"))
    assert gone.openid == GONE and gone.reason == "unsubscribed"
    page = client.get(f"/console/broadcasts/{b.id}").get_data(as_text=True)
    assert 'aria-valuenow="100"' in page and "已发完" in page and "hx-trigger" not in page


@pytest.mark.parametrize("form", [{"kind": "all"}, {"kind": "deputies"},
                                  {"kind": "villages", "codes_villages": ["V13", "V14"]},
                                  {"kind": "groups", "codes_groups": ["G01", "G02"]},
                                  {"kind": "sites", "codes_sites": ["station", "qilijiao"]}])
def test_every_kind_of_audience_counts_what_sending_reaches(township, fake_wechat, db, form):
    counted = desk.audience(db, account(db, "clerk"), desk.Draft(kind=form["kind"], codes=next(
        (v for k, v in form.items() if k.startswith("codes_")), [])))
    assert counted["error"] == "" and counted["recipients"] > 0
    client = log_in(township, "clerk")
    assert compose(client, **form).status_code == 302
    work(township)
    st = service.status(db, newest(db).id)
    assert (st["sent"], st["skipped"]) == (counted["recipients"], counted["skipped"])
    assert len(fake_wechat.sent) == counted["recipients"]


def test_choosing_sites_without_ticking_one_says_so_and_saves_nothing(township, db):
    client = log_in(township, "clerk")
    fragment = client.get("/console/broadcasts/audience?kind=sites").get_data(as_text=True)
    assert "请至少选一个站点" in fragment
    refused = compose(client, kind="sites")
    assert refused.status_code == 422 and "请至少选一个站点" in refused.get_data(as_text=True)
    assert newest(db) is None and township.config["TASK_QUEUE"].items == []


def test_a_scheduled_broadcast_keeps_its_beijing_time_and_waits_for_it(township, db):
    township.config["CLOCK"].value = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc).timestamp()
    client = log_in(township, "clerk")
    past = compose(client, kind="deputies", do="schedule", when="2026-06-01T09:30")  # 01:30 UTC: gone
    assert past.status_code == 422 and "已经过了" in past.get_data(as_text=True)
    assert newest(db) is None
    later = compose(client, kind="deputies", do="schedule", when="2026-06-05T09:00")
    assert later.status_code == 302
    b = newest(db)
    assert b.status == "scheduled" and b.scheduled_at == datetime(2026, 6, 5, 1, 0, tzinfo=timezone.utc)
    assert b.scheduled_at > datetime.fromtimestamp(township.config["CLOCK"].value, timezone.utc)
    assert township.config["TASK_QUEUE"].items == []  # the dispatcher starts it at its time
    page = client.get(f"/console/broadcasts/{b.id}").get_data(as_text=True)
    assert "2026-06-05 09:00" in page and "已排期" in page


def test_pause_resume_and_cancel_move_the_states_and_are_audited(township, db):
    client = log_in(township, "clerk")
    compose(client, kind="sites", codes_sites="shangfeng")
    b = newest(db)
    township.config["TASK_QUEUE"].items.clear()
    ext = township.extensions["liaison"]
    with ext.Session() as s:  # the worker has begun: recipients staged, none sent yet
        service.start(s, b.id, ext.now())
        while service.stage(s, b.id, 1000):
            pass
        s.commit()
    token = csrf_token(client, f"/console/broadcasts/{b.id}")

    def post(action, **extra):
        return client.post(f"/console/broadcasts/{b.id}/{action}", data={"csrf_token": token, **extra},
                           follow_redirects=True).get_data(as_text=True)

    assert "已暂停" in post("pause") and newest(db).status == "paused"
    assert "已继续发送" in post("resume") and newest(db).status == "sending"
    assert township.config["TASK_QUEUE"].items == [(SEND_BROADCAST, (b.id,))]  # the sender starts again
    assert "我确认" in post("cancel") and newest(db).status == "sending"  # no tick, no cancel
    assert "已取消" in post("cancel", confirm="yes") and newest(db).status == "cancelled"
    reasons = {r.reason for r in db.scalars(select(BroadcastDelivery).where(BroadcastDelivery.broadcast_id == b.id))}
    assert reasons == {"cancelled", "unsubscribed"}
    assert "不能暂停" in post("pause")
    actions = [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.target == f"broadcast:{b.id}")
                                            .order_by(AuditEvent.id))]
    assert actions == ["broadcast.send", "broadcast.pause", "broadcast.resume", "broadcast.cancel"]


def test_the_progress_fragment_polls_until_the_end_then_swaps_the_buttons(township, db):
    client = log_in(township, "clerk")
    compose(client, kind="deputies")
    b = newest(db)
    waiting = client.get(f"/console/broadcasts/{b.id}/progress?shown=scheduled").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in waiting and 'aria-valuenow="0"' in waiting and "hx-swap-oob" not in waiting
    assert 'id="n-waiting">51<' in waiting
    work(township)
    done = client.get(f"/console/broadcasts/{b.id}/progress?shown=scheduled").get_data(as_text=True)
    assert "hx-trigger" not in done and 'aria-valuenow="100"' in done and 'id="n-sent">51<' in done
    assert 'id="controls" hx-swap-oob="true"' in done and "form-pause" not in done


def test_the_delivery_report_masks_each_recipient_on_the_page_and_in_the_xlsx(township, db):
    client = log_in(township, "clerk")
    compose(client, kind="sites", codes_sites="shangfeng")
    work(township)
    b = newest(db)
    page = client.get(f"/console/broadcasts/{b.id}/report").get_data(as_text=True)
    assert "共 40 人" in page and "oDEMO" not in page and "已取消关注公众号" in page
    only_skipped = client.get(f"/console/broadcasts/{b.id}/report?status=skipped").get_data(as_text=True)
    assert "共 1 人" in only_skipped

    got = client.get(f"/console/broadcasts/{b.id}/report.xlsx")
    assert got.status_code == 200 and got.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(got.data), read_only=True)
    rows = list(book["发送明细"].iter_rows(values_only=True))
    assert rows[0][:6] == ("序号", "接收人", "村", "身份", "结果", "原因")
    assert len(rows) == 41 and [r[0] for r in rows[1:]] == list(range(1, 41))
    assert sorted(r[4] for r in rows[1:]).count("已发送") == 39
    [skipped] = [r for r in rows[1:] if r[4] == "跳过"]
    assert skipped[5] == "已取消关注公众号" and re.fullmatch(r".某|群众", skipped[1])
    assert {r[2] for r in rows[1:]} <= {"上丰村", "下丰村", "柳树湾村"}
    cells = [str(v) for row in rows for v in row if v is not None]
    assert not [c for c in cells if "oDEMO" in c], "no openid leaves in the file"
    assert all(re.fullmatch(r".某|群众", r[1]) for r in rows[1:])
    about = dict(book["概况"].iter_rows(values_only=True))
    assert about["已发送"] == 39 and about["跳过"] == 1 and about["发给"] == "按联络站点：上丰联络点"
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "export.broadcast_report"))
    assert (event.actor, event.target, event.detail) == ("clerk", f"broadcast:{b.id}", "40 行")


def test_the_publicity_day_drafts_appear_in_the_list_each_year(township, db):
    clock = township.config["CLOCK"]
    clock.value = datetime(2027, 3, 1, tzinfo=timezone.utc).timestamp()
    client = log_in(township, "clerk")
    page = client.get("/console/broadcasts").get_data(as_text=True)
    for title in ("6月5日环境日", "6月25日全国土地日", "12月4日国家宪法日"):
        assert page.count(f"<strong>{title}</strong>") == 1
    assert page.count("宣传日草稿") == 3
    client.get("/console/broadcasts")
    assert len(db.scalars(select(Broadcast)).all()) == 3  # once a year, however often the list is opened
    clock.value = datetime(2028, 1, 2, tzinfo=timezone.utc).timestamp()
    client = log_in(township, "clerk")  # the idle timeout saw a year go by
    assert client.get("/console/broadcasts").get_data(as_text=True).count("宣传日草稿") == 6
    constitution = db.scalar(select(Broadcast).where(Broadcast.campaign_key == "publicity:2028:constitution"))
    assert constitution.status == "draft" and constitution.scheduled_at == datetime(2028, 12, 4, 1, 0,
                                                                                   tzinfo=timezone.utc)


def test_editing_a_publicity_draft_and_sending_it_now_sends_now(township, db):
    township.config["CLOCK"].value = datetime(2027, 6, 4, 1, 0, tzinfo=timezone.utc).timestamp()
    client = log_in(township, "clerk")
    client.get("/console/broadcasts")
    draft = db.scalar(select(Broadcast).where(Broadcast.campaign_key == "publicity:2027:environment"))
    form = client.get(f"/console/broadcasts/{draft.id}/edit").get_data(as_text=True)
    assert "六五环境日" in form and 'value="2027-06-05T09:00"' in form
    tokens = form_tokens(client, f"/console/broadcasts/{draft.id}/edit")
    client.post(f"/console/broadcasts/{draft.id}/edit", data={
        **tokens, "text": "明天是六五环境日，请不要焚烧秸秆。", "title": "6月5日环境日", "kind": "deputies",
        "do": "now", "when": "2027-06-05T09:00"})
    db.expire_all()
    sent = db.get(Broadcast, draft.id)
    assert sent.status == "scheduled" and sent.text.startswith("明天是") and sent.targets == {"kind": "deputies",
                                                                                             "codes": []}
    assert sent.scheduled_at == datetime(2027, 6, 4, 1, 0, tzinfo=timezone.utc)
    assert township.config["TASK_QUEUE"].items == [(SEND_BROADCAST, (draft.id,))]
    work(township)
    again = client.get(f"/console/broadcasts/{draft.id}/edit", follow_redirects=True).get_data(as_text=True)
    assert "不能再修改" in again


@pytest.mark.parametrize("role", ["deputy", "county"])
def test_accounts_other_than_admin_and_staff_are_refused(township, db, role):
    add_user(township, "other", role, deputy_code="D012" if role == "deputy" else None)
    client = log_in(township, "other")
    compose(log_in(township, "clerk"), kind="deputies")
    b = newest(db)
    work(township)
    for path in ("/console/broadcasts", "/console/broadcasts/new", "/console/broadcasts/audience?kind=all",
                 f"/console/broadcasts/{b.id}", f"/console/broadcasts/{b.id}/progress",
                 f"/console/broadcasts/{b.id}/report", f"/console/broadcasts/{b.id}/report.xlsx"):
        got = client.get(path)
        assert got.status_code == 403 and "没有权限" in got.get_data(as_text=True), path
    token = csrf_token(client, "/console/")
    assert compose(client, kind="all", csrf_token=token).status_code == 403
    assert client.post(f"/console/broadcasts/{b.id}/cancel", data={"csrf_token": token,
                                                                   "confirm": "yes"}).status_code == 403
    assert newest(db).id == b.id and newest(db).status == "done"
    with pytest.raises(Forbidden):
        desk.listing(db, account(db, "other"), datetime.now(timezone.utc))
    assert not db.scalars(select(AuditEvent).where(AuditEvent.action == "export.broadcast_report")).all()
    assert "群发通知" not in client.get("/console/").get_data(as_text=True)


def test_a_form_without_its_csrf_token_sends_nothing(township, db):
    client = log_in(township, "clerk")
    got = client.post("/console/broadcasts/new", data={"text": "x", "kind": "all", "do": "now"})
    assert got.status_code == 400 and newest(db) is None


def test_the_command_line_refuses_a_time_already_past_as_the_console_does(township, db):
    from bot.cli import main
    from bot.cli.context import State

    township.config["CLOCK"].value = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc).timestamp()
    runner = township.test_cli_runner()
    cli = lambda *a: runner.invoke(main, list(a), obj=State(app=township))  # noqa: E731
    assert cli("broadcast", "create", "--text", "本周六停水。", "--to", "deputies", "--by", "张干事").exit_code == 0
    bid = newest(db).id
    past = cli("broadcast", "send", str(bid), "--at", "2026-06-01 09:30")
    assert past.exit_code != 0 and "已经过了" in past.output and newest(db).status == "draft"
    later = cli("broadcast", "send", str(bid), "--at", "2026-06-05 09:00")
    assert later.exit_code == 0 and "将于 2026-06-05 09:00（北京时间）发送" in later.output
    assert newest(db).scheduled_at == datetime(2026, 6, 5, 1, 0, tzinfo=timezone.utc)


def test_a_double_click_on_send_now_makes_and_sends_one_broadcast(township, fake_wechat, db):
    client = log_in(township, "clerk")
    tokens = form_tokens(client, "/console/broadcasts/new")
    assert set(tokens) == {"csrf_token", "compose_token"}
    refused = compose(client, kind="sites", **tokens)  # a mistake first: the form's token is not used up
    assert refused.status_code == 422 and newest(db) is None
    first = compose(client, kind="deputies", **tokens)
    second = compose(client, kind="deputies", **tokens)  # the same form, posted again
    b = newest(db)
    assert first.status_code == second.status_code == 302
    assert first.location.endswith(f"/console/broadcasts/{b.id}") and second.location == first.location
    assert "这条群发已经提交过了" in client.get(second.location).get_data(as_text=True)
    assert len(db.scalars(select(Broadcast)).all()) == 1
    assert township.config["TASK_QUEUE"].items == [(SEND_BROADCAST, (b.id,))]
    work(township)
    assert len(fake_wechat.sent) == service.status(db, b.id)["sent"] == 51  # each deputy once
    edit = form_tokens(client, f"/console/broadcasts/{b.id}/edit")  # another form, another token
    assert edit == {} or edit["compose_token"] != tokens["compose_token"]
    actions = [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.action.like("broadcast.%")))]
    assert actions == ["broadcast.send"]


def test_an_edit_form_posted_twice_starts_the_sender_once(township, db):
    client = log_in(township, "clerk")
    compose(client, kind="deputies", do="draft")
    b = newest(db)
    tokens = form_tokens(client, f"/console/broadcasts/{b.id}/edit")
    form = {**tokens, "text": "改过的正文", "kind": "deputies", "do": "now"}
    for _ in range(2):
        got = client.post(f"/console/broadcasts/{b.id}/edit", data=form)
        assert got.status_code == 302 and got.location.endswith(f"/console/broadcasts/{b.id}")
    assert township.config["TASK_QUEUE"].items == [(SEND_BROADCAST, (b.id,))]


def test_a_broadcast_waiting_for_its_time_is_polled_slowly_and_not_recounted(township, db, monkeypatch):
    township.config["CLOCK"].value = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc).timestamp()
    client = log_in(township, "clerk")
    compose(client, kind="deputies", do="schedule", when="2026-06-05T09:00")
    b = newest(db)
    page = client.get(f"/console/broadcasts/{b.id}").get_data(as_text=True)
    assert 'hx-trigger="every 30s"' in page and 'id="n-waiting">51<' in page
    poll = re.search(r'hx-get="([^"]+)"', page).group(1).replace("&amp;", "&")
    assert "expected=51" in poll
    counted = []
    monkeypatch.setattr(service, "counts", lambda *a, **k: counted.append(a) or {"recipients": 0, "skipped": 0})
    fragment = client.get(poll).get_data(as_text=True)
    assert counted == [] and 'id="n-waiting">51<' in fragment and 'hx-trigger="every 30s"' in fragment
    township.config["CLOCK"].value = datetime(2026, 6, 5, 0, 59, 30, tzinfo=timezone.utc).timestamp()
    client = log_in(township, "clerk")  # the idle timeout saw four days go by
    soon = client.get(poll).get_data(as_text=True)  # half a minute before its time: every second
    assert counted == [] and 'hx-trigger="every 1s"' in soon


def test_text_that_looks_like_a_formula_stays_text_in_the_xlsx_without_a_quote(township, db):
    client = log_in(township, "clerk")
    title = '=HYPERLINK("http://example.com","点我")'
    compose(client, kind="deputies", title=title, text="-1 号通知：+86 电话 @所有人")
    work(township)
    b = newest(db)
    got = client.get(f"/console/broadcasts/{b.id}/report.xlsx")
    book = load_workbook(io.BytesIO(got.data))
    about = {row[0].value: row[1] for row in book["概况"].iter_rows()}
    assert about["标题"].value == title and about["标题"].data_type == "s"
    assert about["正文"].value == "-1 号通知：+86 电话 @所有人" and about["正文"].data_type == "s"
    assert about["已发送"].value == 51 and about["已发送"].data_type == "n"


def test_the_console_stylesheet_closes_every_block():
    """Two merges left @media blocks open, and every rule after them (the
    compose form's layout, the hidden pickers) applied on narrow screens only."""
    from pathlib import Path

    import bot.console

    css = re.sub(r"/\*.*?\*/", "", (Path(bot.console.__file__).parent / "static" / "console.css").read_text(),
                 flags=re.S)
    depth = 0
    for n, line in enumerate(css.splitlines(), 1):
        if depth == 1 and re.match(r"[.#a-z]", line):  # a top-level rule inside a block
            pytest.fail(f"line {n} is inside an unclosed block: {line[:60]}")
        depth += line.count("{") - line.count("}")
        assert depth >= 0, n
    assert depth == 0
