"""What the console tests without a browser share: an account, the CSRF token
of a form, and a logged-in client."""
from __future__ import annotations

import re
from typing import Any

PASSWORD = "correct horse battery"


def csrf_token(client: Any, path: str = "/console/login") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def add_user(app: Any, name: str = "clerk", role: str = "staff", deputy_code: str | None = None) -> None:
    from bot.services.accounts import users

    ext = app.extensions["liaison"]
    with ext.Session() as session:
        users.create(session, username=name, password=PASSWORD, role=role, deputy_code=deputy_code, by="test",
                     now=ext.now())
        session.commit()


def log_in(app: Any, name: str) -> Any:
    client = app.test_client()
    assert client.post("/console/login", data={"username": name, "password": PASSWORD,
                                               "csrf_token": csrf_token(client)}).status_code == 302
    return client
