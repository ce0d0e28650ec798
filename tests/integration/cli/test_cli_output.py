"""What the commands print: `--json` is one JSON document that json.loads reads
whole, `--jsonl` one object per line; the outbox shows broadcasts too."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import click
import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.cli.context import State
from bot.models import Broadcast, Voter
from wechat_user import Phone

# Every command with a --json option, with the arguments to run it here.
JSON_COMMANDS = {
    "status": [],
    "tickets list": [],
    "tickets sla": ["--today", "2026-12-01"],
    "qr list": ["--private"],
    "sandbox outbox": ["--limit", "500"],
    "triage list": [],
    "reception plan": ["--from", "2026-12", "--months", "2"],
    "roster check": [],
    "roster stats": [],
    "roster bindings list": [],
    "broadcast preview": ["{bid}"],
    "broadcast status": ["{bid}"],
    "nlp classify": [],
    "users list": [],
    "voters export": ["oStranger"],
    "voters retention": ["--dry-run"],
    "voters erase": ["oStranger", "--yes"],
    "db reseal": [],
    "duty add": ["--deputy", "D011", "--kind", "study", "--date", "2026-03-05"],
    "duty list": ["--deputy", "D011", "--year", "2026"],
    "duty report": ["--year", "2026", "--as-of", "2026-11-15"],
    "duty nudge": ["--today", "2026-12-01"],
    "duty evaluate": ["--deputy", "D011", "--year", "2026", "--org", "--score", "90"],
    "poll open": ["--year", "2026"],
    "poll results": ["--year", "2026"],
    "poll close": ["--year", "2026"],
    "duty formal": ["--ticket", "1"],
}
LISTS = ("tickets list", "qr list", "sandbox outbox", "triage list")
PUSH_FIELDS = {"id", "to", "kind", "status", "channel", "text", "created_at"}


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args, **kw: runner.invoke(main, [str(a) for a in args], obj=State(app=app), **kw)


@pytest.fixture
def township(app, ext, demo, db, cli):
    """Tickets (one assigned and escalated to the county, one for triage), pushes and a sent broadcast."""
    Phone(app, "oDEMO_voter_01_01").says("村里自来水停了三天了")
    holder = db.scalar(select(Voter).where(Voter.openid == "oDEMO_voter_01_01")).group.deputy.openid
    Phone(app, holder).says("受理 1")
    Phone(app, holder).says("上报 1 涉及县里的供水管网，乡里定不了")  # for `duty formal`
    Phone(app, "oStranger").says("家门口的水渠堵了，下雨就淹")
    ext.queue.drain(app)
    made = cli("broadcast", "create", "--text", "本周六停水。", "--title", "停水通知", "--to", "deputies",
               "--by", "张干事")
    assert made.exit_code == 0, made.output
    bid = db.scalar(select(func.max(Broadcast.id)))
    sent = cli("broadcast", "send", bid, "--here")
    assert sent.exit_code == 0, sent.output
    return bid


def json_commands(group: click.Group = main, prefix: str = "") -> set[str]:
    ctx = click.Context(main)
    found = set()
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found |= json_commands(command, f"{prefix}{name} ")
        elif any("--json" in getattr(p, "opts", ()) for p in command.params):
            found.add(prefix + name)
    return found


def test_every_json_command_is_checked_below():
    assert json_commands() - {"demo seed"} == set(JSON_COMMANDS)


def test_every_json_option_prints_one_document(cli, township):
    for name, args in JSON_COMMANDS.items():
        args = [a.format(bid=township) for a in args]
        result = cli(*name.split(), *args, "--json", input="你好\n\n煤气泄漏了快来人\n")
        assert result.exit_code in (0, 1), (name, result.output)  # roster check: 1 when something needs care
        assert result.exit_code == 0 or name == "roster check", (name, result.output)
        doc = json.loads(result.stdout)
        assert isinstance(doc, (list, dict)), name
        if name in LISTS or name == "nlp classify":
            assert isinstance(doc, list) and doc and all(isinstance(i, dict) for i in doc), name


def test_demo_seed_json_is_one_document(cli):
    assert json.loads(cli("demo", "seed", "--json").stdout)["deputies"] == 51


def test_jsonl_prints_one_object_per_line_the_same_as_the_json_array(cli, township):
    for name in LISTS:
        extra = ["--limit", "500"] if name == "sandbox outbox" else []
        as_array = json.loads(cli(*name.split(), *extra, "--json").stdout)
        lines = cli(*name.split(), *extra, "--jsonl").stdout.splitlines()
        assert lines and [json.loads(line) for line in lines] == as_array, name
        assert all(isinstance(json.loads(line), dict) for line in lines)
    both = cli("tickets", "list", "--json", "--jsonl")
    assert both.exit_code != 0 and "只能选一个" in both.output


def test_list_fields_stay_as_they_were(cli, township):
    (ticket, *_) = json.loads(cli("tickets", "list", "--json").stdout)
    assert set(ticket) == {"number", "status", "category", "confidence", "voter_openid", "deputy", "created_at"}
    assert all(set(i) == {"kind", "id", "name", "scene"} for i in json.loads(cli("qr", "list", "--json").stdout))
    (waiting, *_) = json.loads(cli("triage", "list", "--json").stdout)
    assert set(waiting) == {"number", "category", "confidence", "urgent", "deputy", "text"}


def _at(item: dict) -> datetime:
    at = datetime.fromisoformat(item["created_at"])
    assert at.tzinfo is not None, item  # UTC with its offset, on SQLite as on PostgreSQL
    return at


def test_the_outbox_shows_a_sandbox_broadcast_to_each_recipient_in_time_order(app, ext, cli, township, db):
    bid = township
    Phone(app, "oDEMO_voter_02_01").says("路灯坏了")  # a push after the broadcast
    ext.queue.drain(app)
    items = json.loads(cli("sandbox", "outbox", "--limit", "500", "--json").stdout)
    sent = [i for i in items if i["kind"] == "broadcast"]
    pushes = [i for i in items if i["kind"] != "broadcast"]
    assert len(sent) == 51 and pushes
    assert all(set(i) == PUSH_FIELDS | {"broadcast_id", "title"} for i in sent)
    assert all(set(i) == PUSH_FIELDS for i in pushes)
    assert {(i["broadcast_id"], i["title"], i["text"], i["status"], i["channel"]) for i in sent} == \
        {(bid, "停水通知", "本周六停水。", "sent", "sandbox")}
    assert len({i["to"] for i in sent}) == 51
    assert [_at(i) for i in items] == sorted(_at(i) for i in items)
    kinds = [i["kind"] == "broadcast" for i in items]
    assert kinds.index(True) > 0 and kinds[-1] is False  # pushes before and after the broadcast

    text = cli("sandbox", "outbox", "--limit", "500").output.splitlines()
    assert sum(line.startswith(f"群发 #{bid}《停水通知》 [sent/sandbox] → ") for line in text) == 51
    assert text[-1].startswith("推送 #") and "路灯坏了" in text[-1]
    recent = json.loads(cli("sandbox", "outbox", "--limit", "3", "--json").stdout)
    assert recent == items[-3:]


def test_staff_read_chinese(cli, township, tmp_path):
    bid = township
    out = cli("broadcast", "status", bid).output
    assert out.startswith(f"#{bid} 已发完：已发 51，失败 0") and "共 51" in out
    assert "已作废联系选民群 G02 的二维码" in cli("qr", "revoke", "group:G02").output
    missing = cli("qr", "revoke", "group:G99")
    assert missing.exit_code != 0 and "没有编码为 G99 的联系选民群" in missing.output
    wrong = cli("qr", "revoke", "G03")
    assert wrong.exit_code != 0 and "group:群编码" in wrong.output
    unknown = cli("broadcast", "create", "--text", "x", "--to", "sites:nowhere", "--by", "张干事")
    assert unknown.exit_code != 0 and "没有这些站点编码：nowhere" in unknown.output
    again = cli("broadcast", "pause", bid)
    assert again.exit_code != 0 and "已发完，不能暂停" in again.output
    assert "没有对应的站点" in cli("qr", "posters", tmp_path, "--site", "nowhere").output
    assert "没有编码为 nowhere 的站点" in cli("reception", "bookings", "nowhere", "2026-12-20").output
    sla = cli("tickets", "sla", "--today", "2026-12-01").output
    assert "提醒受理 0 件" in sla and "关闭 0 件" in sla
    for args in (["tickets", "list"], ["triage", "list"], ["roster", "stats"], ["qr", "list"]):
        output = cli(*args).output
        assert output and not any(c.isascii() and c.isalpha() for c in _labels(output)), (args, output)
    assert _labels("sites: 4 oDEMO_voter_01_01 G01") == "sites: 4  "


def _labels(output: str) -> str:
    """An output without its machine tokens: ticket numbers, scenes, openids, codes."""
    import re

    return re.sub(r"\d{4}-\d{6}|\b(?:site|group|deputy):\S+|\bo[A-Za-z0-9_]+|\b[A-Z]\d+\b", "", output)


def test_help_is_chinese(cli):
    for args in (["broadcast", "create"], ["tickets", "list"], ["sandbox", "outbox"], ["reception", "rule"],
                 ["roster", "import"], ["triage", "correct"], ["qr", "posters"], ["nlp", "classify"]):
        text = cli(*args, "--help").output
        first = text.split("\n\n")[1]  # the command's own help under the usage line
        assert any("\u4e00" <= c <= "\u9fff" for c in first), (args, first)
        assert "Show this message" not in text


def test_a_broadcast_at_a_beijing_time_is_kept_as_that_instant(cli, demo, db):
    made = cli("broadcast", "create", "--text", "通知", "--by", "张干事", "--at", "2027-01-01 09:00")
    assert made.exit_code == 0, made.output
    bid = db.scalar(select(func.max(Broadcast.id)))
    assert "将于 2027-01-01 09:00（北京时间）发送" in cli("broadcast", "send", bid).output
    db.expire_all()
    at = db.get(Broadcast, bid).scheduled_at
    assert at == datetime(2027, 1, 1, 1, 0, tzinfo=timezone.utc)
    bad = cli("broadcast", "send", bid, "--at", "明天")
    assert bad.exit_code != 0 and "不是北京时间" in bad.output
