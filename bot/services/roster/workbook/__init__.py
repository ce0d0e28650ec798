"""The roster in Excel: a template, an all-or-nothing idempotent import, an export.

spec.py      the sheets and columns (Chinese titles)
reading.py   workbook / CSV -> raw rows
validate.py  raw rows -> clean records, or every bad row named
upsert.py    clean records -> database (flush only; the caller commits)
export.py    database -> workbook
"""
