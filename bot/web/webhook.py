"""/wechat (routed in bot/app.py): verify, decrypt, parse, dedupe, dispatch, commit once, enqueue after
the commit, reply within WeChat's 5 seconds."""
from __future__ import annotations

import hashlib
import logging
import secrets

from flask import Response, abort, g, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import dedupe, router
from ..extensions import Liaison, current
from ..handlers import Context
from ..jobs.commit import commit
from ..messages import Inbound
from ..models import InboundMessage
from ..services import texts
from ..services.outbox import windows
from ..services.outcome import Outcome
from ..services.privacy import location
from ..services.station import Station
from ..wechat import WebhookError, render_text_reply
from . import flood, sandbox, spool
from .ratelimit import RedisLimiter

log = logging.getLogger(__name__)


def verify() -> Response:
    sandbox.guard(current().settings)
    try:
        echo = current().gate.verify_url(request.args)
    except WebhookError as err:
        _refuse(err)
    return Response(echo, mimetype="text/plain")


def receive() -> Response:
    ext = current()
    sandbox.guard(ext.settings)
    body = request.get_data(cache=False)
    if len(body) > ext.settings["MAX_BODY_BYTES"]:
        abort(413)
    try:
        opened = ext.gate.open(request.args, body)
    except WebhookError as err:
        _refuse(err)
    if not opened.encrypted and not _query_fits_body(ext, body):
        _refuse(WebhookError(403, "signed query replayed with a different body"))
    msg = opened.inbound
    try:
        return _receive(ext, msg, opened)
    except Exception as exc:
        if not spool.unreachable(exc):
            raise
        return _spool(ext, msg, opened)


def _receive(ext: Liaison, msg: Inbound, opened) -> Response:
    if not _first_delivery(ext, msg.dedupe_key):
        found, reply = _earlier(ext, msg.dedupe_key)
        if found:
            g.webhook_outcome = "duplicate"  # the metrics' outcome label (bot/web/observe.py)
            return _answer(ext, msg, opened, reply)
        # Claimed but not stored: the first delivery is still running or died
        # before its commit. Handle it; the unique key decides who wins.
    try:
        outcome = _handle(ext, msg)
    except _Repeat:
        return _answer(ext, msg, opened, _earlier(ext, msg.dedupe_key)[1])
    except Exception:
        _forget(ext, msg.dedupe_key)  # let WeChat's retry be handled
        raise
    return _answer(ext, msg, opened, outcome.reply)


def _spool(ext: Liaison, msg: Inbound, opened) -> Response:
    """The database is unreachable: keep the message on disk and answer; when
    even that fails, a 503 makes WeChat retry."""
    _forget(ext, msg.dedupe_key)  # a retry must be handled (or spooled) again, not look done
    try:
        spool.store(ext.settings["INSTANCE_PATH"], msg)
    except OSError as exc:
        log.error("database unreachable and spool write failed (%s): answering 503", type(exc).__name__)
        abort(503)
    log.warning("database unreachable: message spooled for replay")
    g.webhook_outcome = "spooled"
    replayer(ext).kick()
    return _answer(ext, msg, opened, texts.SPOOLED)


def replayer(ext: Liaison) -> spool.Replayer:
    """This process's spool replayer (started on a spooled message and at web worker start)."""
    found = getattr(ext, "spool_replayer", None)
    if found is None:
        found = ext.spool_replayer = spool.Replayer(ext.settings["INSTANCE_PATH"], lambda m: settle(ext, m))
    return found


def settle(ext: Liaison, msg: Inbound) -> None:
    """Store and handle a spooled message; one already stored is settled too."""
    with ext.app.app_context():
        try:
            _handle(ext, msg)
        except _Repeat:
            pass


class _Repeat(Exception):
    pass


def _handle(ext: Liaison, msg: Inbound) -> Outcome:
    with ext.Session() as session:
        row = InboundMessage(
            dedupe_key=msg.dedupe_key, openid=msg.openid, msg_type=msg.msg_type, event=msg.event,
            msg_id=msg.msg_id, content=msg.content, created_at=ext.now(),
            extra=location.stored_fields(msg),  # never the periodic LOCATION event's coordinates
        )
        session.add(row)
        try:
            session.flush()
            if windows.opens_window(msg.msg_type, msg.event):
                windows.touch(session, msg.openid, ext.now())  # their 48-hour window opens
            ctx = Context(session, ext.now(), limiter=RedisLimiter(ext.redis), phones=ext.phones,
                          station=Station.from_settings(ext.settings))
            outcome = flood.hold_back(ext, session, row, msg) or router.dispatch(ctx, msg)
            row.reply, row.ticket_id = outcome.reply, outcome.ticket_id
            commit(ext, session, outcome)  # the follow-ups are enqueued only once this commits
        except IntegrityError:
            session.rollback()
            if _earlier(ext, msg.dedupe_key)[0]:
                raise _Repeat from None  # a concurrent delivery of this message won
            raise  # another constraint: a real error, WeChat will retry
    return outcome


def _query_fits_body(ext: Liaison, body: bytes) -> bool:
    """In plaintext mode the signature covers only timestamp and nonce, so a
    logged query string could carry a forged body. Bind each (timestamp, nonce)
    to the first body seen with it; WeChat's own retries send the same body."""
    key = f"liaison:nonce:{request.args.get('timestamp')}:{request.args.get('nonce')}"
    digest = hashlib.sha256(body).hexdigest()
    try:
        if ext.redis.set(key, digest, nx=True, ex=2 * ext.settings["TIMESTAMP_WINDOW"]):
            return True
        seen = ext.redis.get(key)
    except Exception as exc:
        # Fail closed: without the check a logged query could carry a forged body.
        # 503, so WeChat retries (three times) instead of the message being taken unchecked.
        log.warning("plaintext replay check unavailable (%s): answering 503 so WeChat retries",
                    type(exc).__name__)
        abort(503)
    return (seen.decode() if isinstance(seen, bytes) else seen) == digest


def _first_delivery(ext: Liaison, key: str) -> bool:
    try:
        return dedupe.first_seen(ext.redis, key, ext.settings["DEDUPE_TTL"])
    except Exception as exc:  # Redis down: the unique constraint still holds
        log.warning("dedupe fast path unavailable: %s", type(exc).__name__)
        return True


def _forget(ext: Liaison, key: str) -> None:
    try:
        dedupe.forget(ext.redis, key)
    except Exception:
        pass


def _earlier(ext: Liaison, key: str) -> tuple[bool, str | None]:
    """(stored?, the reply it got) for a delivery key."""
    with ext.Session() as session:
        row = session.execute(select(InboundMessage.id, InboundMessage.reply)
                              .where(InboundMessage.dedupe_key == key)).first()
    return (row is not None, row.reply if row else None)


def _answer(ext: Liaison, msg: Inbound, opened, reply: str | None) -> Response:
    if not reply:
        return Response("success", mimetype="text/plain")
    xml = render_text_reply(msg.openid, msg.account, reply, int(ext.clock()))
    nonce = request.args.get("nonce") or secrets.token_hex(8)
    return Response(ext.gate.seal(xml, opened, nonce), mimetype="application/xml")


def _refuse(err: WebhookError) -> None:
    log.warning("webhook refused (%s): %s from %s", err.status, err.reason, request.remote_addr)
    abort(err.status)
