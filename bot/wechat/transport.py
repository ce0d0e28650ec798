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
import os
from typing import Any
from urllib.parse import urlencode

import requests
import urllib3
from requests.certs import where as ca_bundle
from requests.utils import get_auth_from_url, get_environ_proxies, prepend_scheme_if_needed, select_proxy
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


def environment(base: str) -> tuple[str | None, str]:
    """The proxy and CA bundle requests would use for `base`, read once:
    HTTPS_PROXY/HTTP_PROXY/ALL_PROXY with NO_PROXY, a proxy without a scheme
    taken as http://, and REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE before certifi's."""
    proxy = select_proxy(base, get_environ_proxies(base))
    ca = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or ca_bundle()
    return (prepend_scheme_if_needed(proxy, "http") if proxy else None), ca


class PooledSession:
    """Kept-alive connections, one pool per host, through a proxy (with its
    user:password, as Proxy-Authorization) when one is given."""

    def __init__(self, pool: int = 16, proxy: str | None = None, ca: str | None = None):
        ca = ca or ca_bundle()
        kw: dict[str, Any] = {"maxsize": pool, "block": False, "cert_reqs": "CERT_REQUIRED"}
        kw["ca_cert_dir" if os.path.isdir(ca) else "ca_certs"] = ca
        if proxy:
            if not proxy.lower().startswith(("http://", "https://")):
                raise ValueError(f"unsupported proxy scheme for the WeChat API: {proxy.split('://')[0]}")
            user, password = get_auth_from_url(proxy)
            headers = urllib3.make_headers(proxy_basic_auth=f"{user}:{password}") if user else None
            self.http = urllib3.ProxyManager(proxy, proxy_headers=headers, **kw)
        else:
            self.http = urllib3.PoolManager(**kw)
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
