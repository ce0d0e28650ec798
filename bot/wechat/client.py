"""The WeChat API client: wechatpy's, with the parts a multi-process service needs.

- One access token shared by web and worker processes in Redis, refreshed by
  one process at a time under a Redis lock, from `stable_token`.
- A timeout on every call, the token fetch included.
- Bounded retries: a rejected token is refreshed and the call retried once;
  "system busy" (-1) is retried twice with a short pause. wechatpy's own
  auto-retry (unbounded) is switched off.
- The API base URL is configurable, so tests and the sandbox use a local fake.
- Web authorisation (网页授权, snsapi_base): the URL a deputy's phone is sent
  to, the code-for-openid exchange, and its sandbox twin (`SandboxOAuth`).
- Cheap per call, for broadcasts: the token is kept in memory for a few
  seconds, and calls go through urllib3's pool (transport.py).
"""
from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any, Callable
from urllib.parse import quote

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ProxyError
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from ..messages import DeliveryError, Outgoing, SendResult
from .transport import PooledSession, environment

log = logging.getLogger(__name__)

TOKEN_ERRORS = (40001, 40014, 42001)
BUSY = -1
WINDOW_CLOSED = (45015, 45047)  # outside the 48-hour window / reply budget spent
TRANSIENT = (BUSY, 45009, 45011)  # busy, daily API quota, per-second frequency
TOKEN_MEMO = 10.0  # seconds a process trusts the token it last read from Redis
OAUTH_TRIES = 3  # a web-authorisation exchange: the first try and two repeats
_CODE = re.compile(r"[A-Za-z0-9_-]{1,128}")  # what WeChat's (and the sandbox's) codes look like


class ApiError(Exception):
    def __init__(self, code: int | None, message: str):
        super().__init__(f"WeChat API error {code}: {message}")
        self.code = code
        self.message = message


class UnclearAnswer(Exception):
    """The request reached WeChat but the answer says nothing about its fate."""


class _PatchedClient(WeChatClient):
    """wechatpy's client with its token source replaced by ours."""

    def __init__(self, appid: str, secret: str, base: str, timeout: float, token_source: Callable[[], str],
                 pool: int = 16):
        super().__init__(appid, secret, timeout=timeout, auto_retry=False)
        self.API_BASE_URL = base + "/cgi-bin/"
        self._token_source = token_source
        # urllib3 under wechatpy, not requests: a third of the CPU per call
        # (transport.py). Proxy and CA bundle are read from the environment once.
        proxy, ca = environment(base)
        self._http = PooledSession(pool, proxy=proxy, ca=ca)

    @property
    def access_token(self) -> str:  # type: ignore[override]
        return self._token_source()

    def fetch_access_token(self) -> Any:  # never let wechatpy fetch on its own
        raise RuntimeError("token refresh goes through WeChatApi")


class WeChatApi:
    def __init__(self, app_id: str, secret: str, api_base: str, redis: Any,
                 timeout: float = 5.0, sleep: Callable[[float], None] = time.sleep, pool: int = 16,
                 clock: Callable[[], float] = time.monotonic):
        self.app_id = app_id
        self.secret = secret
        self.base = api_base.rstrip("/")
        self.redis = redis
        self.timeout = timeout
        self.sleep = sleep
        self.token_key = f"liaison:wechat:token:{app_id}"
        self.lock_key = f"liaison:wechat:token-lock:{app_id}"
        self.clock = clock
        self._memo: tuple[str, float] | None = None  # (token, read at): one tuple, swapped atomically
        self._client = _PatchedClient(app_id, secret, self.base, timeout, self.token, pool=pool)

    # -- access token ---------------------------------------------------------
    def token(self) -> str:
        memo = self._memo
        if memo is not None and self.clock() - memo[1] < TOKEN_MEMO:
            return memo[0]
        cached = self.redis.get(self.token_key)
        if cached:
            token = cached.decode() if isinstance(cached, bytes) else cached
            self._memo = (token, self.clock())
            return token
        return self.refresh(rejected=None)

    def refresh(self, rejected: str | None) -> str:
        """Fetch a new token unless another process already replaced `rejected`."""
        self._memo = None
        lock = self.redis.lock(self.lock_key, timeout=3 * self.timeout + 5)
        if not lock.acquire(blocking=True, blocking_timeout=3 * self.timeout):
            raise ApiError(None, "another process holds the token lock too long")
        try:
            cached = self.redis.get(self.token_key)
            if cached:
                cached = cached.decode() if isinstance(cached, bytes) else cached
                if cached != rejected:
                    self._memo = (cached, self.clock())
                    return cached
            try:
                data = self._fetch_token(force=rejected is not None)
            except Exception:
                _count_refresh("failed")
                raise
            _count_refresh("ok")
            token = data["access_token"]
            expires_in = int(data.get("expires_in") or 7200)
            # Refresh five minutes early so no call races the expiry.
            self.redis.set(self.token_key, token, ex=max(1, expires_in - min(300, expires_in // 2)))
            self._memo = (token, self.clock())
            log.info("WeChat access token refreshed (expires in %ss)", expires_in)
            return token
        finally:
            try:
                lock.release()
            except Exception:  # expired while we worked: nothing to release
                pass

    def _fetch_token(self, force: bool) -> dict[str, Any]:
        body = {"grant_type": "client_credential", "appid": self.app_id,
                "secret": self.secret, "force_refresh": force}
        try:
            res = requests.post(f"{self.base}/cgi-bin/stable_token", json=body, timeout=self.timeout)
            if res.status_code == 404:  # very old gateways: the classic endpoint
                res = requests.get(f"{self.base}/cgi-bin/token", timeout=self.timeout, params={
                    "grant_type": "client_credential", "appid": self.app_id, "secret": self.secret})
            res.raise_for_status()
            data = res.json()
        except requests.RequestException as exc:
            raise ApiError(None, f"token fetch failed: {type(exc).__name__}") from None
        except ValueError:
            raise ApiError(None, "token fetch returned no JSON") from None
        if not isinstance(data, dict) or not data.get("access_token"):
            raise ApiError(_code(data), f"token fetch refused: {_errmsg(data)}")
        return data

    # -- calls ----------------------------------------------------------------
    def call(self, fn: Callable[[_PatchedClient], Any]) -> Any:
        """Run one wechatpy call with bounded retries; raise ApiError or requests errors."""
        token_retried = False
        busy_left = 2
        while True:
            used = self.token()  # the client asks token() again: within TOKEN_MEMO, the same one
            try:
                result = fn(self._client)
            except WeChatClientException as exc:
                code = exc.errcode
                if code in TOKEN_ERRORS and not token_retried:
                    token_retried = True
                    self.refresh(rejected=used)
                    continue
                if code == BUSY and busy_left > 0:
                    busy_left -= 1
                    self.sleep(0.2)
                    continue
                raise ApiError(code, str(exc.errmsg)) from None
            if not isinstance(result, dict):  # HTTP 200 without JSON: the call may have worked
                raise UnclearAnswer("WeChat answered without JSON")
            return result

    def send_text(self, openid: str, text: str) -> dict[str, Any]:
        return self.call(lambda c: c.message.send_text(openid, text))

    def send_template(self, openid: str, template_id: str, data: dict[str, Any]) -> dict[str, Any]:
        return self.call(lambda c: c.message.send_template(openid, template_id, data))

    def download_media(self, media_id: str) -> tuple[bytes, str]:
        """A user's image, voice or video by media id (kept by WeChat for 3 days): (bytes, content type)."""
        for attempt in range(2):
            used = self.token()
            res = requests.get(f"{self.base}/cgi-bin/media/get", timeout=self.timeout,
                               params={"access_token": used, "media_id": media_id})
            res.raise_for_status()
            ctype = res.headers.get("Content-Type", "").split(";")[0].strip()
            if ctype in ("application/json", "text/plain"):  # an error answer, not the file
                try:
                    data = res.json()
                except ValueError:
                    raise UnclearAnswer("media download answered text without JSON") from None
                code = _code(data)
                if code in TOKEN_ERRORS and attempt == 0:
                    self.refresh(rejected=used)
                    continue
                raise ApiError(code, _errmsg(data))
            return res.content, ctype
        raise ApiError(None, "media download: token rejected twice")

    def create_menu(self, menu: dict[str, Any]) -> dict[str, Any]:
        """The account's custom menu (自定义菜单), replacing the one before."""
        return self.call(lambda c: c.menu.create(menu))

    def oauth_openid(self, code: str) -> str:
        """The openid behind a web-authorisation code (GET /sns/oauth2/access_token).
        A code works once: the call is repeated only when WeChat answers "busy"
        or the request never left this machine. Anything else raises ApiError."""
        if not _CODE.fullmatch(code or ""):
            raise ApiError(40029, "invalid code")
        params = {"appid": self.app_id, "secret": self.secret, "code": code, "grant_type": "authorization_code"}
        tries = 0
        while True:
            tries += 1
            again = tries < OAUTH_TRIES
            try:
                res = requests.get(f"{self.base}/sns/oauth2/access_token", params=params, timeout=self.timeout)
                res.raise_for_status()
                data = res.json()
            except requests.RequestException as exc:
                if _never_sent(exc) and again:
                    self.sleep(0.2)
                    continue
                raise ApiError(None, f"oauth exchange failed: {type(exc).__name__}") from None
            except ValueError:
                raise ApiError(None, "oauth exchange returned no JSON") from None
            errcode = _code(data)
            if errcode == BUSY and again:
                self.sleep(0.2)
                continue
            if errcode or not isinstance(data, dict) or not data.get("openid"):
                raise ApiError(errcode, f"oauth exchange refused: {_errmsg(data)}")
            return str(data["openid"])

    def create_qr(self, scene: str) -> dict[str, Any]:
        """A permanent string-scene QR code (QR_LIMIT_STR_SCENE): {ticket, url}."""
        return self.call(lambda c: c.qrcode.create(
            {"action_name": "QR_LIMIT_STR_SCENE", "action_info": {"scene": {"scene_str": scene}}}))


def _count_refresh(result: str) -> None:
    from ..metering import record  # a leaf module; never raises (a token fetched is never lost to it)

    record("TOKEN_REFRESHES", result=result)


def _code(data: Any) -> int | None:
    try:
        return int(data.get("errcode"))
    except (AttributeError, TypeError, ValueError):
        return None


def _errmsg(data: Any) -> str:
    return str(data.get("errmsg", "")) if isinstance(data, dict) else "unexpected answer"


class WeChatNotifier:
    """Send a push: a customer-service message, or a template message when the
    48-hour window is closed."""

    def __init__(self, api: WeChatApi, template_id: str | None):
        self.api = api
        self.template_id = template_id

    def send(self, msg: Outgoing) -> SendResult:
        try:
            if msg.channel != "template":  # outside the window we do not even try
                try:
                    self.api.send_text(msg.openid, msg.text)
                    return SendResult("custom")
                except ApiError as exc:
                    if exc.code not in WINDOW_CLOSED:  # our record was wrong: WeChat decides
                        raise
            if not self.template_id:
                log.error("customer-service window closed and LIAISON_WECHAT_TEMPLATE_ID is not set: "
                          "the push cannot be delivered")
                raise DeliveryError("window closed, no template configured", code=45015)
            res = self.api.send_template(msg.openid, self.template_id, _template_data(msg))
            return SendResult("template", str(res.get("msgid") or "") or None)
        except ApiError as exc:
            retry = exc.code in TRANSIENT or exc.code in TOKEN_ERRORS or exc.code is None
            raise DeliveryError(exc.message[:200], code=exc.code, retryable=retry) from None
        except UnclearAnswer as exc:
            raise DeliveryError(str(exc), ambiguous=True) from None
        except requests.RequestException as exc:
            if _never_sent(exc):
                raise DeliveryError(f"network: {type(exc).__name__}", retryable=True) from None
            # The request went out (read timeout, connection dropped mid-answer):
            # WeChat may have delivered it, so it is never sent again.
            raise DeliveryError(f"network after sending: {type(exc).__name__}", ambiguous=True) from None


def _never_sent(exc: requests.RequestException) -> bool:
    """True only when no byte of the request can have reached WeChat."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = getattr(exc.args[0], "reason", None) if exc.args else None
        if isinstance(reason, ProxyError):  # the proxy itself could not be reached
            reason = reason.original_error
            return isinstance(reason, (NewConnectionError, ConnectTimeoutError))
        return isinstance(reason, NewConnectionError)
    return False


def _template_data(msg: Outgoing) -> dict[str, Any]:
    data: dict[str, Any] = {"first": {"value": msg.title or msg.text[:60]}}
    for key, value in msg.fields:
        data[key] = {"value": value}
    data.setdefault("remark", {"value": msg.text[:180]})
    return data


class SandboxNotifier:
    """Records pushes instead of sending them (no WeChat credentials configured).
    The outbox row itself is the record; `liaison sandbox outbox` prints it."""

    def __init__(self, log_id: Callable[[str], str] | None = None) -> None:
        self._n = 0
        # Logs name the recipient by pseudonym only (bot/logid.py); without one, not at all.
        self._log_id = log_id or (lambda _openid: "-")

    def send(self, msg: Outgoing) -> SendResult:
        self._n += 1
        log.info("sandbox push recorded for %s", self._log_id(msg.openid))
        return SendResult("sandbox", f"sandbox-{int(time.time() * 1000)}-{self._n}")


def authorize_url(oauth_base: str, app_id: str, redirect_uri: str, state: str) -> str:
    """Where a phone goes to be told who it is (snsapi_base: silent, openid only).
    WeChat reads the parameters in this order and needs the fragment."""
    return (f"{oauth_base}/connect/oauth2/authorize?appid={quote(app_id, safe='')}"
            f"&redirect_uri={quote(redirect_uri, safe='')}&response_type=code&scope=snsapi_base"
            f"&state={quote(state, safe='')}#wechat_redirect")


class SandboxOAuth:
    """The sandbox's stand-in for WeChat's web authorisation: the simulated
    authorise page issues a one-use code for the openid picked there, and the
    exchange reads it back once, as WeChat's would. Codes live in Redis, so the
    page and the callback may be served by different processes."""

    TTL = 300  # seconds, WeChat's own limit for a code

    def __init__(self, redis: Any, app_id: str) -> None:
        self.redis = redis
        self.key = f"liaison:wechat:sandbox-oauth:{app_id}:"

    def issue(self, openid: str) -> str:
        code = secrets.token_urlsafe(24)
        self.redis.set(self.key + code, openid, ex=self.TTL)
        return code

    def oauth_openid(self, code: str) -> str:
        if not _CODE.fullmatch(code or ""):
            raise ApiError(40029, "invalid code")
        pipe = self.redis.pipeline()  # read and spend in one step: a code works once
        pipe.get(self.key + code)
        pipe.delete(self.key + code)
        found, _ = pipe.execute()
        if not found:
            raise ApiError(40029, "invalid code")
        return found.decode() if isinstance(found, bytes) else str(found)
