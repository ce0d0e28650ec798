"""The roster console's guards, each through the console as a browser would hit
it: one waiting file imports once however often it is confirmed (and a failed
import leaves it to retry); only its uploader may confirm it; a request body
over the upload limit and a workbook that unzips past its limit are refused in
Chinese; downloading a poster never issues a code (issuing is a POST)."""
from __future__ import annotations

import io
import re
import threading
import zipfile

import pytest
from sqlalchemy import func, select

from bot.console import BODY_LIMITS
from bot.console import roster as roster_view
from bot.models import AuditEvent, IssuedQr, QrCode, Site
from bot.services.roster.workbook import reading
from bot.services.roster_desk import uploads
from console_kit import add_user, csrf_token, log_in
from roster_book import load, mini, write_book  # noqa: F401 (load is a fixture)


@pytest.fixture
def clerk(app):
    add_user(app, "clerk", "staff")
    return log_in(app, "clerk")


def upload(client, data: bytes, name: str = "roster.xlsx"):
    token = csrf_token(client, "/console/roster")
    return client.post("/console/roster/check", data={"file": (io.BytesIO(data), name), "csrf_token": token},
                       content_type="multipart/form-data", follow_redirects=True)


def waiting_token(client, tmp_path) -> str:
    page = upload(client, write_book(tmp_path / "roster.xlsx", mini()).read_bytes()).get_data(as_text=True)
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def confirm(client, token: str):
    csrf = csrf_token(client, "/console/roster")
    return client.post("/console/roster/confirm", data={"token": token, "csrf_token": csrf}, follow_redirects=True)


def imports(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "roster.import"))


def test_two_confirms_of_one_upload_import_it_once(clerk, db, tmp_path, monkeypatch):
    token = waiting_token(clerk, tmp_path)
    real, second = uploads.apply, {}

    def apply_after_a_second_click(*args, **kwargs):
        # While this confirmation is importing, the same browser sends the form again.
        if not second:
            second["page"] = None
            worker = threading.Thread(target=lambda: second.update(page=confirm(clerk, token).get_data(as_text=True)))
            worker.start()
            worker.join(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(uploads, "apply", apply_after_a_second_click)
    first = confirm(clerk, token).get_data(as_text=True)
    assert "名册已导入：新增" in first
    assert roster_view.TAKEN in (second["page"] or "")
    assert imports(db) == 1 and db.scalar(select(func.count(Site.id))) == 2


def test_a_failed_import_puts_the_file_back_for_another_try(clerk, db, tmp_path, monkeypatch):
    token = waiting_token(clerk, tmp_path)
    real = uploads.apply

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(uploads, "apply", broken)
    with pytest.raises(RuntimeError):
        confirm(clerk, token)
    assert imports(db) == 0
    monkeypatch.setattr(uploads, "apply", real)
    assert "名册已导入：新增" in confirm(clerk, token).get_data(as_text=True)
    assert imports(db) == 1


def test_a_token_replayed_by_another_account_is_refused_even_with_a_matching_session(app, clerk, db, tmp_path):
    token = waiting_token(clerk, tmp_path)
    with clerk.session_transaction() as held:
        waiting = dict(held["roster_upload"])
    add_user(app, "other", "admin")
    other = log_in(app, "other")
    with other.session_transaction() as held:  # the token and key, as if copied, under the other account's id
        held["roster_upload"] = {**waiting, "user": int(held["_user_id"].partition(":")[0])}
    assert roster_view.EXPIRED in confirm(other, token).get_data(as_text=True)
    assert imports(db) == 0
    assert "名册已导入：新增" in confirm(clerk, token).get_data(as_text=True)  # the uploader's file is untouched


def test_a_request_body_over_the_upload_limit_is_refused_in_chinese(clerk, db):
    csrf = csrf_token(clerk, "/console/roster")
    body = b"a" * (BODY_LIMITS["console.roster_check"] + 1)
    res = clerk.post("/console/roster/check", data={"file": (io.BytesIO(body), "roster.csv"), "csrf_token": csrf},
                     content_type="multipart/form-data")
    page = res.get_data(as_text=True)
    assert res.status_code == 413 and "文件太大" in page and "Too Large" not in page
    assert db.scalar(select(func.count(Site.id))) == 0


def zip_bomb() -> bytes:
    """A workbook's shape whose one sheet unzips to more than reading.MAX_UNZIPPED."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b" " * (1 << 20)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(reading.MAX_UNZIPPED // len(chunk) + 1):
                sheet.write(chunk)
    return buf.getvalue()


def test_a_workbook_that_unzips_past_the_limit_is_refused_in_chinese(clerk, db):
    data = zip_bomb()
    assert len(data) < 2 * 1024 * 1024  # small on the wire
    res = upload(clerk, data)
    page = res.get_data(as_text=True)
    assert res.status_code == 200 and "文件太大" in page and "整个文件都没有导入" in page
    assert 'name="token"' not in page and db.scalar(select(func.count(Site.id))) == 0


def test_downloading_a_poster_issues_nothing_issuing_is_a_post(clerk, db, load, monkeypatch):  # noqa: F811
    from bot.console import roster_pages

    load(mini())
    calls = []

    def create_qr(scene):  # WeChat's permanent-QR call, as in live mode
        calls.append(scene)
        return {"ticket": f"t-{len(calls)}", "url": f"https://example.invalid/q/{len(calls)}"}

    monkeypatch.setattr(roster_pages, "_create", lambda: create_qr)
    res = clerk.get("/console/roster/qr/site/S1.png")
    assert res.status_code == 404 and "还没有二维码" in res.get_data(as_text=True)
    db.expire_all()
    assert calls == [] and db.scalar(select(func.count(IssuedQr.id))) == 0
    assert db.scalar(select(func.count(QrCode.id))) == 0

    assert clerk.post("/console/roster/qr/site/S1/issue").status_code == 400  # no CSRF token, nothing issued
    assert calls == []
    csrf = csrf_token(clerk, "/console/roster/qr")
    done = clerk.post("/console/roster/qr/site/S1/issue", data={"csrf_token": csrf}, follow_redirects=True)
    assert "已生成站点 S1 的二维码" in done.get_data(as_text=True) and len(calls) == 1
    pdf = clerk.get("/console/roster/qr/site/S1.pdf")
    assert pdf.status_code == 200 and pdf.data[:5] == b"%PDF-" and len(calls) == 1  # drawn from the kept code
    db.expire_all()
    assert db.scalar(select(func.count(QrCode.id))) == 1


def test_the_roster_export_is_never_stored_by_the_browser(clerk, load):  # noqa: F811
    load(mini())
    res = clerk.post("/console/roster/export", data={"csrf_token": csrf_token(clerk, "/console/roster")})
    assert res.status_code == 200 and res.headers["Cache-Control"] == "no-store"
    assert clerk.get("/console/roster/template.xlsx").headers["Cache-Control"] == "no-store"
    assert "no-store" not in clerk.get("/console/static/console.css").headers.get("Cache-Control", "")
