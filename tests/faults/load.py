"""Voters writing at a steady rate, each message retried as WeChat does:
three tries, five seconds each; a message is acknowledged when a try got 200."""
from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

from bot.services.texts import SPOOLED
from bot.wechat.crypto import Gate
from bot.wechat.simulator import read_reply, signed_request, text_xml

TRIES, TIMEOUT = 3, 5.0
# Common characters: random sentences of them share too few word pairs to be merged as duplicates.
HANZI = ("路灯水渠桥梁道路垃圾学校医院低保补贴田地山林河塘电网信号公交厕所广场围墙猪圈鸡舍果园"
         "茶叶稻谷玉米小麦大豆花生油菜棉花蔬菜西瓜苹果梨桃杏李枣柿橘柚香蕉葡萄甘蔗")


@dataclass
class Message:
    code: str  # unique, at the start of the text (a template push keeps the first 20 characters)
    openid: str
    msg_id: int
    text: str
    acked: bool = False
    tries: int = 0
    spooled: bool = False  # answered while the database was down (kept in the spool)


def messages(phase: int, count: int, voters: list[str], rng: random.Random) -> list[Message]:
    out = []
    for n in range(count):
        code = f"F{phase}N{n:04d}"
        words = "".join(rng.choice(HANZI) for _ in range(14))
        out.append(Message(code, voters[(n * 7 + phase) % len(voters)], phase * 100000 + n, f"{code} {words}"))
    return out


class Load:
    def __init__(self, url: str, token: str, app_id: str, aes_key: str | None = None, senders: int = 16):
        self.url, self.gate, self.senders = url + "/wechat", Gate(token, app_id, aes_key), senders
        self.local = threading.local()

    def _session(self) -> requests.Session:
        if not hasattr(self.local, "session"):
            self.local.session = requests.Session()
        return self.local.session

    def send(self, msg: Message) -> None:
        xml = text_xml(msg.openid, msg.text, msg.msg_id, int(time.time()))
        for _ in range(TRIES):
            msg.tries += 1
            query, body = signed_request(self.gate, xml, int(time.time()))
            try:
                res = self._session().post(self.url, params=query, data=body, timeout=TIMEOUT)
                if res.status_code == 200:
                    reply = read_reply(self.gate, res.text) or {}  # decrypted in safe mode
                    msg.acked, msg.spooled = True, SPOOLED in (reply.get("Content") or "")
                    return
            except requests.RequestException:
                self.local.__dict__.pop("session", None)

    def run(self, batch: list[Message], rate: float) -> None:
        with ThreadPoolExecutor(max_workers=self.senders) as pool:
            start = time.monotonic()
            for i, msg in enumerate(batch):
                delay = start + i / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                pool.submit(self.send, msg)
