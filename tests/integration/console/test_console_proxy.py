"""Behind a TLS proxy the console sees the client's address, not the proxy's,
only when told how many proxies to trust (LIAISON_PROXY_COUNT)."""
from __future__ import annotations


from sqlalchemy import select

from bot.models import AuditEvent
from console_kit import csrf_token


def _fail_login(app, **headers):
    client = app.test_client()
    client.post("/console/login", data={"username": "nobody", "password": "x" * 12, "csrf_token": csrf_token(client)},
                headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})


def _addresses(app) -> list[str]:
    with app.extensions["liaison"].Session() as session:
        return [e.address for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "login.failed"))]


def test_behind_one_proxy_the_audit_has_the_clients_address(make_app):
    app = make_app(PROXY_COUNT=1)
    _fail_login(app, **{"X-Forwarded-For": "203.0.113.9"})
    assert _addresses(app) == ["203.0.113.9"]


def test_without_a_proxy_a_forwarded_header_is_not_believed(make_app):
    app = make_app(PROXY_COUNT=0)
    _fail_login(app, **{"X-Forwarded-For": "203.0.113.9"})
    assert _addresses(app) == ["127.0.0.1"]
