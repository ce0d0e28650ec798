"""What the phone-page tests without a browser share: a deputy's phone going through WeChat web
authorisation (the sandbox's simulated page), the page's CSRF token, and a
voter's opinion that becomes a ticket."""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from bot.models import Deputy, Ticket, Voter
from wechat_user import Phone

VOTER = "oDEMO_voter_12_01"  # a fixed voter of a group at 上丰联络点
NEIGHBOUR = "oDEMO_voter_12_02"  # same group, same deputy
STRANGER = "oDEMO_voter_01_01"  # another group, another deputy


def token_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def form_of(html: str, action: str) -> dict[str, str]:
    """The hidden fields (CSRF token, one-use nonce) of the ticket page's form whose button is `action`."""
    form = next(f for f in html.split("<form")[1:] if f'value="{action}"' in f.split("</form>")[0])
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]+)"', form.split("</form>")[0]))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def authorize(client: Any, target: str = "/m/") -> tuple[str, dict[str, str]]:
    """Open a phone page without a session: where it sends the phone, and the query it sends."""
    res = client.get(target)
    assert res.status_code == 302, res.get_data(as_text=True)
    location = res.headers["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(location.split("#")[0]).query).items()}
    return location, query


def pick(client: Any, location: str, openid: str) -> Any:
    """On the simulated authorise page, say whose phone this is; returns WeChat's redirect back."""
    page = client.get(path_of(location))
    assert page.status_code == 200, page.get_data(as_text=True)
    res = client.post(path_of(location), data={"openid": openid, "csrf_token": token_of(page.get_data(as_text=True))})
    assert res.status_code == 302, res.get_data(as_text=True)
    return res


def sign_in(app: Any, openid: str, target: str = "/m/") -> tuple[Any, Any]:
    """A fresh phone through the whole authorisation; returns (client, the page it lands on)."""
    client = app.test_client()
    location, _ = authorize(client, target)
    back = pick(client, location, openid)
    landed = client.get(path_of(back.headers["Location"]))
    if landed.status_code == 302:
        landed = client.get(path_of(landed.headers["Location"]))
    return client, landed


def opinion(app: Any, openid: str, text: str) -> str:
    """A voter's WeChat message; the number of the ticket it opened."""
    answer = Phone(app, openid).says(text)
    found = re.search(r"编号 (\d{4}-\d{6})", answer.text or "")
    assert found, answer.text
    return found.group(1)


def ticket(db: Any, number: str) -> Ticket:
    db.expire_all()
    return db.scalar(select(Ticket).where(Ticket.number == number))


def deputy_of(db: Any, voter_openid: str) -> Deputy:
    """The deputy of the voter's fixed-voter group: who their tickets go to."""
    db.expire_all()
    return db.scalar(select(Voter).where(Voter.openid == voter_openid)).group.deputy


def sign_in_on_wechat(app: Any, fake: Any, openid: str) -> tuple[Any, Any]:
    """The same through a live-mode station whose authorise page is the fake WeChat's."""
    import requests

    client = app.test_client()
    location, _ = authorize(client)
    fake.oauth_user = openid
    back = requests.get(location, allow_redirects=False, timeout=5)
    assert back.status_code == 302, back.text
    landed = client.get(path_of(back.headers["Location"]))
    assert landed.status_code == 302, landed.get_data(as_text=True)
    return client, client.get(path_of(landed.headers["Location"]))
