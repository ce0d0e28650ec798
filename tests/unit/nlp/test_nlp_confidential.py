"""Which messages stay with the station staff: they name the deputy they would
go to, concern discipline or the law, or ask not to be named."""
from __future__ import annotations

import pytest

from bot.nlp.confidential import ANONYMITY, NAMES_DEPUTY, SENSITIVE, asks_anonymity, detect, is_question, names

THE_COMPLAINT = "我要举报吴凤华代表收了…红包，请不要告诉他是我说的"


def test_the_complaint_of_the_review_has_all_three_reasons():
    found = detect(THE_COMPLAINT, ["吴凤华"], "纪检监察")
    assert found.reasons == (NAMES_DEPUTY, SENSITIVE, ANONYMITY) and found.named == "吴凤华"


@pytest.mark.parametrize("text", ["吴凤华天天不在村里", "吴 凤华不管事", "吴·凤华不管事", "凤华代表不来", "吴代表根本不管",
                                  "找吴书记也没用", "吴主任说等等", "凤华从来不来开会"])
def test_a_deputy_is_named_in_every_usual_form(text):
    assert names(text, "吴凤华")
    assert detect(text, ["王小明", "吴凤华"]).named == "吴凤华"


@pytest.mark.parametrize("text, name", [("吴华不管事", "吴凤华"), ("村里的路灯坏了", "吴凤华"),
                                        ("华为手机信号不好", "吴华"),  # a one-character given name alone is no name
                                        ("老欧说等等", "欧阳明")])
def test_other_words_do_not_name_the_deputy(text, name):
    assert not names(text, name)


def test_compound_surnames_take_a_title_after_both_characters():
    assert names("欧阳主任说等等", "欧阳明华") and names("明华不来", "欧阳明华")


@pytest.mark.parametrize("text", ["村会计挪用集体资金好几年了", "村干部优亲厚友，低保都给了亲戚", "我反映了以后被打击报复",
                                  "有人收了红包才给办", "我要举报村主任"])
def test_discipline_words_are_sensitive(text):
    assert SENSITIVE in detect(text).reasons


@pytest.mark.parametrize("category, sensitive", [("纪检监察", True), ("政法", True), ("城乡建设", False)])
def test_sensitive_categories(category, sensitive):
    assert (SENSITIVE in detect("有件事想反映一下", category=category).reasons) is sensitive


@pytest.mark.parametrize("text", ["匿名", "请匿名处理", "不要告诉代表是我", "别告诉他是我说的", "替我保密",
                                  "不要透露我的名字", "别说是我反映的", "不想让他知道是我", "千万别跟村干部说出去是我",
                                  "别让村里人知道"])
def test_requests_for_anonymity(text):
    assert asks_anonymity(text)


@pytest.mark.parametrize("text", ["希望代表告诉我们进展", "请告诉我什么时候修", "不要告诉我又要等一个月",
                                  "为什么不能告诉我们进展", "不要提醒我", "村口自来水停了三天了", "代表说过几天就修"])
def test_words_that_only_look_like_a_request(text):
    assert not detect(text, ["吴凤华"], "城乡建设")


def test_a_question_about_anonymity_is_a_question():
    assert is_question("可以匿名吗") and is_question("反映问题能保密吗？") and not is_question("请匿名处理")
