"""/wechat: verify, decrypt, parse, dedupe, dispatch, commit once, enqueue after
the commit, reply within WeChat's 5 seconds."""
from __future__ import annotations

import logging
import secrets

from flask import Blueprint, Response, abort, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import dedupe, router
from ..ratelimit import RedisLimiter
from ..extensions import Liaison, current
from ..handlers import Context, Result
from ..messages import Inbound
from ..models import InboundMessage
from ..wechat import WebhookError, render_text_reply

log = logging.getLogger(__name__)
bp = Blueprint("webhook", __name__)


@bp.get("/wechat")
def verify() -> Response:
    try:
        echo = current().gate.verify_url(request.args)
    except WebhookError as err:
        _refuse(err)
    return Response(echo, mimetype="text/plain")


@bp.post("/wechat")
def receive() -> Response:
    ext = current()
    body = request.get_data(cache=False)
    if len(body) > ext.settings["MAX_BODY_BYTES"]:
        abort(413)
    try:
        opened = ext.gate.open(request.args, body)
    except WebhookError as err:
        _refuse(err)
    msg = opened.inbound
    if not _first_delivery(ext, msg.dedupe_key):
        return _answer(ext, msg, opened, _earlier_reply(ext, msg.dedupe_key))
    try:
        result = _handle(ext, msg)
    except _Repeat:
        return _answer(ext, msg, opened, _earlier_reply(ext, msg.dedupe_key))
    except Exception:
        _forget(ext, msg.dedupe_key)  # let WeChat's retry be handled
        raise
    for name, args in result.follow_ups:  # only after the commit
        ext.enqueue(name, *args)
    return _answer(ext, msg, opened, result.reply)


class _Repeat(Exception):
    pass


def _handle(ext: Liaison, msg: Inbound) -> Result:
    with ext.Session() as session:
        row = InboundMessage(
            dedupe_key=msg.dedupe_key, openid=msg.openid, msg_type=msg.msg_type, event=msg.event,
            msg_id=msg.msg_id, content=msg.content, created_at=ext.now(),
            extra={k: v for k, v in msg.fields.items() if k not in ("Content", "Recognition")},
        )
        session.add(row)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            raise _Repeat from None
        ctx = Context(session, ext.now(), limiter=RedisLimiter(ext.redis), phones=ext.phones)
        result = router.dispatch(ctx, msg)
        row.reply, row.ticket_id = result.reply, result.ticket_id
        try:
            session.commit()
        except IntegrityError:  # a concurrent delivery of the same message won
            session.rollback()
            raise _Repeat from None
    return result


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


def _earlier_reply(ext: Liaison, key: str) -> str | None:
    with ext.Session() as session:
        return session.scalar(select(InboundMessage.reply).where(InboundMessage.dedupe_key == key))


def _answer(ext: Liaison, msg: Inbound, opened, reply: str | None) -> Response:
    if not reply:
        return Response("success", mimetype="text/plain")
    xml = render_text_reply(msg.openid, msg.account, reply, int(ext.clock()))
    nonce = request.args.get("nonce") or secrets.token_hex(8)
    return Response(ext.gate.seal(xml, opened, nonce), mimetype="application/xml")


def _refuse(err: WebhookError) -> None:
    log.warning("webhook refused (%s): %s from %s", err.status, err.reason, request.remote_addr)
    abort(err.status)
