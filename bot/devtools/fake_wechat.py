"""A local fake of the WeChat API endpoints Liaison calls.

It issues tokens, checks them, records every message, and fails on request:
POST /_fake/script {"token": [codes], "custom": [codes], "template": [codes]}
makes the next calls of that kind answer with those errcodes, in order.
POST /_fake/faults {"fail_every": 3, "delay": 2.0} makes every third send answer
"system busy" (-1) and every send take two seconds, until reset (fault tests).
Web authorisation: GET /connect/oauth2/authorize sends the browser back with a
one-use code for the user set by POST /_fake/oauth {"openid": ...} (WeChat
knows who holds the phone; the fake is told), and GET /sns/oauth2/access_token
exchanges it. POST /cgi-bin/menu/create keeps the menu it was given.
"""
from __future__ import annotations

import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, jsonify, redirect, request


class FakeWeChat:
    def __init__(self, app_id: str = "wxfake", secret: str = "fakesecret", expires_in: int = 7200):
        self.app_id, self.secret, self.expires_in = app_id, secret, expires_in
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.tokens: set[str] = set()
            self.token_fetches = 0
            self.sent: list[dict[str, Any]] = []
            self.script: dict[str, list[int]] = {}
            self.calls: dict[str, int] = {}
            self.delay = 0.0
            self.fail_every = 0  # every n-th send answers -1 (system busy); 0: never
            self.sends = 0
            # media id -> (bytes, content type): what users "sent" as images or voice.
            self.media: dict[str, tuple[bytes, str]] = {}
            self.oauth_user: str | None = None  # who "holds the phone" at the authorise page
            self.codes: dict[str, str] = {}  # web-authorisation code -> openid, until used
            self.menus: list[dict[str, Any]] = []  # every menu/create body, in order

    def _count(self, kind: str) -> None:
        with self.lock:
            self.calls[kind] = self.calls.get(kind, 0) + 1

    def _scripted(self, kind: str) -> int | None:
        with self.lock:
            queue = self.script.get(kind) or []
            return queue.pop(0) if queue else None

    def _check_token(self, kind: str) -> Any:
        self._count(kind)
        token = request.args.get("access_token", "")
        with self.lock:
            valid = token in self.tokens
        if not valid:
            return jsonify(errcode=40001, errmsg="invalid credential, access_token is invalid")
        return None

    def _record(self, kind: str, data: dict[str, Any]) -> Any:
        code = self._scripted(kind)
        if code is not None:
            return jsonify(errcode=code, errmsg=f"scripted {code}")
        if self.delay:
            time.sleep(self.delay)
        with self.lock:
            self.sends += 1
            busy = bool(self.fail_every) and self.sends % self.fail_every == 0
        if busy:
            return jsonify(errcode=-1, errmsg="system error")
        with self.lock:
            msgid = 1000 + len(self.sent)
            self.sent.append({"kind": kind, "msgid": msgid, "at": time.time(), **data})
        return jsonify(errcode=0, errmsg="ok", msgid=msgid)

    def app(self) -> Flask:
        app = Flask("fake_wechat")

        @app.post("/cgi-bin/stable_token")
        def stable_token():
            body = request.get_json(silent=True) or {}
            self._count("token")
            code = self._scripted("token")
            if code is not None:
                return jsonify(errcode=code, errmsg=f"scripted {code}")
            if body.get("appid") != self.app_id or body.get("secret") != self.secret:
                return jsonify(errcode=40125, errmsg="invalid appsecret")
            token = "FAKE_" + secrets.token_hex(12)
            with self.lock:
                self.token_fetches += 1
                if body.get("force_refresh"):
                    self.tokens.clear()
                self.tokens.add(token)
            return jsonify(access_token=token, expires_in=self.expires_in)

        @app.post("/cgi-bin/message/custom/send")
        def custom_send():
            return self._check_token("custom") or self._record("custom", request.get_json(force=True))

        @app.post("/cgi-bin/message/template/send")
        def template_send():
            return self._check_token("template") or self._record("template", request.get_json(force=True))

        @app.get("/cgi-bin/media/get")
        def media_get():
            bad = self._check_token("media")
            if bad:
                return bad
            with self.lock:
                found = self.media.get(request.args.get("media_id", ""))
            if found is None:
                return jsonify(errcode=40007, errmsg="invalid media_id")
            return Response(found[0], mimetype=found[1])

        @app.post("/cgi-bin/qrcode/create")
        def qrcode_create():
            bad = self._check_token("qrcode")
            if bad:
                return bad
            scene = (request.get_json(force=True).get("action_info") or {}).get("scene", {})
            ticket = "FAKETICKET_" + secrets.token_hex(8)
            return jsonify(ticket=ticket, url=f"http://weixin.qq.com/q/{scene.get('scene_str', '')}")

        @app.get("/connect/oauth2/authorize")
        def authorize():
            args = request.args
            if args.get("appid") != self.app_id or args.get("response_type") != "code":
                return Response("appid or response_type wrong", status=400)
            if args.get("scope") not in ("snsapi_base", "snsapi_userinfo") or not args.get("redirect_uri"):
                return Response("scope or redirect_uri wrong", status=400)
            with self.lock:
                openid = self.oauth_user
                if openid is None:
                    return Response("no user set: POST /_fake/oauth first", status=409)
                code = "FAKECODE_" + secrets.token_hex(8)
                self.codes[code] = openid
            target = args["redirect_uri"]
            joiner = "&" if "?" in target else "?"
            return redirect(target + joiner + urlencode({"code": code, "state": args.get("state", "")}))

        @app.get("/sns/oauth2/access_token")
        def oauth_access_token():
            args = request.args
            self._count("oauth")
            code = self._scripted("oauth")
            if code is not None:
                return jsonify(errcode=code, errmsg=f"scripted {code}")
            if args.get("appid") != self.app_id or args.get("secret") != self.secret:
                return jsonify(errcode=40125, errmsg="invalid appsecret")
            if args.get("grant_type") != "authorization_code":
                return jsonify(errcode=40002, errmsg="invalid grant_type")
            with self.lock:
                openid = self.codes.pop(args.get("code", ""), None)
            if openid is None:
                return jsonify(errcode=40029, errmsg="invalid code")
            return jsonify(access_token="FAKE_OAUTH_" + secrets.token_hex(8), expires_in=7200,
                           refresh_token="FAKE_REFRESH", openid=openid, scope="snsapi_base")

        @app.post("/cgi-bin/menu/create")
        def menu_create():
            bad = self._check_token("menu")
            if bad:
                return bad
            code = self._scripted("menu")
            if code is not None:
                return jsonify(errcode=code, errmsg=f"scripted {code}")
            with self.lock:
                self.menus.append(request.get_json(force=True))
            return jsonify(errcode=0, errmsg="ok")

        @app.post("/_fake/oauth")
        def oauth_user():
            with self.lock:
                self.oauth_user = (request.get_json(force=True) or {}).get("openid")
            return jsonify(ok=True)

        @app.post("/_fake/script")
        def script():
            with self.lock:
                for kind, codes in (request.get_json(force=True) or {}).items():
                    self.script.setdefault(kind, []).extend(int(c) for c in codes)
            return jsonify(ok=True)

        @app.post("/_fake/faults")
        def faults():
            body = request.get_json(force=True) or {}
            with self.lock:
                self.fail_every = int(body.get("fail_every", 0))
                self.delay = float(body.get("delay", 0.0))
            return jsonify(ok=True)

        @app.post("/_fake/expire")
        def expire():
            with self.lock:
                self.tokens.clear()
            return jsonify(ok=True)

        @app.get("/_fake/sent")
        def sent():
            with self.lock:
                return jsonify(sent=list(self.sent), token_fetches=self.token_fetches, calls=dict(self.calls),
                               menus=list(self.menus))

        @app.post("/_fake/reset")
        def reset():
            self.reset()
            return jsonify(ok=True)

        return app
