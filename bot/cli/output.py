"""What commands print for programs to read.

`--json` prints ONE JSON document (an object, or an array of the items) that
`json.load` reads whole; `--jsonl` prints JSON Lines, one object per line, for
commands that list items. Keys and values (status codes ...) stay English:
they are for programs. Everything else a command prints is for staff, in Chinese."""
from __future__ import annotations

import json
from typing import Any, Callable, Iterable

import click

JSON_HELP = "以一个 JSON 文档输出（供程序读取）。"
LIST_JSON_HELP = "以一个 JSON 数组输出（供程序读取）。"
JSONL_HELP = "每行输出一个 JSON 对象（JSON Lines，供程序逐行读取）。"


def dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)


def echo_json(obj: Any) -> None:
    click.echo(dumps(obj))


def json_option(f: Callable[..., Any]) -> Callable[..., Any]:
    """`--json` (as_json) on a command that prints one object."""
    return click.option("--json", "as_json", is_flag=True, help=JSON_HELP)(f)


def list_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """`--json` (as_json: one array) and `--jsonl` (as_jsonl: one object per line)
    on a command that lists items."""
    f = click.option("--jsonl", "as_jsonl", is_flag=True, help=JSONL_HELP)(f)
    return click.option("--json", "as_json", is_flag=True, help=LIST_JSON_HELP)(f)


def check_formats(as_json: bool, as_jsonl: bool) -> None:
    if as_json and as_jsonl:
        raise click.UsageError("--json 和 --jsonl 只能选一个。")


def emit(rows: Iterable[tuple[dict, str]], as_json: bool, as_jsonl: bool, empty: str = "") -> None:
    """Print (item, line) pairs: the items as one JSON array (--json) or as JSON
    Lines (--jsonl), else the lines for staff; `empty` when there is nothing."""
    check_formats(as_json, as_jsonl)
    rows = list(rows)
    if as_json:
        echo_json([item for item, _ in rows])
    elif as_jsonl:
        for item, _ in rows:
            echo_json(item)
    else:
        for _, line in rows:
            click.echo(line)
        if not rows and empty:
            click.echo(empty)
