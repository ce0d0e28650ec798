"""Raw rows -> typed records, naming every bad cell. Nothing here writes."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ... import texts
from ...sheets import FORMULA_START
from .. import phones
from .reading import Raw
from .spec import BY_NAME, LEVEL_TITLES, SHEETS, Column, Problem, Sheet

CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")  # goes into QR scenes (64 bytes at most)
Record = dict[str, object]
# An upper mandate level contacts the next level down ("3+10").
LINK_LAYER = {("city", "county"): "city_county", ("county", "township"): "county_township"}


@dataclass
class Known:
    """What the database already holds, so a file may refer to it."""

    codes: dict[str, set[str]] = field(default_factory=dict)
    deputy_levels: dict[str, set[str]] = field(default_factory=dict)
    constituency_level: dict[str, str] = field(default_factory=dict)
    natural_village_parent: dict[str, str] = field(default_factory=dict)
    # Bound WeChat accounts: openid -> the deputy's code / the voter's code (None: WeChat-only).
    deputy_openids: dict[str, str] = field(default_factory=dict)
    voter_openids: dict[str, str | None] = field(default_factory=dict)


@dataclass
class Checked:
    records: dict[str, list[tuple[int, Record]]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # reported; they do not stop the import


def _cell(col: Column, text: str) -> tuple[object, str | None]:
    """(value, reason if bad)."""
    if not text:
        return (None, "必填，不能为空") if col.required else (None, None)
    if col.kind == "code" and not CODE.match(text):
        return None, f"“{text[:40]}”不是有效编码（只能用字母、数字、- 和 _，最多 32 位）"
    if col.kind in ("choice", "bool"):
        names = dict(col.choices)
        if text not in names:
            return None, f"“{text[:40]}”不是 {'/'.join(names)} 之一"
        return names[text], None
    if col.kind == "int":
        try:
            value = int(text)
        except ValueError:
            return None, f"“{text[:40]}”不是整数"
        if col.field == "reception_day" and not 1 <= value <= 28:
            return None, f"{value} 不在 1–28 之间（每个月都要有这一天）"
        return value, None
    if col.kind == "phone":
        value = phones.normalise(text)
        if not phones.valid(value):  # the number itself is never echoed
            return None, "号码格式不对（应为 11 位手机号或带区号的固定电话）"
        return value, None
    if len(text) > 100:
        return None, "内容太长（最多 100 个字）"
    if text.startswith(FORMULA_START):
        return None, "不能以 = + - @ 开头（表格软件会把它当作公式）"
    return text, None


def check(raw: Raw, known: Known) -> Checked:
    out = Checked(problems=list(raw.problems))
    for sheet in SHEETS:
        for number, cells in raw.rows.get(sheet.name, []):
            record: Record = {}
            bad = False
            for col in sheet.columns:
                value, reason = _cell(col, cells.get(col.field, ""))
                if reason:
                    out.problems.append(Problem(sheet.title, number, col.title, reason))
                    bad = True
                record[col.field] = value
            if not bad:
                out.records.setdefault(sheet.name, []).append((number, record))
    _duplicates(out)
    available = {s.name: set(known.codes.get(s.name, set())) for s in SHEETS}
    for name, rows in raw.rows.items():  # a bad row's code still exists: no cascade of errors
        if "code" in BY_NAME[name].key:
            available[name].update(cells["code"] for _, cells in rows if cells.get("code"))
    _references(out, available)
    _deputies(out, known)
    _links(out, known)
    _natural_villages(out, known)
    _deputy_openids(out, known)
    _openids(out, "voter", known.voter_openids, "选民")
    out.problems.sort(key=lambda p: ([s.title for s in SHEETS].index(p.sheet)
                                     if p.sheet in [s.title for s in SHEETS] else -1, p.row))
    return out


def _duplicates(out: Checked) -> None:
    for name, rows in out.records.items():
        sheet = BY_NAME[name]
        seen: dict[tuple, int] = {}
        for number, rec in rows:
            key = tuple(rec[f] for f in sheet.key)
            if key in seen:
                what = "、".join(str(k) for k in key)
                out.problems.append(Problem(sheet.title, number, sheet.column(sheet.key[0]).title,
                                            f"与第 {seen[key]} 行重复（{what}）"))
            else:
                seen[key] = number


def _references(out: Checked, available: dict[str, set[str]]) -> None:
    for name, rows in out.records.items():
        sheet = BY_NAME[name]
        for number, rec in rows:
            for col in sheet.columns:
                value = rec.get(col.field)
                if col.kind == "ref" and value is not None and value not in available[col.ref]:
                    target = BY_NAME[col.ref].title
                    out.problems.append(Problem(sheet.title, number, col.title,
                                                f"“{value}”在{target}表和已有名册中都找不到"))


def _deputies(out: Checked, known: Known) -> None:
    """Rows of one person agree on the person; a mandate's constituency has its level."""
    sheet: Sheet = BY_NAME["deputy"]
    first: dict[str, tuple[int, Record]] = {}
    const_level = dict(known.constituency_level)
    for _, rec in out.records.get("constituency", []):
        const_level[str(rec["code"])] = str(rec["level"])
    for number, rec in out.records.get("deputy", []):
        code = str(rec["code"])
        if code in first:
            n0, rec0 = first[code]
            for f in ("name", "phone", "site", "activity_group", "active"):
                if rec[f] != rec0[f] and rec[f] is not None and rec0[f] is not None:
                    out.problems.append(Problem(sheet.title, number, sheet.column(f).title,
                                                f"与第 {n0} 行同一代表（{code}）的{sheet.column(f).title}不一致"))
        else:
            first[code] = (number, rec)
        level = const_level.get(str(rec["constituency"])) if rec["constituency"] else None
        if level and level != rec["level"]:
            out.problems.append(Problem(
                sheet.title, number, "选区",
                f"“{rec['constituency']}”是{LEVEL_TITLES[level]}级选区，与级别“{LEVEL_TITLES[str(rec['level'])]}”不符"))


def deputy_levels(out: Checked, known: Known) -> dict[str, set[str]]:
    levels = {code: set(v) for code, v in known.deputy_levels.items()}
    for code in {str(r["code"]) for _, r in out.records.get("deputy", [])}:
        levels[code] = set()  # the file's rows are the person's mandates from now on
    for _, rec in out.records.get("deputy", []):
        levels[str(rec["code"])].add(str(rec["level"]))
    return levels


def link_layers(upper: set[str], lower: set[str]) -> list[str]:
    """The "3+10" layers a link may belong to (two when both people cross-serve)."""
    return [layer for (a, b), layer in LINK_LAYER.items() if a in upper and b in lower]


def _links(out: Checked, known: Known) -> None:
    sheet = BY_NAME["link"]
    levels = deputy_levels(out, known)
    for number, rec in out.records.get("link", []):
        upper, lower = str(rec["upper"]), str(rec["lower"])
        if upper == lower:
            out.problems.append(Problem(sheet.title, number, "下级代表", "代表不能联系自己"))
        elif upper in levels and lower in levels and not link_layers(levels[upper], levels[lower]):
            out.problems.append(Problem(sheet.title, number, "", f"“{upper}”联系“{lower}”不符合“3+10”：只能市级联系县级、县级联系乡级"))


def _natural_villages(out: Checked, known: Known) -> None:
    parent = dict(known.natural_village_parent)
    for _, rec in out.records.get("natural_village", []):
        parent[str(rec["code"])] = str(rec["village"])
    sheet = BY_NAME["voter"]
    for number, rec in out.records.get("voter", []):
        nv, village = rec["natural_village"], rec["village"]
        if nv and village and parent.get(str(nv)) not in (None, village):
            out.problems.append(Problem(sheet.title, number, "自然村", f"“{nv}”不属于行政村“{village}”"))


def _openids(out: Checked, sheet_name: str, bound: dict[str, str | None], who: str) -> None:
    """One WeChat account is one deputy and one voter: within the file and against the
    database (a blank OpenID cell keeps a binding, so it still counts as taken)."""
    sheet = BY_NAME[sheet_name]
    owner: dict[str, tuple[str, int]] = {}  # openid -> (code, row) in this file
    for number, rec in out.records.get(sheet_name, []):
        openid, code = rec["openid"], str(rec["code"])
        if not openid:
            continue
        if openid in owner and owner[openid][0] != code:
            out.problems.append(Problem(sheet.title, number, "微信OpenID",
                                        f"与第 {owner[openid][1]} 行（{owner[openid][0]}）的微信OpenID相同"))
            continue
        owner.setdefault(str(openid), (code, number))
        if openid in bound and bound[openid] != code:
            other = bound[openid]
            out.problems.append(Problem(sheet.title, number, "微信OpenID",
                                        f"已绑定到{who}“{other}”" if other else "已绑定到一位微信用户"))


def _deputy_openids(out: Checked, known: Known) -> None:
    """A deputy's WeChat binding is made only by a card that staff confirm
    (services/accounts/bindings.py): an OpenID cell other than the current binding
    is not applied, and said so. (An old export would otherwise bring back a
    revoked account, and whoever edits the file could make any account a deputy.)"""
    sheet = BY_NAME["deputy"]
    current = {code: openid for openid, code in known.deputy_openids.items()}
    for number, rec in out.records.get("deputy", []):
        if rec["openid"] and rec["openid"] != current.get(str(rec["code"])):
            out.warnings.append(Problem(sheet.title, number, "微信OpenID", texts.ROSTER_DEPUTY_OPENID_IGNORED))
