"""Whatever file staff pick, the import answers in Chinese and writes nothing:
huge or sparse workbooks, broken CSV, unknown encodings."""
from __future__ import annotations

import signal
import time
from contextlib import contextmanager

from openpyxl import Workbook
from sqlalchemy import func, select

from bot.cli import main
from bot.cli.context import State
from bot.models import Voter
from bot.services.roster.workbook import reading
from bot.services.roster.workbook.reading import read_voter_csv, read_workbook
from roster_book import BY_TITLE


@contextmanager
def at_most(seconds: int):
    def stop(*_):
        raise TimeoutError(f"still reading after {seconds} s")
    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def messages(raw) -> list[str]:
    return [str(p) for p in raw.problems]


def test_a_tiny_workbook_claiming_a_billion_cells_is_read_quickly(tmp_path):
    book = Workbook()
    ws = book.active
    ws.title = "选民"
    ws.append([c.title for c in BY_TITLE["选民"].columns])
    ws.append(["P1", "赵桂英"])
    ws["XFD1048576"] = " "
    book.save(tmp_path / "bomb.xlsx")
    started = time.monotonic()
    with at_most(20):
        raw = read_workbook(tmp_path / "bomb.xlsx")
    assert time.monotonic() - started < 10
    assert messages(raw) == ["选民 表第 1 行：行数超过 50000 行（空行也算），请删除多余的行或拆分文件"]


def test_a_sheet_within_the_row_limit_is_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_ROWS", 3)
    book = Workbook()
    ws = book.active
    ws.title = "选民"
    ws.append([c.title for c in BY_TITLE["选民"].columns] + [f"备注{i}" for i in range(100)])
    for i in range(3):
        ws.append([f"P{i}", "某人"])
    book.save(tmp_path / "ok.xlsx")
    raw = read_workbook(tmp_path / "ok.xlsx")
    assert not raw.problems and [cells["code"] for _, cells in raw.rows["voter"]] == ["P0", "P1", "P2"]
    ws.append(["P3", "某人"])
    book.save(tmp_path / "long.xlsx")
    assert messages(read_workbook(tmp_path / "long.xlsx")) == \
        ["选民 表第 1 行：行数超过 3 行（空行也算），请删除多余的行或拆分文件"]


def test_a_file_over_the_size_limit_is_not_opened(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_BYTES", 1024)
    (tmp_path / "big.csv").write_bytes(b"x" * 2048)
    (tmp_path / "big.xlsx").write_bytes(b"x" * 2048)
    assert messages(read_voter_csv(tmp_path / "big.csv")) == ["big.csv 表第 1 行：文件太大（超过 0 MB），请拆分后分别导入"]
    assert len(read_workbook(tmp_path / "big.xlsx").problems) == 1


def test_a_workbook_that_expands_past_the_limit_is_not_opened(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_UNZIPPED", 64 * 1024)
    book = Workbook()
    book.active.title = "选民"
    book.active.append([c.title for c in BY_TITLE["选民"].columns])
    for i in range(2000):
        book.active.append([f"P{i}", "某" * 20])
    book.save(tmp_path / "big.xlsx")
    assert (tmp_path / "big.xlsx").stat().st_size < 64 * 1024
    assert messages(read_workbook(tmp_path / "big.xlsx")) == \
        ["big.xlsx 表第 1 行：文件太大（超过 20 MB），请拆分后分别导入"]


def test_a_csv_with_a_huge_field_is_a_problem_not_a_traceback(tmp_path):
    (tmp_path / "v.csv").write_text("编码,姓名\nP1," + "x" * 200_000 + "\n", encoding="utf-8")
    assert messages(read_voter_csv(tmp_path / "v.csv")) == \
        ["选民 表第 1 行：CSV 格式有误（可能有过长的内容或不成对的引号），请用 Excel 另存后再导入"]


def test_a_csv_in_no_known_encoding_is_a_problem_not_a_traceback(tmp_path):
    (tmp_path / "v.csv").write_bytes(b"\xff\xfe\x00\x81\x30")
    assert messages(read_voter_csv(tmp_path / "v.csv")) == \
        ["v.csv 表第 1 行：无法识别文件的文字编码，请用 Excel 另存为“CSV UTF-8”后再导入"]


def test_the_command_exits_non_zero_and_writes_nothing(app, db, tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("编码,姓名\nP1,赵桂英\nP2," + "x" * 200_000 + "\n", encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(main, ["roster", "import", str(path)], obj=State(app=app))
    assert result.exit_code != 0 and "CSV 格式有误" in result.output
    assert db.scalar(select(func.count(Voter.id))) == 0
