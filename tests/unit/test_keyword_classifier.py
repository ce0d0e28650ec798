"""The first, keyword-based classifier: 15 official classes, 其他 when nothing fits."""
from __future__ import annotations

import pytest

from bot.services.classify import OTHER, categories, classify


def test_the_official_fifteen_classes_and_other():
    assert len(categories()) == 16 and categories()[-1] == OTHER
    assert {"城乡建设", "民政", "农村农业", "国土资源", "政法", "纪检监察"} <= set(categories())


@pytest.mark.parametrize("text,category", [
    ("村里自来水停了三天了", "城乡建设"),
    ("低保怎么申请", "民政"),
    ("宅基地被邻居占了", "国土资源"),
    ("村干部贪污扶贫款", "纪检监察"),
    ("有人偷电动车", "政法"),
    ("玉米补贴还没发", "农村农业"),
    ("工地老板拖欠工资", "劳动和社会保障"),
    ("养猪场臭味太大", "环境保护"),
])
def test_typical_rural_messages(text, category):
    assert classify(text).category == category


def test_nothing_recognisable_is_other_with_zero_confidence():
    assert classify("你好呀😀") == classify("") == classify("？？？")
    assert classify("你好呀😀").category == OTHER and classify("你好呀😀").confidence == 0.0


def test_confidence_is_a_probability_and_grows_with_evidence():
    weak, strong = classify("水"), classify("自来水停水好几天，水管也坏了")
    assert 0.0 <= weak.confidence <= strong.confidence <= 1.0


def test_full_width_input_is_normalised():
    assert classify("ＷＩＦＩ没有，手机信号太差").category == "科技与信息产业"
