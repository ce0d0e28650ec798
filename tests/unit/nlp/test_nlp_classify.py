"""Behaviour of classify(): categories, routing, urgency, intents, robustness."""

import pytest

from bot.nlp import CATEGORIES, INTENTS, Classification, classify, rules


def test_categories_are_the_fifteen_classes_plus_other():
    assert len(CATEGORIES) == 16
    assert CATEGORIES[-1] == "其他"
    assert {"民政", "农村农业", "国土资源", "政法", "纪检监察", "党务政务", "经济管理", "科技与信息产业"} <= set(CATEGORIES)


def test_water_cut_goes_to_urban_rural_construction_with_an_office():
    result = classify("村里自来水停了三天了")
    assert result.category == "城乡建设"
    assert result.office == "水务站"
    assert result.level == "township"
    assert result.intent == "opinion"
    assert not result.urgent


@pytest.mark.parametrize(
    "text, category",
    [
        ("低保怎么申请", "民政"),
        ("宅基地被邻居占了", "国土资源"),
        ("村干部贪污", "纪检监察"),
        ("有人偷电动车", "政法"),
        ("玉米补贴没发", "农村农业"),
        ("村里手机信号太差", "科技与信息产业"),
        ("老板拖欠工资不给", "劳动和社会保障"),
        ("养猪场的粪水排到河里臭死了", "环境保护"),
    ],
)
def test_short_rural_messages_reach_their_class(text, category):
    assert classify(text).category == category


def test_result_shape_and_calibrated_confidence():
    result = classify("村口的路灯坏了大半年了")
    assert isinstance(result, Classification)
    assert result.category in CATEGORIES
    assert 0.0 <= result.confidence <= 1.0
    assert len(result.alternatives) == 3
    assert all(p <= result.confidence for _, p in result.alternatives)
    assert result.category not in [c for c, _ in result.alternatives]
    assert result.level in ("township", "county")
    assert result.office


def test_county_level_class_is_routed_to_the_county():
    assert classify("宽带安装了一个月还没通，网速也慢").level == "county"


@pytest.mark.parametrize("text", ["煤气泄漏了快来人", "后山滑坡了，房子要塌了", "村东头着火了", "电线掉在地上还冒火花", "河水漫过堤了，家里进水了"])
def test_danger_to_life_or_property_is_urgent(text):
    result = classify(text)
    assert result.urgent
    assert result.intent == "opinion"


@pytest.mark.parametrize("text", ["村里自来水停了三天了", "你好", "低保怎么申请", "学校乱收费"])
def test_ordinary_messages_are_not_urgent(text):
    assert not classify(text).urgent


@pytest.mark.parametrize("text", ["你好", "您好", "谢谢代表", "👍", "好的，辛苦了", "[微笑]"])
def test_greetings(text):
    result = classify(text)
    assert result.intent == "greeting"
    assert result.topic is None


@pytest.mark.parametrize("text", ["5", "5分", "很满意", "不满意", "★★★★★"])
def test_ratings(text):
    assert classify(text).intent == "rating"


@pytest.mark.parametrize(
    "text, topic",
    [
        ("接待日是哪天", "reception_day"),
        ("代表几号在联络站", "reception_day"),
        ("联络站在哪里", "site_location"),
        ("我反映的问题处理得怎么样了", "progress"),
        ("低保怎么申请", "benefits"),
    ],
)
def test_questions_carry_a_topic(text, topic):
    result = classify(text)
    assert result.intent == "question"
    assert result.topic == topic


@pytest.mark.parametrize("text", ["我上次反映的路灯到现在还是不亮", "补充一下，漏水的地方在村东头"])
def test_followups(text):
    assert classify(text).intent == "followup"


def test_opinion_has_no_topic():
    result = classify("村里的路坑坑洼洼，下雨全是泥")
    assert result.intent == "opinion"
    assert result.topic is None


@pytest.mark.parametrize("text", ["", " ", "😊😊", "？？？", "a" * 5000, "村里停水" * 1250, "\x00\ufeff", "ＡＢＣ１２３"])
def test_never_raises(text):
    result = classify(text)
    assert result.category in CATEGORIES
    assert result.intent in INTENTS


def test_full_width_and_half_width_agree():
    assert classify("村里自来水停了３天了！").category == classify("村里自来水停了3天了!").category


def test_nothing_recognisable_is_other_and_goes_to_triage():
    result = classify("😊")
    assert result.category == "其他"
    assert result.needs_triage
    assert result.confidence == 0.0


@pytest.mark.parametrize(
    "text",
    ["有人掉河里了", "孩子掉井里了", "配电箱着火了", "有人触电了", "高压线断了掉在路上", "水库大坝要垮了", "路面突然塌陷了", "有人喝农药了", "老人晕倒在家里", "闻到一股煤气味"],
)
def test_more_ways_of_saying_danger_are_urgent(text):
    assert classify(text).urgent


@pytest.mark.parametrize("text", ["砖厂烟囱天天冒烟", "希望加强消防宣传", "打工受伤了厂里不管医药费"])
def test_past_or_chronic_problems_are_not_urgent(text):
    assert not classify(text).urgent


@pytest.mark.parametrize("text", ["残疾人补贴需要准备什么材料", "新农合怎么交", "医保报销要带什么"])
def test_how_to_apply_questions_are_about_benefits(text):
    result = classify(text)
    assert (result.intent, result.topic) == ("question", "benefits")


def test_a_list_continuation_is_a_followup_but_a_sentence_starting_with_hai_you_is_not():
    assert classify("还有，那边的垃圾也没人清").intent == "followup"
    assert classify("还有人在村里赌博").intent == "opinion"


@pytest.mark.parametrize(
    "text, topic",
    [
        ("到联络站坐几路车", "site_location"),
        ("俺这岁数能领高龄补贴不", "benefits"),
        ("啥时候能见着代表", "reception_day"),
    ],
)
def test_a_question_in_words_the_rules_miss_still_gets_its_topic_from_the_model(text, topic):
    from bot.nlp import rules

    assert rules.question_topic(text) is None  # so the topic model is what answers
    result = classify(text)
    assert (result.intent, result.topic) == ("question", topic)


@pytest.mark.parametrize("text", ["俺家的低保咋又被取消了", "希望代表帮我们反映一下修桥的事"])
def test_a_complaint_that_names_a_benefit_or_reporting_gets_no_topic(text):
    result = classify(text)
    assert result.intent == "opinion"
    assert result.topic is None


def test_an_artifact_without_a_topic_model_falls_back_to_the_rules():
    from dataclasses import replace

    from bot.nlp import classify_with, get_artifact

    old = replace(get_artifact(), topic=None)
    assert classify_with(old, "接待日是哪天").topic == "reception_day"
    assert classify_with(old, "到联络站坐几路车").topic is None


def test_asking_how_far_a_reported_matter_has_got_is_a_progress_question():
    result = classify("我上次反映的问题现在办到哪一步了")
    assert (result.intent, result.topic) == ("question", "progress")


@pytest.mark.parametrize("text", ["办得不咋地", "凑合", "不怎么样"])
def test_colloquial_ratings(text):
    assert classify(text).intent == "rating"


def test_a_statement_that_asks_nothing_is_never_a_question():
    # The intent model alone calls this advert a question ("要的联系我").
    assert classify("卖新鲜土鸡蛋，要的联系我").intent == "opinion"


@pytest.mark.parametrize("text", ["明天代表在不在站里", "娃考上大学了有没有助学金可以申请", "俺这岁数能领高龄补贴不"])
def test_questions_without_a_question_mark_still_ask(text):
    assert rules.asks(text)
    assert classify(text).intent == "question"


@pytest.mark.parametrize("text", ["水都漫到炕沿了", "隔壁老头两天没开门了 敲门也没人应", "俺男人拿着菜刀要砍俺", "娃喝了半瓶敌敌畏"])
def test_panic_in_everyday_words_is_urgent(text):
    assert classify(text).urgent


def test_the_urgency_model_catches_what_the_patterns_miss():
    from dataclasses import replace

    from bot.nlp import classify_with, get_artifact

    text = "俺爹从梯子上掉下来 叫也不答应"
    assert not rules.is_urgent(text)
    assert classify(text).urgent
    assert not classify_with(replace(get_artifact(), urgency=None), text).urgent  # older artifacts: patterns only


@pytest.mark.parametrize(
    "text",
    ["忙得火烧眉毛了 晚点再说", "听说邻县山体滑坡了", "去年发大水冲坏的桥到现在还没修", "满意", "建议在水塘边立个警示牌"],
)
def test_danger_words_about_the_past_elsewhere_or_in_jest_are_calm(text):
    assert not classify(text).urgent


def test_fire_coming_this_way_is_not_mistaken_for_a_past_fire():
    assert classify("山上起火了 风大往村里烧过来了").urgent


def test_asking_which_weekday_the_deputy_comes_is_not_a_rating():
    # "一般" once made the intent model call this a rating.
    result = classify("代表一般礼拜几来")
    assert (result.intent, result.topic) == ("question", "reception_day")


def test_a_clear_matter_told_on_its_own_is_a_new_opinion_not_an_add_on():
    # The intent model alone reads "…一个月了" as chasing an earlier message.
    assert classify("村口的路灯坏了一个月了").intent == "opinion"


@pytest.mark.parametrize("text", ["还是那个事 水管又漏了", "跟上回一样 半夜又停电了", "俺再说一遍 是二组不是三组"])
def test_words_that_point_back_make_a_followup(text):
    assert rules.looks_like_followup(text)
    assert classify(text).intent == "followup"


@pytest.mark.parametrize(
    "text",
    [
        "燃气报警器一直在响 一股煤气味",
        "保险丝烧了 电线冒烟着火了",
        "吓死了 房子塌了 俺娘压在下面",
        "救上来了 但是没有呼吸了",
        "刚开始冒烟 后来就着火了",
        "之前就说这墙有裂缝 这下塌了 压住人了",
        "人没事 但是火还没灭",
        "5分钟前俺爹倒地上叫不应了",
    ],
)
def test_present_danger_is_urgent_even_with_words_that_usually_mean_the_past(text):
    assert classify(text).urgent


@pytest.mark.parametrize(
    "text",
    ["过年要杀猪 屠宰点在哪", "人行道铺的透水砖都坏了", "低保审批卡住了", "自来水已经通到村里了", "厂子快倒闭了", "俺来了", "吃了没"],
)
def test_ordinary_words_that_look_like_danger_are_calm(text):
    assert not classify(text).urgent


@pytest.mark.parametrize("text", ["三分地被人占了", "一分钱补贴都没拿到"])
def test_a_measure_is_not_a_score(text):
    result = classify(text)
    assert result.intent == "opinion"
    assert result.category != "其他"


@pytest.mark.parametrize("text", ["村里之前说要修路 一直没动静", "昨天报名的培训班取消了", "工资跟之前比少了"])
def test_mentioning_an_earlier_time_is_not_pointing_back_to_a_message(text):
    assert not rules.looks_like_followup(text)
    assert classify(text).intent != "followup"


@pytest.mark.parametrize("text", ["孩子发烧了咋办", "路灯坏了怎么办"])
def test_what_shall_i_do_is_not_a_benefits_question(text):
    assert classify(text).topic != "benefits"


@pytest.mark.parametrize("text", ["爷爷这会胸口疼得直冒汗", "俺在城里 老娘一上午不接电话 求人去看看"])
def test_sudden_illness_and_a_parent_who_does_not_answer_are_urgent(text):
    assert rules.is_urgent(text)


@pytest.mark.parametrize("text", ["这是俺的救命钱 存信用社取不出来", "消防栓坏了 万一着火连水都没有"])
def test_a_lifeline_saving_or_a_what_if_is_not_an_emergency(text):
    assert not rules.is_urgent(text)
