"""Which matter a message is about, in everyday words: the tap water, the
street lights, the road, the rubbish... Used to tell, within a burst of
messages, whether a new message adds to the matter just reported ("家里做饭都
没水用" after a water outage) or starts another one ("还有，垃圾也没人清运"
after a broken street light), when the category alone cannot: many different
village matters share one class (城乡建设 holds water, power, lights, rubbish).

Only things that break, run out or are owed are listed; people (村干部, 邻居)
and places are not, since a detail such as "村干部也不管" or "就在村东头"
belongs to whatever matter it follows. A message that names no matter names
nothing to disagree with.
"""
from __future__ import annotations

import re

_MATTERS: dict[str, str] = {
    "water_supply": r"自来水|停水|断水|没水|没有水|缺水|水管|供水|水压|水龙头|水表|吃水|饮水|来水|上水|通水|水不通|"
                    r"水质|水(又|发)?(黄|浑|臭)|水井|水塔|水泵|水费|挑水",
    "drainage": r"污水|排水|下水道|臭水沟|积水|水沟|阴沟|化粪池|雨水",
    "street_light": r"路灯|路登|灯不亮|灯坏|灯泡|照明|黑灯瞎火",
    "road": r"坑洼|坑坑洼洼|路面|修路|道路|公路|水泥路|土路|柏油|硬化|路基|桥|涵洞|过路|"
            r"路(?!灯|登).{0,2}(坑|烂|坏|破|窄|堵|不平|难走|泥)|(烂|泥|土)路|(那|这|一)段路|条路",
    "rubbish": r"垃圾|清运|保洁|环卫|脏乱|乱倒|乱扔",
    "toilet": r"厕所|旱厕|改厕|公厕|粪",
    "power": r"停电|断电|没电|来电|电压|电线|电表|电费|变压器|电网|跳闸|供电|电路",
    "gas_heating": r"天然气|燃气|煤气|液化气|暖气|取暖|供暖|煤改气|煤改电|壁挂炉",
    "network": r"信号|网络|宽带|网速|上网|光纤|有线电视",
    "nuisance": r"噪音|噪声|扬尘|粉尘|臭味|异味|黑烟|污染|秸秆|焚烧|排放",
    "transport": r"公交|班车|客车|校车|坐车|通车|停车|车位",
    "relief": r"低保|五保|特困|救助|困难户",
    "subsidy": r"补贴|补助|津贴|惠农|种粮",
    "insurance": r"养老|医保|社保|合作医疗|新农合|报销|退休",
    "disability": r"残疾|残联",
    "wages": r"工资|欠薪|工钱|拖欠|讨薪|劳务费",
    "land": r"宅基地|耕地|土地|占地|承包地|征地|地界|确权|流转|占了.{0,3}地",
    "housing": r"危房|漏雨|翻修|盖房|建房|房屋",
    "school": r"学校|上学|幼儿园|老师|学费|校长|教室|学生",
    "health": r"卫生室|卫生院|医生|看病|村医|诊所|药费|买药|拿药",
    "farming": r"化肥|种子|农药|庄稼|收成|灌溉|浇地|水渠|机井|大棚|养殖",
    "dogs": r"狗",
}
_COMPILED = {name: re.compile(pattern) for name, pattern in _MATTERS.items()}

# Words that tie a message to the one before it by themselves: a supplement
# ("补充一下", "补一句"), the matter just told ("刚才说的", "上面那个"), a cause or
# a correction ("是因为", "说错了"). Not "还有" or "另外": those add an item,
# and the item may be another matter.
_BACK = re.compile(
    r"补充|补一句|加一句|^补个|刚才(说|发|讲|那)|刚(说|发)的|上面(说|那|的)|前面(说|那)|接着(上面|刚才|前面)|"
    r"(说|写|打|发)错了|是因为|原因是|就是(那|这)个|这个事|那个事|这件事|那件事|还是那个"
)


def matters(text: str) -> frozenset[str]:
    """The matters a message names (possibly none)."""
    return frozenset(name for name, pattern in _COMPILED.items() if pattern.search(text or ""))


def refers_back(text: str) -> bool:
    """The message says of itself that it adds to what was just said."""
    return bool(_BACK.search(text or ""))
