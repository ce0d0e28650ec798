"""Whether a message must stay with the station staff: it complains about the
deputy it would go to, it is a matter of discipline or law (a bribe, a
reprisal), or the voter asks not to be named. Pure: the caller gives the
deputies' names and the message's category.

A miss sends a complaint to the person it accuses, with the voter's name; a
false alarm costs a staff member a glance. So recall first, but words that
only look alike ("希望代表告诉我们进展", "不要告诉我又要等") do not count.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

NAMES_DEPUTY = "names_deputy"
SENSITIVE = "sensitive"
ANONYMITY = "anonymity"
REASONS = (NAMES_DEPUTY, SENSITIVE, ANONYMITY)

# Categories whose matters are about wrongdoing by people in office or about
# the police and courts: never routed to a deputy who may be part of it.
SENSITIVE_CATEGORIES = frozenset({"纪检监察", "政法"})
_SENSITIVE = re.compile(
    r"举报|检举|揭发|贪污|受贿|行贿|索贿|收(了)?.{0,4}(红包|好处|回扣|礼金)|红包|回扣|好处费|挪用|侵占|克扣|截留|"
    r"吃拿卡要|以权谋私|优亲厚友|虚报冒领|贪腐|腐败|打击报复|报复我|怕.{0,4}报复|给我穿小鞋|穿小鞋|违纪|纪委|监委"
)
# Asking not to be named. "Don't tell" must not be told to the voter
# themselves ("不要告诉我又要等" is impatience, not a secret).
_ANONYMITY = re.compile(
    r"匿名|保密|不(要|想|能|愿意?)(实名|留名|暴露)|"
    r"(不要|别|不能|千万别|千万不要|请勿|勿|不许|不准|不用)(跟|和|给|对|向)?.{0,6}?(告诉(?![我过])|透露|泄露|说出|讲出|提起)|"
    r"(别|不要|不能)(说|讲)(是|出)我|(别|不要|不想|不能|不愿意?)让.{0,6}知道|"
    r"不想(被|叫|让)?.{0,4}知道是我|替我(保密|保守)|不敢(实名|说是我)"
)
# "姓 + title": how villagers name a deputy without the given name.
_TITLES = "代表|主任|书记|支书|村长|镇长|乡长|主席|委员|会计|站长|队长|组长|老师|大夫|医生|总|局长|所长|干部|哥|姐|叔|婶|伯|姨|爷|老板"
_COMPOUND = ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "长孙", "夏侯", "尉迟", "公孙", "宇文",
             "司徒", "端木", "澹台", "南宫", "西门", "呼延", "独孤")
_GAP = r"[\s\u3000·•.,，。、_\-—]{0,2}"  # a space or a dot typed inside a name


@dataclass(frozen=True)
class Finding:
    reasons: tuple[str, ...] = ()
    named: str | None = None  # the deputy's name, when the message names one

    def __bool__(self) -> bool:
        return bool(self.reasons)


def split_name(name: str) -> tuple[str, str]:
    name = re.sub(r"\s+", "", name or "")
    surname_len = 2 if name[:2] in _COMPOUND and len(name) > 2 else 1
    return name[:surname_len], name[surname_len:]


def _spaced(word: str) -> str:
    return _GAP.join(re.escape(c) for c in word)


def names(text: str, name: str) -> bool:
    """Whether `text` names the person called `name`: in full, surname and a
    title ("吴代表", "吴书记"), or the given name alone when it
    has two characters or more, with a space or a dot allowed inside."""
    surname, given = split_name(name)
    if not surname:
        return False
    forms = [_spaced(surname + given)] if given else []
    forms.append(_spaced(surname) + _GAP + f"(?:{_TITLES})")
    if len(given) >= 2:
        forms.append(_spaced(given))
    return re.search("|".join(forms), text or "") is not None


def asks_anonymity(text: str) -> bool:
    return _ANONYMITY.search(text or "") is not None


# "可以匿名吗": a question about the service, answered by services/answers.py.
_QUESTION = re.compile(r"(吗|么|嘛|[?？])\s*$|(可以|能|能不能|可不可以|怎么|如何|咋)(匿名|保密)")


def is_question(text: str) -> bool:
    return _QUESTION.search((text or "").strip()) is not None


def without_request(text: str) -> str:
    """The message with its request for anonymity taken out (what is left may be a matter)."""
    return _ANONYMITY.sub("", text or "")


def is_sensitive(text: str, category: str | None = None) -> bool:
    return (category in SENSITIVE_CATEGORIES) or _SENSITIVE.search(text or "") is not None


def detect(text: str, deputy_names: tuple[str, ...] | list[str] = (), category: str | None = None) -> Finding:
    """Every reason `text` must stay with the staff (empty when it may go to a deputy)."""
    named = next((n for n in deputy_names if n and names(text, n)), None)
    reasons = tuple(r for r, hit in ((NAMES_DEPUTY, named is not None), (SENSITIVE, is_sensitive(text, category)),
                                     (ANONYMITY, asks_anonymity(text))) if hit)
    return Finding(reasons, named)
