"""An uploaded roster file (from the console): is it really a workbook or a
CSV, and what would importing it do. The file is hostile until read: its size
is capped, its bytes must match its type, it is read from a private temporary
folder of ours (never a path anyone typed), and a dry run runs inside a
savepoint that is rolled back, so it leaves nothing behind. The same reading,
checks and upsert as `liaison roster import`."""
from __future__ import annotations

import io
import os
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts import audit
from .manage import Clerk, clerk
from ..roster.phones import PhoneBox
from ..roster.workbook.importer import import_roster
from ..roster.workbook.reading import MAX_BYTES
from ..roster.workbook.spec import Problem
from ..roster.workbook.upsert import Summary

WRONG_TYPE = "只能上传 Excel 名册（.xlsx，用“下载模板”得到的格式）或选民名单（.csv）"
OLD_EXCEL = "这是旧版 Excel 文件（.xls），请在 Excel 里“另存为” .xlsx 后再上传"
NOT_XLSX = "文件名是 .xlsx，但内容不是 Excel 工作簿，请用 Excel 打开后重新保存再上传"
NOT_CSV = "文件名是 .csv，但内容不是文字表格，请用 Excel“另存为 CSV UTF-8”后再上传"
EMPTY = "文件是空的，请重新选择"
TOO_BIG = f"文件太大（超过 {MAX_BYTES // 1024 // 1024} MB），请拆分后分别上传"
CONFLICT = "导入冲突，未导入任何数据：可能两行互换了微信绑定，请分两次导入"


class UploadRefused(ValueError):
    """Not a file we read; the message is for the clerk."""


@dataclass(frozen=True)
class Upload:
    kind: str  # "xlsx" or "csv"
    data: bytes
    name: str  # shown to the clerk only; never used as a path


def accept(filename: str, data: bytes) -> Upload:
    """The upload if it is what its name says, an .xlsx workbook or a .csv file."""
    name = os.path.basename((filename or "").replace("\\", "/"))[:100]
    kind = name.rpartition(".")[2].lower() if "." in name else ""
    if not data:
        raise UploadRefused(EMPTY)
    if len(data) > MAX_BYTES:
        raise UploadRefused(TOO_BIG)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or kind == "xls":  # OLE2: Excel 97-2003
        raise UploadRefused(OLD_EXCEL)
    if kind == "xlsx":
        if not _is_workbook(data):
            raise UploadRefused(NOT_XLSX)
    elif kind == "csv":
        if data[:4] == b"PK\x03\x04" or b"\x00" in data[:65536]:
            raise UploadRefused(NOT_CSV)
    else:
        raise UploadRefused(WRONG_TYPE)
    return Upload(kind, data, name)


def _is_workbook(data: bytes) -> bool:
    if data[:4] != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return False
    return {"[Content_Types].xml", "xl/workbook.xml"} <= names


def _run(session: Session, upload: Upload, box: PhoneBox, now: datetime) -> Summary:
    with tempfile.TemporaryDirectory() as folder:  # 0700, ours; gone when read
        path = os.path.join(folder, f"roster.{upload.kind}")
        with open(path, "wb") as fh:
            fh.write(upload.data)
        return import_roster(session, path, box, now)


def _refused(upload: Upload) -> Summary:
    return Summary(problems=[Problem(upload.name or "名册", 1, "", CONFLICT)])


def dry_run(session: Session, by: Clerk, upload: Upload, box: PhoneBox, now: datetime) -> Summary:
    """What importing would do, row by row; nothing stays in the session."""
    clerk(by)
    point = session.begin_nested()
    try:
        return _run(session, upload, box, now)
    except IntegrityError:  # e.g. two rows swapping WeChat bindings in one file
        return _refused(upload)
    finally:
        point.rollback()


def apply(session: Session, by: Clerk, upload: Upload, box: PhoneBox, now: datetime, *,
          address: str | None = None) -> Summary:
    """Import the file if every row is clean (checked again: the roster may have
    changed since the dry run), audited "roster.import". With problems, the
    caller rolls back (no savepoint here: SQLite's driver commits when the
    outermost one is released, which would split the import from its audit row)."""
    actor = clerk(by)
    try:
        summary = _run(session, upload, box, now)
    except IntegrityError:
        return _refused(upload)
    if summary.problems:
        return summary
    detail = "，".join(f"{title} 新增 {c.created} 更新 {c.updated}" + (f" 删除 {c.removed}" if c.removed else "")
                      for title, c in summary.counts.items() if c.created or c.updated or c.removed)
    audit.record(session, actor=actor, action="roster.import", target=upload.name or upload.kind,
                 detail=detail or "没有变化", address=address, now=now)
    return summary
