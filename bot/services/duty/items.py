"""The "十个一" minimums (../domain: 代表"十个一"活动制度), as data: what each item
is called, how often it is due, and how many a year requires. Everything that
judges a deputy's year reads this table."""
from __future__ import annotations

from dataclasses import dataclass

from ...models import DUTY_KINDS, ITEM_KINDS

YEAR, HALF, MONTH = "year", "half", "month"


@dataclass(frozen=True)
class Item:
    number: int
    kind: str
    name: str
    # How often at least one is due: once a year, every half year, every month.
    cadence: str

    @property
    def required(self) -> int:
        """The count a whole year requires."""
        return {YEAR: 1, HALF: 2, MONTH: 12}[self.cadence]


ITEMS: tuple[Item, ...] = (
    Item(1, "reception", "接待选民", YEAR),
    Item(2, "visit", "走访选民", MONTH),
    Item(3, "study", "学习培训", HALF),
    Item(4, "inspection", "视察调研", YEAR),
    Item(5, "relief", "扶贫助困", YEAR),
    Item(6, "good_deed", "好事实事", YEAR),
    Item(7, "mediation", "纠纷调解", YEAR),
    Item(8, "exchange", "履职交流", YEAR),
    Item(9, "suggestion", "建议批评和意见", YEAR),
    Item(10, "report", "向选民述职", YEAR),
)
assert tuple(i.kind for i in ITEMS) == ITEM_KINDS
BY_KIND = {i.kind: i for i in ITEMS}

# Every kind's Chinese name, the ten items' and the others'.
KIND_NAMES: dict[str, str] = {**{i.kind: i.name for i in ITEMS}, "casework": "办理群众意见",
                              "broadcast": "向选民发送通知", "session": "会议期间履职"}
assert set(KIND_NAMES) == set(DUTY_KINDS)
# Two-character heads for narrow tables (the console's station report, the terminal), in the items' order.
SHORT_NAMES: dict[str, str] = {"reception": "接待", "visit": "走访", "study": "学习", "inspection": "视察",
                               "relief": "扶贫", "good_deed": "好事", "mediation": "调解", "exchange": "交流",
                               "suggestion": "建议", "report": "述职"}
assert tuple(SHORT_NAMES) == ITEM_KINDS
SOURCE_NAMES = {"auto": "系统自动记录", "deputy": "代表本人记录", "staff": "工作人员录入"}


def kind_of(text: str) -> str | None:
    """A kind from its code, its Chinese name or its item number ("3", "学习培训", "study")."""
    value = (text or "").strip()
    if value in KIND_NAMES:
        return value
    for kind, name in KIND_NAMES.items():
        if value == name:
            return kind
    if value.isdigit() and 1 <= int(value) <= len(ITEMS):
        return ITEMS[int(value) - 1].kind
    return None
