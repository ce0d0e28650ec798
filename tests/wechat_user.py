"""A WeChat user, as our webhook sees them: every message is real XML, signed
(and encrypted in safe mode) exactly as WeChat's servers send it."""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from bot.wechat.simulator import event_xml, read_reply, signed_request, text_xml

_ids = itertools.count(7_000_000_000_000_000_001)


@dataclass
class Answer:
    status: int
    body: str
    fields: dict[str, Any] | None

    @property
    def text(self) -> str | None:
        return self.fields.get("Content") if self.fields else None


class Phone:
    def __init__(self, app: Any, openid: str):
        self.app = app
        self.ext = app.extensions["liaison"]
        self.client = app.test_client()
        self.openid = openid

    def now(self) -> int:
        return int(self.ext.clock())

    def post_xml(self, plaintext: str, **kw: Any) -> Answer:
        query, body = signed_request(self.ext.gate, plaintext, self.now(), **kw)
        return self.post_raw(query, body)

    def post_raw(self, query: dict, body: bytes) -> Answer:
        res = self.client.post("/wechat", query_string=query, data=body, content_type="text/xml")
        text = res.get_data(as_text=True)
        fields = read_reply(self.ext.gate, text) if res.status_code == 200 else None
        return Answer(res.status_code, text, fields)

    def says(self, text: str, msg_id: int | None = None) -> Answer:
        return self.post_xml(text_xml(self.openid, text, msg_id or next(_ids), self.now()))

    def event(self, event: str, key: str | None = None) -> Answer:
        return self.post_xml(event_xml(self.openid, event, self.now(), key))

    def scans(self, scene: str, subscribed: bool = True) -> Answer:
        """Scan a parametric QR code: SCAN if already following, else subscribe."""
        if subscribed:
            return self.event("SCAN", scene)
        return self.event("subscribe", f"qrscene_{scene}")

    # -- voice, images and locations, as WeChat sends them ----------------------
    def _media(self, kind: str, body: str) -> Answer:
        xml = (f"<xml><ToUserName><![CDATA[gh_liaison]]></ToUserName><FromUserName><![CDATA[{self.openid}]]>"
               f"</FromUserName><CreateTime>{self.now()}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>{body}"
               f"<MsgId>{next(_ids)}</MsgId></xml>")
        return self.post_xml(xml)

    def voice(self, recognition: str, media_id: str = "MEDIA_VOICE") -> Answer:
        """A voice message with WeChat's speech recognition text."""
        return self._media("voice", f"<MediaId><![CDATA[{media_id}]]></MediaId><Format><![CDATA[amr]]></Format>"
                                    f"<Recognition><![CDATA[{recognition}]]></Recognition>")

    def image(self, media_id: str) -> Answer:
        return self._media("image", f"<PicUrl><![CDATA[http://mmbiz.example/{media_id}]]></PicUrl>"
                                    f"<MediaId><![CDATA[{media_id}]]></MediaId>")

    def location(self, x: str, y: str, label: str) -> Answer:
        return self._media("location", f"<Location_X>{x}</Location_X><Location_Y>{y}</Location_Y>"
                                       f"<Scale>15</Scale><Label><![CDATA[{label}]]></Label>")
