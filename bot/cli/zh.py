"""Click's own words in Chinese: usage errors, help headings, "Aborted!".

Click looks its messages up through the module-level gettext functions `_`
and `ngettext` of each of its modules before formatting them. `install()`
points those at this catalog, so placeholders ({filename!r}, {param_hint} ...)
are filled into the Chinese text exactly as into the English. A message not
in the catalog stays as click wrote it."""
from __future__ import annotations

import sys
from typing import Callable

CATALOG: dict[str, str] = {
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 '{command} {option}' 查看用法。",
    "Invalid value: {message}": "取值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such option: {name}": "没有选项：{name}",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Did you mean {possibility}?": "您要用的是不是 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（您要用的是不是其中之一：{possibilities}？）",
    "unknown error": "未知错误",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "Aborted!": "已取消。",
    "Missing command.": "缺少命令。",
    "Got unexpected extra argument ({args})": "多出了参数（{args}）",
    "Got unexpected extra arguments ({args})": "多出了参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 后面要写一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 后面要写 {nargs} 个值。",
    "Option {name!r} does not take a value.": "选项 {name!r} 后面不能写值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 要写 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的开头字符无效（{option}）",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} is not one of {choices}.": "{value!r} 不是以下之一：{choices}。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合以下任一格式：{formats}。",
    # {number_type} is click's English type name, so it is left out.
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的数字。",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid boolean.": "{value!r} 不是有效的是/否值。",
    "{value!r} is not a valid UUID.": "{value!r} 不是有效的 UUID。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件，不是文件夹。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹，不是文件。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 无法读取。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 无法写入。",
    "{name} {filename!r} is not executable.": "{name} {filename!r} 无法执行。",
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本说明并退出。",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "env var: {var}": "环境变量：{var}",
    "Do you want to continue?": "要继续吗？",
    "Repeat for confirmation": "再输入一次以确认",
    "Error: The two entered values do not match.": "错误：两次输入的不一致。",
    "Error: invalid input": "错误：输入无效",
}


def gettext(message: str) -> str:
    return CATALOG.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


_MODULES = ("core", "exceptions", "types", "parser", "formatting", "decorators", "termui", "utils")


def install() -> Callable[[], None]:
    """Point click's message look-ups at the catalog; returns an undo."""
    import click  # noqa: F401  (loads the modules patched below)

    undo: list[tuple[object, str, object]] = []
    for name in _MODULES:
        module = sys.modules.get(f"click.{name}")
        if module is None:
            continue
        for attr, fn in (("_", gettext), ("ngettext", ngettext)):
            if hasattr(module, attr):
                undo.append((module, attr, getattr(module, attr)))
                setattr(module, attr, fn)

    def restore() -> None:
        for module, attr, old in undo:
            setattr(module, attr, old)

    return restore
