"""Low confidence sends a ticket to the staff triage queue as well."""

from bot.nlp import classify, get_artifact


def test_threshold_is_shipped_with_the_artifact():
    art = get_artifact()
    assert 0.5 <= art.threshold < 1.0
    assert art.meta["metrics"]["threshold"] == art.threshold


def test_clear_message_is_routed_without_triage():
    result = classify("村里自来水停了三天了，吃水都成问题")
    assert result.confidence >= get_artifact().threshold
    assert not result.needs_triage


def test_vague_message_needs_triage():
    result = classify("有个情况想反映一下")
    assert result.needs_triage


def test_needs_triage_follows_the_threshold():
    art = get_artifact()
    for text in ["学校乱收费", "有人偷电动车", "我想说个事情", "这事你们管不管", "村里手机信号太差"]:
        r = classify(text)
        assert r.needs_triage == (r.category == "其他" or r.confidence < art.threshold)
