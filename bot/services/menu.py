"""The official account's custom menu (自定义菜单): its buttons, and what each
click button answers. `liaison wechat menu` sends `build(...)` to WeChat;
bot/handlers/events.py answers the clicks with `answer(...)`.

WeChat allows three buttons in the bar, each with up to five below it, so the
deputies' page (a view button, opened inside WeChat) sits under "我的" next to
"我的意见"; voters who tap it are told the page is for deputies."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from . import answers, texts
from .roster.voters import ensure_voter

# Click keys: what WeChat sends back as EventKey. Renaming one breaks menus already published.
REPORT = "LIAISON_REPORT"
RECEPTION = "LIAISON_RECEPTION"
MINE = "LIAISON_MINE"
KEYS = (REPORT, RECEPTION, MINE)
MAX_URL = 1024  # bytes, WeChat's limit for a view button


class MenuError(ValueError):
    """The menu cannot be built (the message is for staff, in Chinese)."""


def build(deputy_url: str) -> dict[str, Any]:
    """The menu as WeChat's menu/create takes it; `deputy_url` is the phone pages' entry (/m/)."""
    if not deputy_url.startswith(("https://", "http://")) or len(deputy_url.encode()) > MAX_URL:
        raise MenuError(f"“{texts.MENU_DEPUTY}”按钮的网址必须以 http:// 或 https:// 开头、不超过 {MAX_URL} 字节：{deputy_url[:80]}")
    return {"button": [
        {"type": "click", "name": texts.MENU_REPORT, "key": REPORT},
        {"type": "click", "name": texts.MENU_RECEPTION, "key": RECEPTION},
        {"name": texts.MENU_MINE_GROUP, "sub_button": [
            {"type": "click", "name": texts.MENU_MINE, "key": MINE},
            {"type": "view", "name": texts.MENU_DEPUTY, "url": deputy_url},
        ]},
    ]}


def answer(session: Session, openid: str, key: str | None, now: datetime) -> str:
    """What a click on `key` answers; an unknown key (an old menu) gets the welcome."""
    if key == REPORT:
        return texts.MENU_REPORT_ANSWER
    if key == RECEPTION:
        return answers.reception_day(session, ensure_voter(session, openid, now), now)
    if key == MINE:
        return answers.progress(session, ensure_voter(session, openid, now))
    return texts.WELCOME
