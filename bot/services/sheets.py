"""What every spreadsheet we write shares: text a spreadsheet program would
run as a formula (=, +, -, @, a tab or a return first) is stored as text,
shown exactly as written, with no quote mark put in front of it."""
from __future__ import annotations

from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text_cell(cell: Any, value: Any) -> Any:
    """Put `value` in an openpyxl cell (a worksheet's or a write-only one) and
    return the cell; text starting like a formula is typed as a string, so
    Excel and LibreOffice show it and never evaluate it."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_START):
        cell.data_type = "s"
    return cell
