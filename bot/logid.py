"""Short pseudonyms for openids in logs: the same person reads the same in
every line (so a log can still be followed) without the openid itself, which
is personal data. Keyed, so the pseudonym cannot be recomputed from a list of
openids without the secret."""
from __future__ import annotations

import hashlib
import hmac
from typing import Any


def log_id(ring: Any, openid: str) -> str:
    """The first 10 hex characters of HMAC-SHA256 under the ring's "log-id" key."""
    return hmac.new(ring.key("log-id"), (openid or "").encode("utf-8"), hashlib.sha256).hexdigest()[:10]
