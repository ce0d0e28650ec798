"""Settings: defaults overridden by LIAISON_* environment variables.

Read when an app is built (never at import), so tests and processes can differ.
"""
from __future__ import annotations

import os
from typing import Any, Mapping

DEFAULT_API_BASE = "https://api.weixin.qq.com"
# Used only when no WeChat setting is configured (sandbox mode); it is published
# in the README, so the sandbox webhook answers loopback requests only.
SANDBOX_TOKEN = "liaison-dev-token"


def flag(raw: str) -> bool:
    """A yes/no setting: 1, true, yes, on or 0, false, no, off."""
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(raw)


def log_format(raw: Any) -> str:
    """LOG_FORMAT: text (a terminal) or json (one object per line, for collectors)."""
    value = str(raw).strip().lower()
    if value not in ("text", "json"):
        raise ValueError(f"LIAISON_LOG_FORMAT 只能是 text 或 json（现在是“{raw}”）")
    return value


def refine_mode(raw: Any) -> str:
    """REFINE_CATEGORY: auto, on or off (yes/no words too)."""
    value = str(raw).strip().lower()
    if value == "auto":
        return value
    try:
        return "on" if flag(value) else "off"
    except ValueError:
        raise ValueError(f"LIAISON_REFINE_CATEGORY 只能是 auto、on 或 off（现在是“{raw}”）") from None


# name -> (default, parser). Every key is also read from LIAISON_<name>.
_SPEC: dict[str, tuple[Any, Any]] = {
    "DATABASE_URL": (None, str),
    "REDIS_URL": (None, str),
    # The Celery broker, when it is not the app's Redis (unset: REDIS_URL).
    "BROKER_URL": (None, str),
    "INSTANCE_PATH": (None, str),
    "SECRET_KEY": (None, str),
    "WECHAT_TOKEN": (None, str),
    "WECHAT_APP_ID": (None, str),
    "WECHAT_APP_SECRET": (None, str),
    "WECHAT_AES_KEY": (None, str),
    "WECHAT_API_BASE": (DEFAULT_API_BASE, str),
    # Template used when the 48-hour customer-service window is closed.
    "WECHAT_TEMPLATE_ID": (None, str),
    "WECHAT_TIMEOUT": (5.0, float),
    # WeChat web authorisation (网页授权) for the deputies' phone pages (live mode; unset:
    # https://open.weixin.qq.com). Sandbox mode always uses its own simulated page.
    "WECHAT_OAUTH_BASE": (None, str),
    # The address the public reaches this service at (https://…), for links WeChat opens:
    # the custom menu's 代表工作 button and the authorisation's redirect_uri.
    "PUBLIC_BASE_URL": (None, str),
    "TIMESTAMP_WINDOW": (300, int),
    "DEDUPE_TTL": (3600, int),
    "MAX_BODY_BYTES": (64 * 1024, int),
    "PUSH_MAX_RETRIES": (5, int),
    # Pending pushes older than this are re-enqueued by the outbox sweep.
    "OUTBOX_SWEEP_AFTER": (60, int),
    # Customer-service messages per user within one 48-hour window; beyond it, templates.
    "CS_WINDOW_BUDGET": (20, int),
    "LOG_LEVEL": ("INFO", str),
    # text for a terminal; json (one object a line, with the request id) for log collectors.
    "LOG_FORMAT": ("text", log_format),
    # /metrics answers private and loopback addresses only; with a token set, only requests
    # bearing it (Authorization: Bearer ...), from anywhere.
    "METRICS_TOKEN": (None, str),
    # Reception notices go out this many days ahead (T-3).
    "REMIND_DAYS_BEFORE": (3, int),
    # Broadcasts: pushes per second per worker, batch size, attempts per recipient.
    "BROADCAST_RATE": (400.0, float),
    # Pushes per second for the whole account, over all workers (0: no shared cap).
    "BROADCAST_ACCOUNT_RATE": (1000, int),
    "BROADCAST_BATCH": (500, int),
    "BROADCAST_MAX_ATTEMPTS": (4, int),
    # Concurrent sends per worker: at ~30 ms a round trip to WeChat, 8 threads
    # could not reach BROADCAST_RATE (bench/broadcast.py --latency 30).
    "BROADCAST_THREADS": (32, int),
    # Seconds: first retry delay (doubling), and how long a silent sender run counts as alive.
    "BROADCAST_BACKOFF": (5.0, float),
    "BROADCAST_LEASE": (30.0, float),
    # Comma-separated openids of station staff: urgent opinions are pushed to them.
    "STAFF_OPENIDS": ("", str),
    # Comma-separated openids of the county (and city) People's Congress office:
    # matters a deputy escalates (上报) beyond township authority reach them.
    "COUNTY_OFFICE_OPENIDS": ("", str),
    "CITY_OFFICE_OPENIDS": ("", str),
    # The township offices (站所) a deputy may transfer (转办) a matter to, comma-separated.
    "TOWNSHIP_OFFICES": ("村镇建设办,水务站,生态环境办,交通管理站,中心学校（教育办）,人社服务所,卫生院,"
                         "市场监管所,民政办,农业综合服务中心,国土所,派出所,综治中心,财政所,林业站,"
                         "供电所,便民服务中心", str),
    # SLA in working days: acknowledge (受理) within ACK, resolve (办结) within RESOLVE.
    "SLA_ACK_DAYS": (2, int),
    "SLA_RESOLVE_DAYS": (15, int),
    # A voter may reopen ("没解决") a resolved ticket within this many days.
    "REOPEN_DAYS": (7, int),
    # Messages from one voter within this many seconds that are not a new topic
    # extend their open ticket (text, voice, images, location) instead of opening new ones.
    "BURST_SECONDS": (180, int),
    # A voter is shown to deputies and in staff alerts as surname + 某 ("吴某"); off (0) adds
    # their village ("吴某（新民村）"), which in a small village may name them.
    "MASK_VILLAGE": (True, flag),
    # Floods (issue 16): messages one openid may have dispatched per window; more are
    # stored (marked throttled) but open no ticket and reach nobody. Deputies and
    # staff type commands in runs, so they get a higher limit. 0 turns a limit off.
    "VOTER_RATE_LIMIT": (10, int),
    "VOTER_RATE_WINDOW": (60, int),
    "DEPUTY_RATE_LIMIT": (60, int),
    # At most one staff alert per voter in this many seconds: later urgent reports join the open one.
    "URGENT_ALERT_WINDOW": (600, int),
    # Minutes after a deputy's visit note (走访) in which their photos or voice note join it.
    "VISIT_MEDIA_MINUTES": (10, int),
    # A deputy gets at most DIGEST_AFTER new-ticket pushes in DIGEST_WINDOW seconds;
    # the rest wait for one digest when the window ends. 0 turns digests off.
    "DIGEST_AFTER": (3, int),
    "DIGEST_WINDOW": (600, int),
    # The staff console logs a user out after this many minutes without a request.
    "CONSOLE_IDLE_MINUTES": (30, int),
    # A console login ends after this many hours however busy it is.
    "CONSOLE_SESSION_HOURS": (12, int),
    # Reverse proxies in front of the app (TLS, load balancer) whose
    # X-Forwarded-For/-Proto to trust; 0: none (the app faces clients itself).
    "PROXY_COUNT": (0, int),
    # Personal data (PIPL): a finished ticket's words, place and media are overwritten
    # this many days after its last event (statistics stay); raw message payloads
    # and media files go after RETENTION_RAW_DAYS.
    "RETENTION_TICKET_DAYS": (1095, int),
    "RETENTION_RAW_DAYS": (180, int),
    # The worker's second look at a category the fast model was unsure of (bot/nlp/refine.py,
    # the full sentence encoder): auto (on when the `refine` extra is installed), on or off.
    "REFINE_CATEGORY": ("auto", str),
    # The yearly evaluation's three parts and their weights (自评, 选民测评, 组织评定), summing to 1.
    "DUTY_WEIGHTS": ("self:0.2,voters:0.4,org:0.4", str),
}


class InstanceMissing(LookupError):
    """A command that must not create an instance found none where it looked."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"no instance at {path}: {reason}")
        self.path, self.reason = path, reason


def instance_path(environ: Mapping[str, str] | None = None, cwd: str | None = None) -> str:
    """The instance folder: LIAISON_INSTANCE_PATH, else the nearest `instance/`
    holding a database (or, with LIAISON_DATABASE_URL, a key) in the working
    folder or one above it, as git finds its repository; else `./instance`,
    where a new one is created."""
    environ = os.environ if environ is None else environ
    given = (environ.get("LIAISON_INSTANCE_PATH") or "").strip()
    start = os.path.abspath(cwd or os.getcwd())
    if given:
        return os.path.abspath(os.path.join(start, given))
    # With a server database the folder holds only the key; otherwise the database.
    marker = "secret_key" if (environ.get("LIAISON_DATABASE_URL") or "").strip() else "liaison.db"
    here = start
    while True:
        candidate = os.path.join(here, "instance")
        if os.path.isfile(os.path.join(candidate, marker)):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return os.path.join(start, "instance")
        here = parent


def check_instance(settings: Mapping[str, Any], path: str) -> None:
    """Raise InstanceMissing unless the instance's database and key are there
    (configured in the environment or kept in the instance folder)."""
    if not settings.get("DATABASE_URL") and not os.path.isfile(os.path.join(path, "liaison.db")):
        raise InstanceMissing(path, "没有数据库 liaison.db，也没有设置 LIAISON_DATABASE_URL")
    if not settings.get("SECRET_KEY") and not os.path.isfile(os.path.join(path, "secret_key")):
        raise InstanceMissing(path, "没有密钥文件 secret_key，也没有设置 LIAISON_SECRET_KEY")


def _env_value(raw: str, parser: Any) -> Any:
    return parser(raw.strip()) if parser is not str else raw.strip()


def load(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the settings dict: defaults, then LIAISON_* from the environment."""
    environ = os.environ if environ is None else environ
    out: dict[str, Any] = {}
    for name, (default, parser) in _SPEC.items():
        raw = environ.get(f"LIAISON_{name}")
        if raw is None or raw.strip() == "":
            out[name] = default
        else:
            try:
                out[name] = _env_value(raw, parser)
            except ValueError as exc:
                raise ValueError(f"LIAISON_{name} is not a valid {parser.__name__}: {raw!r}") from exc
    return out


def finish(settings: dict[str, Any], instance_path: str) -> dict[str, Any]:
    """Fill derived values: instance folder, SQLite default, sandbox token."""
    settings = dict(settings)
    settings["INSTANCE_PATH"] = settings.get("INSTANCE_PATH") or instance_path
    if not settings.get("DATABASE_URL"):
        path = os.path.join(settings["INSTANCE_PATH"], "liaison.db")
        settings["DATABASE_URL"] = f"sqlite:///{path}"
    settings["SANDBOX"] = _mode(settings) == "sandbox"
    if settings["SANDBOX"]:
        settings["WECHAT_TOKEN"] = SANDBOX_TOKEN
    if settings.get("WECHAT_AES_KEY") and not _valid_aes_key(settings["WECHAT_AES_KEY"]):
        raise ValueError("LIAISON_WECHAT_AES_KEY must be the 43-character EncodingAESKey (base64 of 32 bytes)")
    settings["WECHAT_API_BASE"] = settings["WECHAT_API_BASE"].rstrip("/")
    for name in ("WECHAT_OAUTH_BASE", "PUBLIC_BASE_URL"):
        settings[name] = (settings.get(name) or "").strip().rstrip("/") or None
    staff = settings.get("STAFF_OPENIDS") or ()
    if isinstance(staff, str):
        staff = tuple(part.strip() for part in staff.split(",") if part.strip())
    settings["STAFF_OPENIDS"] = tuple(staff)
    for name in ("COUNTY_OFFICE_OPENIDS", "CITY_OFFICE_OPENIDS", "TOWNSHIP_OFFICES"):
        value = settings.get(name) or ()
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.replace("，", ",").split(",") if part.strip())
        settings[name] = tuple(value)
    settings["REFINE_CATEGORY"] = refine_mode(settings.get("REFINE_CATEGORY") or "auto")
    settings["DUTY_WEIGHTS"] = duty_weights(settings.get("DUTY_WEIGHTS") or _SPEC["DUTY_WEIGHTS"][0])
    settings["WECHAT_APP_ID"] = settings.get("WECHAT_APP_ID") or "wxsandbox000000000"
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = _instance_secret(settings["INSTANCE_PATH"])
    return settings


DUTY_PARTS = ("self", "voters", "org")


class DutyWeightsError(ValueError):
    """LIAISON_DUTY_WEIGHTS is wrong; the message is for the clerk who set it."""


def duty_weights(raw: str | Mapping[str, float]) -> dict[str, float]:
    """"self:0.2,voters:0.4,org:0.4" (or a dict) -> weights: the three parts, each
    0-1, summing to 1. Checked at start-up, so a typo stops the app, not the
    evaluation sheet in December."""
    if isinstance(raw, Mapping):
        pairs = [(str(k), str(v)) for k, v in raw.items()]
    else:
        pairs = []
        for part in str(raw).replace("，", ",").split(","):
            if not part.strip():
                continue
            name, sep, value = part.replace("：", ":").partition(":")
            if not sep:
                raise DutyWeightsError(f"考评权重 LIAISON_DUTY_WEIGHTS 写法不对：“{part.strip()}”应写成 名称:权重，"
                                       "如 self:0.2,voters:0.4,org:0.4")
            pairs.append((name.strip(), value.strip()))
    out: dict[str, float] = {}
    for name, value in pairs:
        if name not in DUTY_PARTS:
            raise DutyWeightsError(f"考评权重 LIAISON_DUTY_WEIGHTS 里没有“{name}”这一项；"
                                   "只能是 self（自评）、voters（选民测评）、org（组织评定）")
        if name in out:
            raise DutyWeightsError(f"考评权重 LIAISON_DUTY_WEIGHTS 里“{name}”写了两次")
        try:
            weight = float(value)
        except ValueError:
            raise DutyWeightsError(f"考评权重 LIAISON_DUTY_WEIGHTS 里“{name}”的权重“{value}”不是数字") from None
        if not 0 <= weight <= 1:
            raise DutyWeightsError(f"考评权重 LIAISON_DUTY_WEIGHTS 里“{name}”的权重要在 0 到 1 之间")
        out[name] = weight
    missing = [p for p in DUTY_PARTS if p not in out]
    if missing:
        raise DutyWeightsError(f"考评权重 LIAISON_DUTY_WEIGHTS 缺了：{'、'.join(missing)}（三项都要写）")
    if abs(sum(out.values()) - 1) > 1e-6:
        raise DutyWeightsError(f"考评权重 LIAISON_DUTY_WEIGHTS 三项加起来要等于 1，现在是 {sum(out.values()):g}")
    return out


class WeChatConfigError(ValueError):
    """The WeChat settings do not make a mode: `kind` is "half" (with the
    `missing` and `given` names), "dev-token" or "short-token"; the CLI says it in Chinese."""

    def __init__(self, kind: str, message: str, missing: tuple[str, ...] = (), given: tuple[str, ...] = ()):
        super().__init__(message)
        self.kind, self.missing, self.given = kind, missing, given


# The settings that make live mode; EncodingAESKey is optional (plaintext mode without it).
LIVE_REQUIRED = ("WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_TOKEN")
MIN_TOKEN_CHARS = 16


def _mode(settings: Mapping[str, Any]) -> str:
    """Sandbox when no WeChat setting is given, live when the three that
    go together are; anything between is refused, so a half-done configuration
    never runs as the sandbox with its published token."""
    given = tuple(name for name in (*LIVE_REQUIRED, "WECHAT_AES_KEY") if settings.get(name))
    if not given:
        return "sandbox"
    missing = tuple(name for name in LIVE_REQUIRED if not settings.get(name))
    if missing:
        raise WeChatConfigError(
            "half", f"WeChat settings half set: {', '.join('LIAISON_' + n for n in given)} given but "
            f"{', '.join('LIAISON_' + n for n in missing)} missing; set LIAISON_WECHAT_APP_ID, "
            "LIAISON_WECHAT_APP_SECRET and LIAISON_WECHAT_TOKEN together (and LIAISON_WECHAT_AES_KEY for safe "
            "mode), or none of them for the sandbox", missing, given)
    token = settings["WECHAT_TOKEN"]
    if token == SANDBOX_TOKEN:
        raise WeChatConfigError("dev-token", f"LIAISON_WECHAT_TOKEN is the published sandbox token "
                                f"{SANDBOX_TOKEN!r}; live mode needs a token of your own")
    if len(token) < MIN_TOKEN_CHARS:
        raise WeChatConfigError("short-token", f"LIAISON_WECHAT_TOKEN has {len(token)} characters; live mode "
                                f"needs at least {MIN_TOKEN_CHARS} (WeChat accepts 3-32 letters and digits: "
                                "use 32 random ones)")
    return "live"


def _valid_aes_key(key: str) -> bool:
    """WeChat's EncodingAESKey: 43 base64 characters, 32 bytes once padded.
    Checked at start so a mistyped key stops the app, not every request."""
    import base64

    if len(key) != 43:
        return False
    try:
        return len(base64.b64decode(key + "=", validate=True)) == 32
    except ValueError:  # binascii.Error, or a character outside ASCII
        return False


def _instance_secret(instance_path: str) -> str:
    """A per-install random secret kept in the instance folder."""
    import secrets

    os.makedirs(instance_path, mode=0o700, exist_ok=True)
    path = os.path.join(instance_path, "secret_key")
    try:
        with open(path, encoding="ascii") as fh:
            value = fh.read().strip()
            if value:
                return value
    except FileNotFoundError:
        pass
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value)
    return value


# Which settings are secrets: never logged or printed.
SECRET_KEYS = frozenset({"WECHAT_TOKEN", "WECHAT_APP_SECRET", "WECHAT_AES_KEY", "SECRET_KEY", "KEYRING",
                         "METRICS_TOKEN"})
