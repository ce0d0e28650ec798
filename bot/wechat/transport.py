"""The HTTP transport under wechatpy's client: urllib3's connection pool in
place of a requests.Session.

wechatpy builds the calls, encodes the bodies and reads the answers; it only
needs `request(method, url, params=, data=, timeout=)` and a response with
`status_code`, `content`, `raise_for_status()` and `json()`. requests spends
about 0.3 ms of CPU a call on top of urllib3 (hooks, cookies, environment
look-ups), which is most of a broadcast push. Errors are raised as the same
requests exceptions the requests adapter raises, so callers (and
client._never_sent) tell "never left" from "may have arrived" as before.
"""
from __future__ import annotations

import json as jsonlib
from typing import Any
from urllib.parse import urlencode

import requests
import urllib3
from requests.certs import where as ca_bundle
from urllib3.exceptions import (ClosedPoolError, ConnectTimeoutError, MaxRetryError, NewConnectionError,
                                ProtocolError, ReadTimeoutError)
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.util.retry import Retry

NO_RETRY = Retry(0, read=False, redirect=False)  # requests' default: never resend a request


class Reply:
    """The part of requests.Response that wechatpy and our client read."""

    def __init__(self, status: int, content: bytes, headers: Any, url: str):
        self.status_code, self.content, self.headers, self.url = status, content, headers, url
        self.request = None

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return jsonlib.loads(self.content)

    def raise_for_status(self) -> None:
        if 400 <= self.status_code < 600:
            raise requests.HTTPError(f"{self.status_code} answer from {self.url.split('?')[0]}", response=self)


class PooledSession:
    """Kept-alive connections, one pool per host, through a proxy when the
    environment named one for the API base at start-up."""

    def __init__(self, pool: int = 16, proxy: str | None = None):
        kw = {"maxsize": pool, "block": False, "cert_reqs": "CERT_REQUIRED", "ca_certs": ca_bundle()}
        self.http = urllib3.ProxyManager(proxy, **kw) if proxy else urllib3.PoolManager(**kw)
        self.proxy = proxy
        self.pools: dict[str, Any] = {}  # origin -> its connection pool: no URL parsing per call

    def _open(self, method: str, url: str, **kw: Any) -> Any:
        if self.proxy:  # the proxy pool takes the absolute URL
            return self.http.urlopen(method, url, **kw)
        scheme, _, rest = url.partition("://")
        host, slash, path = rest.partition("/")
        origin = f"{scheme}://{host}"
        pool = self.pools.get(origin)
        if pool is None:
            pool = self.pools.setdefault(origin, self.http.connection_from_url(origin))
        return pool.urlopen(method, slash + path, **kw)

    def request(self, method: str, url: str, params: dict | None = None, data: Any = None,
                json: Any = None, timeout: float | None = None, **_: Any) -> Reply:
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        headers = {}
        if json is not None:
            data, headers["Content-Type"] = jsonlib.dumps(json).encode(), "application/json"
        elif isinstance(data, str):
            data = data.encode()
        try:
            res = self._open(method.upper(), url, body=data, headers=headers, retries=NO_RETRY,
                             timeout=urllib3.Timeout(connect=timeout, read=timeout), redirect=False)
        except MaxRetryError as exc:
            if isinstance(exc.reason, ConnectTimeoutError) and not isinstance(exc.reason, NewConnectionError):
                raise requests.ConnectTimeout(exc) from None
            raise requests.ConnectionError(exc) from None  # exc.reason tells whether it connected
        except ReadTimeoutError as exc:
            raise requests.ReadTimeout(exc) from None
        except (ProtocolError, ClosedPoolError, OSError) as exc:
            raise requests.ConnectionError(exc) from None
        except Urllib3Error as exc:
            raise requests.ConnectionError(exc) from None
        return Reply(res.status, res.data, res.headers, url)
