"""Build roster workbooks for tests, with the real sheet and column titles."""
from __future__ import annotations

import copy
from datetime import datetime, timezone
from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.services.roster.workbook.spec import BY_TITLE

# A small township: two sites, a cross-serving county+township deputy (D2), "3+10" links,
# one fixed-voter group and three voters.
MINI: dict[str, list[list[object]]] = {
    "乡镇": [["T1", "小河乡"]],
    "站点": [["S0", "联络站", "小河乡联络站", "乡政府", 20, "代表之家"],
             ["S1", "联络点", "桥头联络点", "桥头村", 10, "便民聊天室"]],
    "选区": [["M1", "市选区", "市"], ["C1", "县第一选区", "县"], ["X1", "桥头选区", "乡"]],
    "行政村": [["V1", "桥头村", "T1", "S1", "X1"], ["V2", "河湾村", "T1", "S0", "X1"]],
    "自然村": [["V1-1", "桥头东庄", "V1"], ["V2-1", "河湾西庄", "V2"]],
    "活动小组": [["A1", "第一代表活动小组"]],
    "代表": [["D1", "王建国", "13800000001", "市", "M1", "", "A1", "是", ""],
             ["D2", "李秀兰", "13800000002", "县", "C1", "S1", "A1", "是", ""],
             ["D2", "李秀兰", "13800000002", "乡", "X1", "S1", "A1", "是", ""],
             ["D3", "张伟", "13800000003", "乡", "X1", "S1", "A1", "", ""]],
    "联系": [["D1", "D2"], ["D2", "D3"]],
    "联系选民群": [["G1", "李秀兰代表联系选民群", "D2", "S1", "是"]],
    "选民": [["P1", "赵桂英", "13900001234", "V1", "V1-1", "G1", ""],
             ["P2", "钱德福", "139 0000 5678", "V1", "", "G1", ""],
             ["P3", "孙红", "", "V2", "V2-1", "", ""]],
}


def mini() -> dict[str, list[list[object]]]:
    return copy.deepcopy(MINI)


def write_book(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        ws = book.create_sheet(title)
        ws.append([c.title for c in BY_TITLE[title].columns])
        for row in rows:
            ws.append(row)
    book.save(path)
    return path


NOW = datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def load(ext, db, tmp_path):
    """Import a workbook (dict of sheets, or a path) and commit when it is clean."""
    from bot.services.roster.workbook.importer import import_roster

    def run(book, name="roster.xlsx"):
        path = book if not isinstance(book, dict) else write_book(tmp_path / name, book)
        summary = import_roster(db, path, ext.phones, NOW)
        if summary.problems:
            db.rollback()
        else:
            db.commit()
        return summary
    return run


def problems(summary) -> list[str]:
    return [str(p) for p in summary.problems]
