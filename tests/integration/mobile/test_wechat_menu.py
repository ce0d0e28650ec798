"""The official account's custom menu: `liaison wechat menu` publishes it
through the API client, its 代表工作 button opens the phone pages, and each of
the voters' click buttons gets a useful answer."""
from __future__ import annotations

import json

from bot.cli import main
from bot.cli.context import State
from bot.services import texts
from lifecycle_kit import THURSDAY
from phone_kit import VOTER, opinion
from wechat_user import Phone

SITE = "https://lianluozhan.example.cn"
LIVE = {"WECHAT_APP_ID": "wxtestapp", "WECHAT_APP_SECRET": "s3cret", "WECHAT_TOKEN": "tok0123456789abcdef"}


def run(app, *args: str):
    return app.test_cli_runner().invoke(main, ["wechat", "menu", *args], obj=State(app=app))


def buttons(menu: dict) -> dict[str, dict]:
    """Every leaf button by name."""
    out = {}
    for b in menu["button"]:
        for leaf in b.get("sub_button") or [b]:
            out[leaf["name"]] = leaf
    return out


def test_dry_run_prints_the_menu_json(make_app):
    app = make_app(PUBLIC_BASE_URL=SITE + "/")
    result = run(app, "--dry-run")
    assert result.exit_code == 0, result.output
    menu = json.loads(result.output)
    assert len(menu["button"]) <= 3  # WeChat's limit for the bar
    found = buttons(menu)
    assert {k: (v["type"], v.get("key") or v.get("url")) for k, v in found.items()} == {
        "反映问题": ("click", "LIAISON_REPORT"), "接待日": ("click", "LIAISON_RECEPTION"),
        "我的意见": ("click", "LIAISON_MINE"), "代表工作": ("view", SITE + "/m/")}


def test_without_a_public_address_it_says_what_to_set(make_app):
    result = run(make_app(), "--dry-run")
    assert result.exit_code != 0 and "LIAISON_PUBLIC_BASE_URL" in result.output and "网页授权域名" in result.output


def test_the_sandbox_has_no_account_to_set_it_on(make_app):
    result = run(make_app(PUBLIC_BASE_URL=SITE))
    assert result.exit_code != 0 and "沙箱模式" in result.output and "--dry-run" in result.output


def test_the_menu_is_posted_through_the_api_client(make_app, fake_wechat):
    app = make_app(**LIVE, WECHAT_API_BASE=fake_wechat.base, WECHAT_TIMEOUT=2.0, PUBLIC_BASE_URL=SITE)
    result = run(app)
    assert result.exit_code == 0, result.output
    assert "菜单已设置" in result.output
    [menu] = fake_wechat.menus
    assert menu == json.loads(run(app, "--dry-run").output)
    assert buttons(menu)["代表工作"]["url"] == SITE + "/m/"
    assert fake_wechat.calls["menu"] == 1 and fake_wechat.token_fetches == 1


def test_a_refused_menu_is_reported_in_chinese(make_app, fake_wechat):
    app = make_app(**LIVE, WECHAT_API_BASE=fake_wechat.base, WECHAT_TIMEOUT=2.0, PUBLIC_BASE_URL=SITE)
    fake_wechat.script["menu"] = [40018]  # invalid button name size
    result = run(app)
    assert result.exit_code != 0 and "微信拒绝了菜单（错误码 40018）" in result.output
    assert fake_wechat.menus == []


def test_each_click_button_gets_a_useful_answer(app, demo):
    clock = app.extensions["liaison"].clock
    clock.value = THURSDAY.timestamp()
    phone = Phone(app, VOTER)
    assert phone.event("CLICK", "LIAISON_REPORT").text == texts.MENU_REPORT_ANSWER
    assert "您还没有反映过意见" in phone.event("CLICK", "LIAISON_MINE").text
    number = opinion(app, VOTER, "村口的路灯坏了三个月了，晚上出门看不见路")
    clock.value += 5  # WeChat repeats an event with its CreateTime; this is a new click
    mine = phone.event("CLICK", "LIAISON_MINE").text
    assert "您反映的意见" in mine and f"{number} 已收到" in mine
    reception = phone.event("CLICK", "LIAISON_RECEPTION").text
    assert reception.startswith("下次接待日：") and "上丰" in reception
    assert "欢迎关注" in Phone(app, "oNewcomer").event("CLICK", "SOME_OLD_KEY").text
    # Someone who never wrote before: the reception answer for everybody, no error.
    assert "接待选民" in Phone(app, "oNewcomer").event("CLICK", "LIAISON_RECEPTION").text
