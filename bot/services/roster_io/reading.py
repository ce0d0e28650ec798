"""Workbook or CSV -> raw rows keyed by field name, values as trimmed strings."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .spec import BY_NAME, BY_TITLE, Problem, Sheet

Rows = dict[str, list[tuple[int, dict[str, str]]]]  # sheet name -> [(row number, {field: value})]


@dataclass
class Raw:
    rows: Rows = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 13800001234 and 20 as floats
    return str(value).strip()


def _take(sheet: Sheet, header: list[str], body, raw: Raw) -> None:
    titles = [cell_text(h) for h in header]
    missing = [c.title for c in sheet.columns if c.required and c.title not in titles]
    if missing:
        raw.problems.append(Problem(sheet.title, 1, "", f"缺少必需的列：{'、'.join(missing)}"))
        return
    index = {c.field: titles.index(c.title) for c in sheet.columns if c.title in titles}
    rows = raw.rows.setdefault(sheet.name, [])
    for number, values in body:
        values = list(values)
        cells = {f: cell_text(values[i]) if i < len(values) else "" for f, i in index.items()}
        if any(cells.values()):  # blank lines are allowed anywhere
            rows.append((number, cells))


def read_workbook(path: str | Path) -> Raw:
    from openpyxl import load_workbook

    raw = Raw()
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a workbook, or damaged
        raw.problems.append(Problem(Path(path).name, 1, "", f"无法作为 Excel 文件打开（{type(exc).__name__}）"))
        return raw
    try:
        known = [title for title in book.sheetnames if title in BY_TITLE]
        if not known:
            raw.problems.append(Problem(Path(path).name, 1, "",
                                        f"没有可识别的工作表，应为：{'、'.join(BY_TITLE)}"))
        for title in known:
            rows = book[title].iter_rows(values_only=True)
            header = next(rows, None) or ()
            _take(BY_TITLE[title], list(header), ((n, r) for n, r in enumerate(rows, start=2)), raw)
    finally:
        book.close()
    return raw


def read_voter_csv(path: str | Path) -> Raw:
    """The 选民 sheet alone, as CSV (UTF-8, or GB18030 as Excel saves it on Chinese Windows)."""
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    reader = csv.reader(io.StringIO(text))
    raw = Raw()
    header = next(reader, [])
    _take(BY_NAME["voter"], header, ((n, r) for n, r in enumerate(reader, start=2)), raw)
    return raw
