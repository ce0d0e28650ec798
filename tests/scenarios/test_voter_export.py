"""A voter asks what the station holds about them (PIPL art. 45): staff export
it to one file only they can read, and every export of personal data is on record."""
from __future__ import annotations

import json
import os

from sqlalchemy import select

from bot.cli import main
from bot.cli.context import State
from bot.models import AuditEvent, Voter
from lifecycle_kit import VOTER, deputy_of, number_in
from wechat_user import Phone


def test_a_voter_gets_their_tickets_messages_and_pushes_in_a_private_file(app, ext, demo, db, tmp_path):
    voter = Phone(app, VOTER)
    number = number_in(voter.says("村里自来水停了三天了").text)
    desk = Phone(app, deputy_of(db, VOTER).openid)
    desk.says(f"受理 {number}")
    desk.says(f"回复 {number} 已联系水务站，明天上午来修")
    ext.queue.drain(app)
    me = db.scalar(select(Voter).where(Voter.openid == VOTER))
    ext.phones.store(me, "13900001111")
    db.commit()
    out = tmp_path / "for-the-voter" / "data.json"

    result = app.test_cli_runner().invoke(main, ["voters", "export", VOTER, "--out", str(out), "--by", "李干事"],
                                          obj=State(app=app))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"已导出到 {out}：")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["voter"]["openid"] == VOTER and data["voter"]["name"] == me.name
    assert data["voter"]["phone"] == "13900001111"  # decrypted for them
    [mine] = data["tickets"]
    assert (mine["number"], mine["text"], mine["category"]) == (number, "村里自来水停了三天了", "城乡建设")
    assert any(e["note"] == "已联系水务站，明天上午来修" and e["by"].startswith("代表") for e in mine["events"])
    assert [m["content"] for m in data["messages"]] == ["村里自来水停了三天了"]
    assert any("已联系水务站，明天上午来修" in p["text"] for p in data["pushes"])
    # Only the service user may read it, in a folder only they may open.
    assert os.stat(out).st_mode & 0o777 == 0o600
    assert os.stat(out.parent).st_mode & 0o777 == 0o700
    audit = db.scalar(select(AuditEvent).where(AuditEvent.action == "export.voter"))
    assert (audit.actor, audit.target) == ("李干事", f"voter:{me.id}") and str(out) in audit.detail
    assert VOTER not in audit.detail and me.name not in audit.detail


def test_an_unknown_voter_cannot_be_exported(app, demo, tmp_path):
    result = app.test_cli_runner().invoke(main, ["voters", "export", "oNOBODY", "--out", str(tmp_path / "x.json")],
                                          obj=State(app=app))
    assert result.exit_code == 1 and "没有找到选民 oNOBODY" in result.output
    assert not (tmp_path / "x.json").exists()


def test_a_roster_export_is_private_and_says_who_took_it(app, demo, db, tmp_path):
    path = tmp_path / "roster.xlsx"
    result = app.test_cli_runner().invoke(main, ["roster", "export", str(path), "--by", "王主任"], obj=State(app=app))
    assert result.exit_code == 0, result.output
    assert os.stat(path).st_mode & 0o777 == 0o600
    audit = db.scalar(select(AuditEvent).where(AuditEvent.action == "export.roster"))
    assert audit.actor == "王主任" and audit.target.endswith("roster.xlsx")


def test_without_out_the_export_goes_to_the_instances_private_exports_folder(app, ext, demo):
    result = app.test_cli_runner().invoke(main, ["voters", "export", VOTER, "--json"], obj=State(app=app))
    path = json.loads(result.output)["path"]
    folder = os.path.join(ext.settings["INSTANCE_PATH"], "exports")
    assert os.path.dirname(path) == folder and json.load(open(path, encoding="utf-8"))["voter"]["openid"] == VOTER
    assert (os.stat(folder).st_mode & 0o777, os.stat(path).st_mode & 0o777) == (0o700, 0o600)
