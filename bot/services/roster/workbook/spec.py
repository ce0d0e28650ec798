"""Sheets and columns of the roster workbook. Titles are what staff see."""
from __future__ import annotations

import re
from dataclasses import dataclass

LEVEL_NAMES = {"市": "city", "县": "county", "乡": "township"}
LEVEL_TITLES = {v: k for k, v in LEVEL_NAMES.items()}
SITE_KIND_NAMES = {"联络站": "station", "联络点": "point"}
YES_NO = {"是": True, "否": False}
# Spreadsheets run text that starts like this as a formula (CSV/formula injection).


@dataclass(frozen=True)
class Column:
    title: str
    field: str
    required: bool = False
    kind: str = "text"  # text, code, ref, int, choice, bool, phone
    choices: tuple[tuple[str, object], ...] = ()
    ref: str = ""  # the sheet a "ref" column points at
    note: str = ""  # the template's comment line


@dataclass(frozen=True)
class Sheet:
    name: str  # internal name
    title: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ("code",)

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)


def _choice(names: dict) -> tuple[tuple[str, object], ...]:
    return tuple(names.items())


CODE = Column("编码", "code", True, "code", note="唯一，字母数字，导入时据此识别同一行")

SHEETS: tuple[Sheet, ...] = (
    Sheet("township", "乡镇", (CODE, Column("名称", "name", True))),
    Sheet("site", "站点", (
        CODE,
        Column("类型", "kind", True, "choice", _choice(SITE_KIND_NAMES), note="联络站 或 联络点"),
        Column("名称", "name", True),
        Column("地址", "address"),
        Column("接待日", "reception_day", True, "int", note="每月几号接待选民，1–28"),
        Column("品牌", "brand", note="一点一品，如 商贸服务点"),
    )),
    Sheet("constituency", "选区", (
        CODE, Column("名称", "name", True),
        Column("级别", "level", True, "choice", _choice(LEVEL_NAMES), note="市 / 县 / 乡"),
    )),
    Sheet("village", "行政村", (
        CODE, Column("名称", "name", True),
        Column("乡镇", "township", False, "ref", ref="township"),
        Column("站点", "site", False, "ref", ref="site", note="服务该村的联络站或联络点编码"),
        Column("选区", "constituency", False, "ref", ref="constituency"),
    )),
    Sheet("natural_village", "自然村", (
        CODE, Column("名称", "name", True),
        Column("行政村", "village", True, "ref", ref="village"),
    )),
    Sheet("activity_group", "活动小组", (CODE, Column("名称", "name", True))),
    # One row per mandate: a cross-serving deputy has two rows with the same 编码.
    Sheet("deputy", "代表", (
        Column("编码", "code", True, "code", note="同一人兼任两级代表时写两行，编码相同"),
        Column("姓名", "name", True),
        Column("手机", "phone", False, "phone"),
        Column("级别", "level", True, "choice", _choice(LEVEL_NAMES), note="市 / 县 / 乡"),
        Column("选区", "constituency", False, "ref", ref="constituency"),
        Column("驻站站点", "site", False, "ref", ref="site", note="在联络站（点）接待选民的代表填写"),
        Column("活动小组", "activity_group", False, "ref", ref="activity_group"),
        Column("在职", "active", False, "bool", _choice(YES_NO), note="是 / 否；留空：新代表为 是，已有代表不变"),
        Column("微信OpenID", "openid", False, note="导出时填写当前绑定，仅供查看；导入时不生效：代表扫绑定卡、工作人员确认后才绑定"),
    ), key=("code", "level")),
    Sheet("link", "联系", (
        Column("上级代表", "upper", True, "ref", ref="deputy", note="市级代表联系县级代表，县级代表联系乡级代表"),
        Column("下级代表", "lower", True, "ref", ref="deputy"),
    ), key=("upper", "lower")),
    Sheet("group", "联系选民群", (
        CODE, Column("名称", "name", True),
        Column("代表", "deputy", True, "ref", ref="deputy"),
        Column("站点", "site", False, "ref", ref="site"),
        Column("启用", "active", False, "bool", _choice(YES_NO), note="否 = 二维码作废，成员保留；留空：新群为 是，已有的群不变"),
    )),
    Sheet("voter", "选民", (
        CODE, Column("姓名", "name", True),
        Column("手机", "phone", False, "phone"),
        Column("行政村", "village", False, "ref", ref="village"),
        Column("自然村", "natural_village", False, "ref", ref="natural_village"),
        Column("联系选民群", "group", False, "ref", ref="group", note="固定选民所在的代表联系选民群编码"),
        Column("微信OpenID", "openid", False, note="通常留空，由选民扫码或发送“绑定 姓名 手机后四位”绑定"),
    )),
)
BY_NAME = {s.name: s for s in SHEETS}
BY_TITLE = {s.title: s for s in SHEETS}


@dataclass(frozen=True)
class Problem:
    """One bad cell or row, named exactly for staff."""

    sheet: str  # sheet title
    row: int  # 1-based, as Excel shows it
    column: str  # column title, "" for the whole row
    reason: str  # Chinese; long digit runs (a phone in the wrong column) are masked

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", mask_digits(self.reason))

    def __str__(self) -> str:
        where = f"{self.sheet} 表第 {self.row} 行"
        return f"{where}，{self.column}：{self.reason}" if self.column else f"{where}：{self.reason}"


LONG_DIGITS = re.compile(r"\d{7,}")


def mask_digits(text: str) -> str:
    """138****0001: problems echo cell text, which may be a phone when columns shifted."""
    def mask(m: re.Match) -> str:
        d = m.group()
        return d[:3] + "****" + d[-4:] if len(d) >= 11 else "*" * len(d)
    return LONG_DIGITS.sub(mask, text)
