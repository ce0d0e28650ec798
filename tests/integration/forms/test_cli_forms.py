"""`liaison tickets export`: the form and the list from the command line."""
from __future__ import annotations

import os
import stat

from sqlalchemy import select

from bot.cli import main
from bot.cli.context import State
from bot.models import AuditEvent, Village
from forms_kit import FRESH, HANDLED, docx_text, xlsx_rows


def _cli(app, *args):
    return app.test_cli_runner().invoke(main, ["tickets", "export", *args], obj=State(app=app))


def test_the_form_of_one_ticket_is_written_where_asked_for_this_user_only(township, db, tmp_path):
    out = tmp_path / "form.docx"
    result = _cli(township.app, "--format", "docx", "--number", township.handled, "--out", str(out), "--by", "王干事")
    assert result.exit_code == 0, result.output
    assert f"已导出 {township.handled}" in result.output
    text = docx_text(out.read_bytes())
    assert HANDLED in text and township.deputy.name in text and "村镇建设办" in text and township.voter_name in text
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    row = db.scalar(select(AuditEvent).where(AuditEvent.action == "export.ticket_form"))
    assert (row.actor, row.target) == ("王干事", township.handled)


def test_the_list_takes_the_desks_filters(township, db, tmp_path):
    village = db.scalar(select(Village).where(Village.id == township.fresh_village_id))
    out = tmp_path / "list.xlsx"
    result = _cli(township.app, "--format", "xlsx", "--status", "已收到", "--village", village.name, "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = xlsx_rows(out.read_bytes())
    assert [r["编号"] for r in rows] == [township.fresh] and rows[0]["反映内容"] == FRESH
    by_deputy = tmp_path / "deputy.xlsx"
    assert _cli(township.app, "--format", "xlsx", "--deputy", township.deputy.code, "--status", "rated",
                "--since", "2026-11-01", "--until", "2026-11-30", "--out", str(by_deputy)).exit_code == 0
    assert [r["编号"] for r in xlsx_rows(by_deputy.read_bytes())] == [township.handled]
    audit = db.scalars(select(AuditEvent.detail).where(AuditEvent.action == "export.tickets")).all()
    assert audit[0].startswith(f"筛选：状态：已收到，村：{village.name}；")


def test_an_unknown_number_a_bad_format_and_mixed_options_are_refused_in_chinese(township, tmp_path):
    out = tmp_path / "x.docx"
    unknown = _cli(township.app, "--format", "docx", "--number", "2026-999999", "--out", str(out))
    assert unknown.exit_code != 0 and "没有编号为 2026-999999 的工单" in unknown.output and not out.exists()
    bad = _cli(township.app, "--format", "pdf", "--number", township.handled)
    assert bad.exit_code == 2 and "--format" in bad.output and "不是以下之一" in bad.output
    assert "要写 --number" in _cli(township.app, "--format", "docx").output
    assert "只用于 --format xlsx" in _cli(township.app, "--format", "docx", "--number", township.handled,
                                        "--status", "new").output
    assert "只用于 --format docx" in _cli(township.app, "--format", "xlsx", "--number", township.handled).output
    unknown_state = _cli(township.app, "--format", "xlsx", "--status", "不存在")
    assert unknown_state.exit_code == 2 and "没有状态“不存在”" in unknown_state.output
    nobody = _cli(township.app, "--format", "xlsx", "--deputy", "没有这个人")
    assert nobody.exit_code == 2 and "没有编码或名称为“没有这个人”的代表" in nobody.output
    nowhere = _cli(township.app, "--format", "xlsx", "--out", str(tmp_path / "no" / "such" / "dir.xlsx"))
    assert nowhere.exit_code == 1 and "无法写入" in nowhere.output


def test_without_out_the_files_land_in_the_current_folder_named_for_what_they_hold(township, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _cli(township.app, "--format", "docx", "--number", township.handled).exit_code == 0
    assert _cli(township.app, "--format", "xlsx").exit_code == 0
    written = sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".docx", ".xlsx"))
    assert written == ["意见工单-20261126-1000.xlsx", f"登记表-{township.handled}.docx"]
