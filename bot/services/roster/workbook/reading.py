"""Workbook or CSV -> raw rows keyed by field name, values as trimmed strings."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from .spec import BY_NAME, BY_TITLE, Problem, Sheet

Rows = dict[str, list[tuple[int, dict[str, str]]]]  # sheet name -> [(row number, {field: value})]
# A township's roster is far below these; a file past them is a mistake or an attack
# (a 6 KB workbook with one cell at XFD1048576 claims a billion cells).
MAX_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED = 200 * 1024 * 1024  # an .xlsx is a zip: what it expands to counts too
MAX_ROWS = 50_000  # per sheet, blank rows included
MAX_COLUMNS = 64  # the header is looked for in these; cells further right are ignored
CSV_BROKEN = "CSV 格式有误（可能有过长的内容或不成对的引号），请用 Excel 另存后再导入"


class TooManyRows(Exception):
    pass


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
        if number > MAX_ROWS + 1:
            raise TooManyRows
        values = list(values)
        cells = {f: cell_text(values[i]) if i < len(values) else "" for f, i in index.items()}
        if any(cells.values()):  # blank lines are allowed anywhere
            rows.append((number, cells))


def _too_big(path: str | Path, raw: Raw) -> bool:
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        raw.problems.append(Problem(Path(path).name, 1, "", f"无法读取文件（{type(exc).__name__}）"))
        return True
    if size > MAX_BYTES or _unzipped(path) > MAX_UNZIPPED:
        raw.problems.append(Problem(Path(path).name, 1, "",
                                    f"文件太大（超过 {MAX_BYTES // 1024 // 1024} MB），请拆分后分别导入"))
        return True
    return False


def _unzipped(path: str | Path) -> int:
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0  # not a zip: the reader says what is wrong with it


def _take_safely(sheet: Sheet, where: str, header: list, body, raw: Raw) -> None:
    """Any failure while reading rows becomes a problem naming the sheet: nothing is imported."""
    try:
        _take(sheet, header, body, raw)
    except TooManyRows:
        raw.problems.append(Problem(where, 1, "", f"行数超过 {MAX_ROWS} 行（空行也算），请删除多余的行或拆分文件"))
    except csv.Error:
        raw.problems.append(Problem(where, 1, "", CSV_BROKEN))
    except Exception as exc:  # a damaged sheet
        raw.problems.append(Problem(where, 1, "", f"读取时出错（{type(exc).__name__}），文件可能已损坏"))


def read_workbook(path: str | Path) -> Raw:
    from openpyxl import load_workbook

    raw = Raw()
    if _too_big(path, raw):
        return raw
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
            try:  # max_col: read-only sheets pad every row to the sheet's claimed width
                rows = book[title].iter_rows(max_col=MAX_COLUMNS, values_only=True)
                header = next(rows, None) or ()
            except Exception as exc:
                raw.problems.append(Problem(title, 1, "", f"读取时出错（{type(exc).__name__}），文件可能已损坏"))
                continue
            _take_safely(BY_TITLE[title], title, list(header), ((n, r) for n, r in enumerate(rows, start=2)), raw)
    finally:
        book.close()
    return raw


def read_voter_csv(path: str | Path) -> Raw:
    """The 选民 sheet alone, as CSV (UTF-8, or GB18030 as Excel saves it on Chinese Windows)."""
    raw = Raw()
    if _too_big(path, raw):
        return raw
    data = Path(path).read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raw.problems.append(Problem(Path(path).name, 1, "",
                                        "无法识别文件的文字编码，请用 Excel 另存为“CSV UTF-8”后再导入"))
            return raw
    sheet = BY_NAME["voter"]
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, [])
    except csv.Error:
        raw.problems.append(Problem(sheet.title, 1, "", CSV_BROKEN))
        return raw
    _take_safely(sheet, sheet.title, header, ((n, r) for n, r in enumerate(reader, start=2)), raw)
    return raw
