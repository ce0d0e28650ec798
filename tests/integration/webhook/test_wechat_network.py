"""The township's network settings reach every WeChat call: a proxy (with
its password), a proxy that is down, and the site's own certificate authority."""
from __future__ import annotations

import base64
import datetime as dt
import json
import socket
import ssl
import threading

import pytest
import redis as redis_lib

from bot.messages import DeliveryError, Outgoing
from bot.wechat import WeChatApi
from bot.wechat.client import WeChatNotifier
from bot.wechat.transport import environment

PROXY_VARS = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "all_proxy",
              "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
OK = json.dumps({"errcode": 0, "errmsg": "ok"}).encode()


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)


def serve_once(wrap=None) -> tuple[socket.socket, list[bytes]]:
    """A one-request HTTP server; returns the socket and what it received."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    seen: list[bytes] = []

    def run():
        conn, _ = srv.accept()
        if wrap:
            conn = wrap(conn)
        data = b""
        while b"\r\n\r\n" not in data:  # read the whole request: closing on unread bytes resets it
            data += conn.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), 0)
        while len(body) < length:
            body += conn.recv(65536)
        seen.append(head + b"\r\n\r\n" + body)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                     % (len(OK), OK))
        conn.close()

    threading.Thread(target=run, daemon=True).start()
    return srv, seen


def api_for(base: str, redis_url: str) -> WeChatApi:
    r = redis_lib.Redis.from_url(redis_url)
    api = WeChatApi("wxnet", "s3cret", base, r, timeout=2.0)
    r.set(api.token_key, "TOKEN", ex=60)
    return api


def test_a_proxy_password_is_sent_as_proxy_authorization(monkeypatch, redis_url):
    srv, seen = serve_once()
    monkeypatch.setenv("HTTP_PROXY", f"http://liaison:p%40ss@127.0.0.1:{srv.getsockname()[1]}")
    assert api_for("http://api.weixin.example", redis_url).send_text("oVOTER", "您好")["errcode"] == 0
    head = seen[0].decode("latin-1").lower()
    assert head.startswith("post http://api.weixin.example/cgi-bin/message/custom/send?")
    assert f"proxy-authorization: basic {base64.b64encode(b'liaison:p@ss').decode().lower()}" in head
    srv.close()


def test_proxy_variables_are_read_as_requests_reads_them(monkeypatch):
    monkeypatch.setenv("ALL_PROXY", "10.0.0.8:3128")  # no scheme: http:// is meant
    assert environment("https://api.weixin.qq.com")[0] == "http://10.0.0.8:3128"
    monkeypatch.setenv("NO_PROXY", "api.weixin.qq.com")
    assert environment("https://api.weixin.qq.com")[0] is None


def test_a_proxy_that_is_down_means_the_push_never_left_and_is_retried(monkeypatch, redis_url):
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    dead.close()  # nothing listens there
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{port}")
    notifier = WeChatNotifier(api_for("https://api.weixin.qq.com", redis_url), None)
    with pytest.raises(DeliveryError) as err:
        notifier.send(Outgoing(openid="oVOTER", text="您好"))
    assert err.value.retryable and not err.value.ambiguous


def test_the_sites_own_certificate_authority_is_trusted(monkeypatch, redis_url, tmp_path):
    """Some networks inspect TLS with their own CA, named in REQUESTS_CA_BUNDLE."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "ca.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert_file, key_file)

    srv, seen = serve_once(lambda conn: ctx.wrap_socket(conn, server_side=True))
    base = f"https://localhost:{srv.getsockname()[1]}"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(cert_file))
    assert api_for(base, redis_url).send_text("oVOTER", "您好")["errcode"] == 0
    assert seen[0].startswith(b"POST /cgi-bin/message/custom/send?")
    srv.close()
