"""The routing table is data: every category has an office and a level."""

from bot.nlp import CATEGORIES
from bot.nlp.routing import DEFAULT_PATH, load_table, route


def test_every_category_has_an_office_and_a_valid_level():
    table = load_table(DEFAULT_PATH)["categories"]
    assert set(table) == set(CATEGORIES)
    for cat in CATEGORIES:
        assert table[cat]["office"]
        assert table[cat]["level"] in ("township", "county")


def test_keyword_rules_refine_the_office_within_a_category():
    assert route("城乡建设", "村里自来水停了").office == "水务站"
    assert route("城乡建设", "村口路灯坏了").office == "村镇建设办"
    assert route("政法", "和邻居的纠纷想请人调解").office == "司法所"


def test_rules_only_apply_to_their_own_category():
    assert route("环境保护", "自来水有股怪味").office != "水务站"


def test_missing_table_falls_back_to_the_people_s_congress_office(tmp_path, monkeypatch):
    monkeypatch.setenv("LIAISON_ROUTING", str(tmp_path / "absent.toml"))
    r = route("民政", "低保")
    assert r.office == "乡人大办公室"
    assert r.level == "township"
