"""Questions about the service itself, and which matter a message is about."""

import pytest

from bot.nlp import classify, rules
from bot.nlp.matters import matters, refers_back

SERVICE = {
    "帮助": "about", "使用说明": "about", "怎么用这个公众号": "about", "这个公众号是干啥的": "about",
    "这个号能干什么": "about", "怎么反映问题": "about", "我们村的人大代表是谁": "deputy", "我的代表是哪位": "deputy",
    "反映问题要不要写真名": "anonymous", "可以匿名吗": "anonymous", "发语音可以吗": "voice", "能发语音吗": "voice",
}


@pytest.mark.parametrize("text, aspect", SERVICE.items())
def test_questions_about_the_service_are_questions_with_the_service_topic(text, aspect):
    result = classify(text)
    assert (result.intent, result.topic) == ("question", "service")
    assert rules.service_aspect(text) == aspect


@pytest.mark.parametrize("text", ["村里的代表不管事，路灯坏了半年没人修", "希望代表帮我们反映一下修桥的事", "怎么反映都没人管",
                                  "你们能干点实事吗", "发语音没人回", "希望政府帮助解决", "刚发的语音没说清 是东头那座桥"])
def test_words_about_deputies_or_reporting_in_a_complaint_are_not_a_service_question(text):
    assert rules.service_aspect(text) is None
    assert classify(text).topic != "service"


def test_a_matter_beside_a_service_question_is_what_is_left_without_it():
    assert rules.without_service_questions("我们村的代表是谁？路灯坏了半年没人修") == "路灯坏了半年没人修"
    assert rules.without_service_questions("可以匿名吗") == ""


@pytest.mark.parametrize("first, then, shared", [
    ("村里自来水停了三天了", "家里做饭都没水用", True), ("村里自来水停了三天了", "水管在村东头那段", True),
    ("村里自来水停了三天了", "村口那段路坑坑洼洼的", False), ("路灯坏了", "还有，垃圾也没人清运", False),
])
def test_matters_in_everyday_words(first, then, shared):
    assert matters(first) and matters(then)
    assert bool(matters(first) & matters(then)) is shared


@pytest.mark.parametrize("text", ["就在村口那里", "好几户都这样", "村干部也不管"])
def test_details_name_no_matter(text):
    assert matters(text) == frozenset()


def test_a_supplement_refers_back_but_another_item_does_not():
    assert refers_back("补充一下，是电压不够抽不上来")
    assert not refers_back("还有，垃圾也没人清运") and not refers_back("另外，路灯也坏了")
