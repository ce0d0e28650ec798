"""The `liaison` commands staff and newcomers use."""
from __future__ import annotations

import json

import pytest

from bot.cli import main
from bot.cli.context import State
from wechat_user import Phone


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        result = runner.invoke(main, list(args), obj=State(app=app))
        return result
    return invoke


def test_demo_seed_builds_the_township_of_the_report(cli):
    result = cli("demo", "seed", "--json")
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats == {"sites": 4, "villages": 15, "natural_villages": 38, "activity_groups": 3, "deputies": 51, "mandates": 55, "city": 2, "county": 9,
                     "township": 44, "cross_serving": 4, "contact_links": 53, "groups": 18, "voters": 180}
    again = cli("demo", "seed")
    assert again.exit_code != 0 and "名册不是空的" in again.output


def test_qr_list_prints_every_scene(cli):
    cli("demo", "seed")
    items = json.loads(cli("qr", "list", "--json").output)
    kinds = [i["kind"] for i in items]
    assert kinds.count("site") == 4 and kinds.count("group") == 18 and "deputy" not in kinds
    private = [i for i in json.loads(cli("qr", "list", "--json", "--private").output) if i["kind"] == "deputy"]
    assert len(private) == 51
    assert all(set(i) == {"kind", "id", "name", "scene"} for i in items)
    assert {"kind": "site", "id": 1, "name": "乡人大代表联络站", "scene": None} in items  # not issued yet
    assert all(i["scene"] is None and i["card"] == "none" for i in private)
    assert "（未签发）" in cli("qr", "list").output


def test_qr_list_shows_the_codes_printed_posters_carry_never_a_deputy_card(cli, tmp_path):
    cli("demo", "seed")
    assert cli("qr", "posters", str(tmp_path / "p"), "--site", "station", "--deputies").exit_code == 0
    items = json.loads(cli("qr", "list", "--json", "--private").output)
    station = next(i for i in items if i["kind"] == "site" and i["id"] == 1)
    assert station["scene"].startswith("site:") and station["scene"] != "site:station"
    assert len(station["scene"]) >= len("site:") + 16  # a random key, not the roster code
    cards = [i for i in items if i["kind"] == "deputy" and i["card"] == "unused"]
    assert cards and all(i["scene"] is None for i in cards)
    assert "deputy:" not in cli("qr", "list", "--private").output


def test_tickets_list_json(app, cli):
    cli("demo", "seed")
    Phone(app, "oDEMO_voter_01_01").says("村里自来水停了三天了")
    Phone(app, "oStranger").says("家门口的水渠堵了，下雨就淹")
    items = json.loads(cli("tickets", "list", "--json").output)
    assert len(items) == 2
    assert set(items[0]) == {"number", "status", "category", "confidence", "voter_openid", "deputy", "created_at"}
    by_voter = {i["voter_openid"]: i for i in items}
    assert by_voter["oDEMO_voter_01_01"]["category"] == "城乡建设" and by_voter["oDEMO_voter_01_01"]["deputy"]
    assert by_voter["oStranger"]["deputy"] is None


def test_sandbox_outbox_shows_recorded_pushes(app, cli):
    cli("demo", "seed")
    Phone(app, "oDEMO_voter_01_01").says("路灯坏了")
    app.extensions["liaison"].queue.drain(app)
    out = cli("sandbox", "outbox").output
    assert "[sent/sandbox]" in out and "路灯坏了" in out


def test_simulate_posts_a_signed_message_and_prints_reply_and_push(app, cli, live):
    from bot.services.roster.demo import seed

    ext = app.extensions["liaison"]
    with ext.Session() as s:
        seed(s, 5)
        s.commit()
    server = live(app)

    class DrainingQueue:  # a worker that runs as soon as something is queued
        def put(self, name, args):
            from bot.jobs import tasks
            with app.app_context():
                tasks.deliver(ext, *args)

    ext.queue = DrainingQueue()
    result = cli("simulate", "村里自来水停了三天了", "--url", server.url, "--wait", "5")
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()
    assert out[0].startswith("回复: 已收到您的意见（编号 ") and out[0].endswith("代表。")
    assert out[1].startswith("推送 → oDEMO_deputy_") and "[sent/sandbox]" in out[1]
    assert "村里自来水停了三天了" in out[1]


def test_simulate_reports_an_unreachable_server(cli):
    result = cli("simulate", "你好", "--url", "http://127.0.0.1:1")
    assert result.exit_code != 0 and "liaison serve" in result.output


def test_simulate_in_safe_mode_encrypts_and_reads_the_reply(make_app, live):
    app = make_app(WECHAT_APP_ID="wxsafe00000000001", WECHAT_APP_SECRET="s3cret",
                   WECHAT_TOKEN="safetoken0123456789", WECHAT_AES_KEY="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
    server = live(app)
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["simulate", "路灯坏了", "--as", "oSafeVoter", "--url", server.url, "--wait", "0"],
                           obj=State(app=app))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("回复: 已收到您的意见（编号 ")
    with app.extensions["liaison"].Session() as s:
        from sqlalchemy import select

        from bot.models import InboundMessage
        assert s.scalar(select(InboundMessage.content)) == "路灯坏了"


def test_simulate_prints_only_the_pushes_that_message_caused(app, cli, live):
    from bot.services.roster.demo import seed

    ext = app.extensions["liaison"]
    with ext.Session() as s:
        seed(s, 5)
        s.commit()
    server = live(app)

    class DrainingQueue:
        def put(self, name, args):
            from bot.jobs import tasks
            with app.app_context():
                tasks.deliver(ext, *args)

    ext.queue = DrainingQueue()
    first = cli("simulate", "村里自来水停了三天了", "--url", server.url, "--wait", "5").output
    number = first.split("编号 ")[1].split("）")[0]
    deputy = first.splitlines()[1].split("→ ")[1].split(" ")[0]
    accepted = cli("simulate", f"受理 {number}", "--as", deputy, "--url", server.url, "--wait", "5").output
    lines = accepted.splitlines()
    assert lines[0].startswith(f"回复: 已受理 {number}")
    assert len(lines) == 2 and lines[1].startswith("推送 → oDEMO_voter_01_01") and "受理" in lines[1]
