"""The roster commands staff run."""
from __future__ import annotations

import json

import pytest
from PIL import Image
from sqlalchemy import func, select

from bot.cli import main
from bot.cli.context import State
from bot.models import IssuedQr, QrCode, Site
from roster_book import mini, write_book


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, list(args), obj=State(app=app))


def test_template_import_dry_run_import_and_reimport(cli, db, tmp_path):
    assert cli("roster", "template", str(tmp_path / "t.xlsx")).exit_code == 0
    book = write_book(tmp_path / "r.xlsx", mini())
    dry = cli("roster", "import", str(book), "--dry-run")
    assert dry.exit_code == 0 and "站点: 新增 2，更新 0，未变 0" in dry.output and "--dry-run" in dry.output
    assert db.scalar(select(func.count(Site.id))) == 0
    assert "已导入" in cli("roster", "import", str(book)).output
    again = cli("roster", "import", str(book))
    assert "站点: 新增 0，更新 0，未变 2" in again.output and "没有变化" in again.output


def test_a_bad_file_exits_non_zero_and_lists_every_problem(cli, db, tmp_path):
    book = mini()
    book["代表"][3][3] = "火星级"
    result = cli("roster", "import", str(write_book(tmp_path / "bad.xlsx", book)))
    assert result.exit_code != 0
    assert "代表 表第 5 行，级别：“火星级”不是 市/县/乡 之一" in result.output
    assert "1 处错误，未导入任何数据" in result.output
    assert db.scalar(select(func.count(Site.id))) == 0


def test_stats_check_and_export(cli, tmp_path):
    cli("demo", "seed")
    stats = json.loads(cli("roster", "stats", "--json").output)
    assert stats["people"] == 51 and stats["mandates_by_level"] == {"city": 2, "county": 9, "township": 44}
    assert (stats["cross_serving"], stats["natural_villages"], stats["activity_groups"]) == (4, 38, 3)
    assert (stats["bound_voters"], stats["bound_deputies"]) == (180, 51)
    check = cli("roster", "check")
    assert check.exit_code == 0 and "✔ 驻站代表的固定选民不是 10 人：0" in check.output
    exported = cli("roster", "export", str(tmp_path / "out.xlsx"))
    assert exported.exit_code == 0 and "代表 55" in exported.output


def test_a_roster_export_is_on_record(cli, db, tmp_path):
    """The export carries phones and WeChat bindings: who took it, and where to, is audited."""
    from bot.models import AuditEvent

    cli("demo", "seed")
    assert cli("roster", "export", str(tmp_path / "out.xlsx")).exit_code == 0
    row = db.scalar(select(AuditEvent).where(AuditEvent.action == "export.roster"))
    assert row is not None and row.actor.startswith("cli:") and row.target.endswith("out.xlsx")
    assert "代表 55" in row.detail


def test_sandbox_posters_are_a4_pngs_with_no_wechat_call(cli, db, tmp_path):
    cli("demo", "seed")
    result = cli("qr", "posters", str(tmp_path / "p"), "--site", "shanfu")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "p").iterdir())
    assert files == ["group-G07.png", "group-G08.png", "group-G09.png", "group-G10.png", "site-shanfu.png"]
    assert Image.open(tmp_path / "p" / "site-shanfu.png").size == (1240, 1754)
    assert db.scalar(select(func.count(QrCode.id))) == 0


def test_deputy_binding_cards_only_on_request(cli, tmp_path):
    cli("demo", "seed")
    result = cli("qr", "posters", str(tmp_path / "p"), "--site", "shangfeng", "--deputies")
    assert result.exit_code == 0, result.output
    cards = sorted(p.name for p in (tmp_path / "p").iterdir() if p.name.startswith("deputy-"))
    assert len(cards) == 4  # the deputies stationed at that point


def test_production_posters_fetch_each_permanent_code_once(make_app, fake_wechat, tmp_path):
    app = make_app(WECHAT_APP_ID="wxtestapp", WECHAT_APP_SECRET="s3cret", WECHAT_TOKEN="tok0123456789abcdef",
                   WECHAT_API_BASE=fake_wechat.base)
    runner = app.test_cli_runner()

    def cli(*args):
        return runner.invoke(main, list(args), obj=State(app=app))

    cli("demo", "seed")
    assert cli("qr", "posters", str(tmp_path / "p"), "--site", "qilijiao", "--format", "pdf").exit_code == 0
    assert fake_wechat.calls.get("qrcode") == 5
    assert cli("qr", "posters", str(tmp_path / "p"), "--site", "qilijiao").exit_code == 0
    assert fake_wechat.calls.get("qrcode") == 5  # cached: never re-requested
    assert (tmp_path / "p" / "site-qilijiao.pdf").read_bytes().startswith(b"%PDF")
    with app.extensions["liaison"].Session() as s:
        key = s.scalar(select(IssuedQr.scene_key).join(Site, Site.id == IssuedQr.target_id)
                       .where(IssuedQr.kind == "site", Site.code == "qilijiao"))
        assert s.scalar(select(QrCode.url).where(QrCode.scene == f"site:{key}")) == \
            f"http://weixin.qq.com/q/site:{key}"
    assert cli("qr", "posters", str(tmp_path / "c"), "--deputy", "D001").exit_code == 0
    assert fake_wechat.calls.get("qrcode") == 6  # a new card is a new scene
    with app.extensions["liaison"].Session() as s:  # whose token is never kept, not even in the cache
        assert s.scalar(select(func.count(QrCode.id)).where(QrCode.scene.like("deputy:%"))) == 0


def test_revoke_a_group_code(cli, db):
    cli("demo", "seed")
    assert cli("qr", "revoke", "group:G02").exit_code == 0
    assert cli("qr", "revoke", "group:G99").exit_code != 0
    assert cli("roster", "check").exit_code != 0  # the group's deputy now has no active fixed voters


def test_an_active_group_without_a_site_still_gets_a_poster(cli, db, tmp_path):
    book = mini()
    book["联系选民群"][0][3] = ""  # G1 has no 站点
    assert cli("roster", "import", str(write_book(tmp_path / "r.xlsx", book))).exit_code == 0
    result = cli("qr", "posters", str(tmp_path / "p"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == ["group-G1.png", "site-S0.png", "site-S1.png"]
    assert "group-G1.png  李秀兰代表联系选民群" in result.output
