"""The roster in the console: staff upload a workbook or voter CSV, read the dry
run row by row, and only a clean file they confirm is written; the template and
the audited export; the "3+10" health report with links; posters, revoking a
group's code and a deputy's new card. Other roles are refused."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.models import AuditEvent, IssuedQr, Site, Voter, VoterGroup
from bot.services.roster.workbook.spec import SHEETS
from bot.services.roster_desk import uploads
from console_kit import add_user, csrf_token, log_in
from roster_book import load, mini, write_book  # noqa: F401 (load is a fixture)

CSV_HEADER = "编码,姓名,手机,行政村,自然村,联系选民群,微信OpenID\n"


def book_bytes(tmp_path, sheets, name="roster.xlsx") -> bytes:
    return write_book(tmp_path / name, sheets).read_bytes()


def upload(client, data: bytes, name: str = "roster.xlsx"):
    token = csrf_token(client, "/console/roster")
    return client.post("/console/roster/check", data={"file": (io.BytesIO(data), name), "csrf_token": token},
                       content_type="multipart/form-data", follow_redirects=True)


def confirm_token(page: str) -> str | None:
    found = re.search(r'name="token" value="([^"]+)"', page)
    return found.group(1) if found else None


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count(model.id)))


@pytest.fixture
def clerk(app):
    add_user(app, "clerk", "staff")
    return log_in(app, "clerk")


def test_a_bad_row_is_named_by_sheet_row_and_column_and_nothing_can_be_confirmed(clerk, db, tmp_path):
    sheets = mini()
    sheets["站点"][1][4] = 40  # S1's reception day, on row 3 of 站点
    res = upload(clerk, book_bytes(tmp_path, sheets))
    page = res.get_data(as_text=True)
    assert res.status_code == 200 and "发现 1 处错误" in page and "整个文件都没有导入" in page
    row = re.search(r"<tr>\s*<td[^>]*>站点</td><td[^>]*>3</td>\s*<td[^>]*>接待日</td><td[^>]*>([^<]+)</td>", page)
    assert row and "不在 1–28 之间" in row.group(1)
    assert confirm_token(page) is None and "确认导入" not in page
    assert count(db, Site) == 0


def test_a_clean_workbook_is_written_only_when_the_clerk_confirms(clerk, db, tmp_path):
    page = upload(clerk, book_bytes(tmp_path, mini())).get_data(as_text=True)
    assert "检查通过" in page and "还没有写入" in page
    assert re.search(r"<td>站点</td><td class=\"num\">2</td>", page)  # would create two sites
    token = confirm_token(page)
    assert token and count(db, Site) == 0 and count(db, Voter) == 0  # the dry run wrote nothing

    csrf = csrf_token(clerk, "/console/roster")
    done = clerk.post("/console/roster/confirm", data={"token": token, "csrf_token": csrf}, follow_redirects=True)
    assert "名册已导入：新增" in done.get_data(as_text=True)
    assert count(db, Site) == 2 and count(db, Voter) == 3
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "roster.import"))
    assert (event.actor, event.target) == ("clerk", "roster.xlsx") and "站点 新增 2" in event.detail

    again = clerk.post("/console/roster/confirm", data={"token": token, "csrf_token": csrf}, follow_redirects=True)
    assert "已过期" in again.get_data(as_text=True)  # one file, one import


def test_only_the_clerk_who_uploaded_may_confirm(app, clerk, db, tmp_path):
    token = confirm_token(upload(clerk, book_bytes(tmp_path, mini())).get_data(as_text=True))
    add_user(app, "other", "admin")
    other = log_in(app, "other")
    csrf = csrf_token(other, "/console/roster")
    res = other.post("/console/roster/confirm", data={"token": token, "csrf_token": csrf}, follow_redirects=True)
    assert "已过期" in res.get_data(as_text=True) and count(db, Site) == 0


def test_confirming_checks_again_against_the_roster_of_now(clerk, db, load, ext):  # noqa: F811
    load(mini())
    data = (CSV_HEADER + "P9,周末,,V1,,G1,oNewPhone\n").encode()
    token = confirm_token(upload(clerk, data, "p9.csv").get_data(as_text=True))
    assert token
    db.add(Voter(openid="oNewPhone", created_at=ext.now()))  # that WeChat user is bound meanwhile
    db.commit()
    csrf = csrf_token(clerk, "/console/roster")
    page = clerk.post("/console/roster/confirm", data={"token": token, "csrf_token": csrf}).get_data(as_text=True)
    assert "名册在检查之后有了变化" in page and "已绑定到一位微信用户" in page and "确认导入" not in page
    db.expire_all()
    assert db.scalar(select(Voter).where(Voter.code == "P9")) is None


def test_a_voter_csv_is_checked_then_imported(clerk, db, load, tmp_path):  # noqa: F811
    load(mini())
    data = (CSV_HEADER + "P4,吴小梅,13900004321,V2,V2-1,G1,\n").encode("gb18030")  # as Excel saves it
    page = upload(clerk, data, "村民名单.csv").get_data(as_text=True)
    assert "检查通过" in page and count(db, Voter) == 3
    csrf = csrf_token(clerk, "/console/roster")
    clerk.post("/console/roster/confirm", data={"token": confirm_token(page), "csrf_token": csrf})
    db.expire_all()
    assert db.scalar(select(Voter.name).where(Voter.code == "P4")) == "吴小梅"


@pytest.mark.parametrize("name,data,message", [
    ("名单.txt", b"P1,x\n", uploads.WRONG_TYPE),
    ("roster.xlsx", "编码,姓名\n".encode(), uploads.NOT_XLSX),
    ("roster.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, uploads.OLD_EXCEL),
    ("roster.csv", b"PK\x03\x04" + b"\0" * 100, uploads.NOT_CSV),
    ("roster.xlsx", b"", uploads.EMPTY),
])
def test_files_that_are_not_a_workbook_or_csv_are_refused_in_chinese(clerk, db, name, data, message):
    res = upload(clerk, data, name)
    assert res.request.path == "/console/roster" and message in res.get_data(as_text=True)
    assert count(db, Site) == 0


def test_a_zip_that_is_not_a_workbook_is_refused(clerk):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("evil.txt", "x")
    assert uploads.NOT_XLSX in upload(clerk, buf.getvalue()).get_data(as_text=True)


def test_the_service_refuses_bytes_over_the_cap():
    with pytest.raises(uploads.UploadRefused, match="文件太大"):
        uploads.accept("roster.csv", b"a" * (uploads.MAX_BYTES + 1))


def test_a_roster_larger_than_a_webhook_body_still_uploads(clerk, tmp_path):
    sheets = {"选民": [[f"P{i}", f"选民{i}", "", "", "", "", ""] for i in range(3000)]}
    data = book_bytes(tmp_path, sheets)
    assert len(data) > 64 * 1024  # the app's body limit elsewhere
    res = upload(clerk, data)
    assert res.status_code == 200 and "检查通过" in res.get_data(as_text=True)


def test_the_template_and_the_audited_export(clerk, db, load, tmp_path):  # noqa: F811
    template = clerk.get("/console/roster/template.xlsx")
    assert template.status_code == 200 and "attachment" in template.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(template.data)).sheetnames == [s.title for s in SHEETS] + ["说明"]

    load(mini())
    res = clerk.post("/console/roster/export", data={"csrf_token": csrf_token(clerk, "/console/roster")})
    assert res.status_code == 200 and res.mimetype.endswith("spreadsheetml.sheet")
    voters = [r[0].value for r in load_workbook(io.BytesIO(res.data))["选民"].iter_rows(min_row=2) if r[0].value]
    assert voters == ["P1", "P2", "P3"]
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "export.roster"))
    assert (event.actor, event.target) == ("clerk", "console") and "选民 3" in event.detail
    forged = clerk.post("/console/roster/export")
    assert forged.status_code == 400


def test_the_health_report_links_each_problem_to_its_record(clerk, load):  # noqa: F811
    load(mini())
    page = clerk.get("/console/roster/health").get_data(as_text=True)
    # mini(): voter P3 is in no group, D3 is stationed with no fixed voters, D2 (G1's deputy) is unbound
    for link in ("/console/roster/voter/P3", "/console/roster/deputy/D3", "/console/roster/group/G1"):
        assert f'href="{link}"' in page
    voter = clerk.get("/console/roster/voter/P3").get_data(as_text=True)
    assert "选民没有加入联系选民群" in voter and "13900001234" not in voter
    deputy = clerk.get("/console/roster/deputy/D3").get_data(as_text=True)
    assert "驻站代表的固定选民不是 10 人" in deputy and "D2" in deputy  # contacted by D2
    assert clerk.get("/console/roster/deputy/NOPE").status_code == 404


def issue(client, kind: str, code: str, **extra):
    csrf = csrf_token(client, "/console/roster/qr")
    return client.post(f"/console/roster/qr/{kind}/{code}/issue", data={"csrf_token": csrf, **extra},
                       follow_redirects=True)


def test_posters_download_as_png_and_pdf_and_issue_the_code_once(clerk, db, load):  # noqa: F811
    load(mini())
    page = clerk.get("/console/roster/qr").get_data(as_text=True)
    assert "生成二维码" in page and "/console/roster/qr/group/G1.png" not in page  # nothing issued yet
    assert "已生成联系选民群 G1 的二维码" in issue(clerk, "group", "G1").get_data(as_text=True)
    assert "已经有二维码" in issue(clerk, "group", "G1").get_data(as_text=True)
    issue(clerk, "site", "S1")
    png = clerk.get("/console/roster/qr/group/G1.png")
    assert png.status_code == 200 and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = clerk.get("/console/roster/qr/site/S1.pdf")
    assert pdf.data[:5] == b"%PDF-" and pdf.headers["Content-Disposition"].endswith("site-S1.pdf")
    clerk.get("/console/roster/qr/group/G1.pdf")
    db.expire_all()
    assert db.scalar(select(func.count(IssuedQr.id)).where(IssuedQr.kind == "group")) == 1
    assert clerk.get("/console/roster/qr/group/NOPE.png").status_code == 404
    assert "已签发" in clerk.get("/console/roster/qr").get_data(as_text=True)


def test_revoking_a_groups_code_needs_the_confirm_box_and_is_audited(clerk, db, load):  # noqa: F811
    load(mini())
    issue(clerk, "group", "G1", back="record")
    csrf = csrf_token(clerk, "/console/roster/group/G1")
    unticked = clerk.post("/console/roster/qr/group/G1/revoke", data={"csrf_token": csrf}, follow_redirects=True)
    assert "我确认" in unticked.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(VoterGroup.active).where(VoterGroup.code == "G1")) is True
    done = clerk.post("/console/roster/qr/group/G1/revoke", data={"csrf_token": csrf, "confirm": "yes"},
                      follow_redirects=True)
    assert "已作废联系选民群 G1 的二维码" in done.get_data(as_text=True)
    db.expire_all()
    assert db.scalar(select(VoterGroup.active).where(VoterGroup.code == "G1")) is False
    assert db.scalar(select(func.count(IssuedQr.id)).where(IssuedQr.revoked_at.is_(None),
                                                           IssuedQr.kind == "group")) == 0
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "qr.revoke"))
    assert (event.actor, event.target) == ("clerk", "group:G1")


def test_a_deputys_new_card_voids_the_old_one(clerk, db, load):  # noqa: F811
    from scene_kit import card

    load(mini())
    card(db, "D2")
    csrf = csrf_token(clerk, "/console/roster/deputy/D2")
    unticked = clerk.post("/console/roster/deputy/D2/card", data={"csrf_token": csrf, "format": "png"})
    assert unticked.status_code == 302
    db.expire_all()
    assert db.scalar(select(func.count(IssuedQr.id)).where(IssuedQr.kind == "deputy")) == 1
    res = clerk.post("/console/roster/deputy/D2/card", data={"csrf_token": csrf, "format": "png", "confirm": "yes"})
    assert res.status_code == 200 and res.data[:4] == b"\x89PNG"
    assert res.headers["Content-Disposition"].endswith("deputy-D2.png")
    db.expire_all()
    cards = db.scalars(select(IssuedQr).where(IssuedQr.kind == "deputy").order_by(IssuedQr.id)).all()
    assert [c.revoked_at is None for c in cards] == [False, True]
    assert db.scalar(select(AuditEvent.target).where(AuditEvent.action == "qr.card")) == "deputy:D2"


@pytest.mark.parametrize("role", ["deputy", "county"])
def test_other_roles_are_refused_every_roster_page_and_action(app, db, load, tmp_path, role):  # noqa: F811
    load(mini())
    add_user(app, "someone", role, deputy_code="D2" if role == "deputy" else None)
    client = log_in(app, "someone")
    for path in ("/console/roster", "/console/roster/health", "/console/roster/qr", "/console/roster/template.xlsx",
                 "/console/roster/voter/P1", "/console/roster/qr/group/G1.png"):
        res = client.get(path)
        assert res.status_code == 403 and "没有权限" in res.get_data(as_text=True), path
    csrf = csrf_token(client, "/console/")
    for path in ("/console/roster/export", "/console/roster/qr/group/G1/revoke", "/console/roster/deputy/D2/card",
                 "/console/roster/qr/site/S1/issue"):
        assert client.post(path, data={"csrf_token": csrf, "confirm": "yes"}).status_code == 403, path
    res = client.post("/console/roster/check", data={"file": (io.BytesIO(book_bytes(tmp_path, mini())), "r.xlsx"),
                                                      "csrf_token": csrf}, content_type="multipart/form-data")
    assert res.status_code == 403
    assert db.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action.in_(
        ["export.roster", "qr.revoke", "qr.card", "roster.import"]))) == 0
    assert db.scalar(select(func.count(IssuedQr.id))) == 0
    db.expire_all()
    assert db.scalar(select(VoterGroup.active).where(VoterGroup.code == "G1")) is True


def test_the_services_refuse_a_non_staff_account_whatever_the_caller(app, db, ext, load):  # noqa: F811
    from bot.services.accounts import Forbidden, users
    from bot.services.roster_desk import manage

    load(mini())
    row = users.create(db, username="d002", password="correct horse battery", role="deputy", deputy_code="D2",
                       by="test", now=ext.now())
    with pytest.raises(Forbidden):
        uploads.dry_run(db, row, uploads.accept("r.csv", CSV_HEADER.encode()), ext.phones, ext.now())
    with pytest.raises(Forbidden):
        manage.export(db, row, ext.phones, ext.now())
    assert manage.clerk("cli:station") == "cli:station"  # the station's own shell
