"""Background work. Each Celery task is a thin wrapper over a plain function
that opens sessions, calls services and commits; tests call the functions."""
from __future__ import annotations

import logging
import os
import re
from datetime import date, timedelta
from typing import Any

from celery import shared_task
from sqlalchemy.exc import DBAPIError

from ..extensions import Liaison, current
from ..infra.files import checkpoint_sqlite, open_private, private_dir
from ..messages import DeliveryError
from ..models import OutboundPush, PushStatus
from ..services.calendar.local_time import BEIJING
from ..services.outbox import digest, notify
from ..services.outcome import Outcome
from ..services.station import Station
from ..services.tickets import bursts
from ..services.tickets import sla as sla_service
from . import (DELIVER_PUSH, DISPATCH_BROADCASTS, DUTY_NUDGE, FETCH_MEDIA, POLL_BATCH, PREFILL_CAMPAIGNS,
               REFINE_CATEGORY, REMIND_RECEPTIONS, RETENTION, SEND_BROADCAST, SLA_DAILY, SWEEP_OUTBOX)
from .commit import commit

log = logging.getLogger(__name__)

SENDING_LEASE = 600  # a push 'sending' this long belonged to a worker that died


def deliver(ext: Liaison, push_id: int) -> float | None:
    """Send one outbox push at most once. Returns a retry delay in seconds, or None."""
    with ext.Session() as s:
        digest.hold(s, push_id, ext.now(), ext.settings["DIGEST_AFTER"], ext.settings["DIGEST_WINDOW"])
        msg = notify.claim(s, push_id, ext.now(), ext.settings["CS_WINDOW_BUDGET"])
        s.commit()
    if msg is None:
        return None
    try:
        result = ext.notifier.send(msg)
    except DeliveryError as err:
        return _failed(ext, push_id, err)
    except Exception as exc:  # a bug or an outage we did not foresee: retry, bounded
        log.exception("push %s: unexpected error", push_id)
        return _failed(ext, push_id, DeliveryError(type(exc).__name__, retryable=True))
    with ext.Session() as s:
        notify.mark_sent(s, push_id, result, ext.now(), ext.settings["CS_WINDOW_BUDGET"])
        s.commit()
    _count_push("sent")
    return None


def _count_push(result: str) -> None:
    from ..metering import record

    record("PUSHES", result=result)


def _failed(ext: Liaison, push_id: int, err: DeliveryError) -> float | None:
    with ext.Session() as s:
        delay, result = None, "failed"
        if err.ambiguous:
            notify.mark_failed(s, push_id, err.reason, status=PushStatus.UNKNOWN)
            result = "unknown"
        elif err.retryable:
            attempts = s.get(OutboundPush, push_id).attempts
            if attempts >= ext.settings["PUSH_MAX_RETRIES"]:
                notify.mark_failed(s, push_id, f"gave up after {attempts} attempts: {err.reason}")
            else:
                delay, result = min(300.0, 5.0 * 2 ** (attempts - 1)), "retried"
                notify.release_for_retry(s, push_id, err.reason, ext.now() + timedelta(seconds=delay))
                log.warning("push %s: %s; retry in %ss", push_id, err.reason, delay)
        else:
            notify.mark_failed(s, push_id, err.reason)
        s.commit()
    _count_push(result)
    return delay


def quarantine_push(ext: Liaison, push_id: int, interrupted: int) -> None:
    """A push whose task was interrupted again and again is left for staff
    (status unknown, the reason says why), never resent automatically."""
    with ext.Session() as s:
        push = s.get(OutboundPush, push_id)
        if push is not None and push.status in (PushStatus.PENDING, PushStatus.SENDING):
            notify.mark_failed(s, push_id, f"quarantined: its task was interrupted {interrupted} times",
                               status=PushStatus.UNKNOWN)
        s.commit()


def sweep(ext: Liaison) -> dict[str, int]:
    """Enqueue pushes left pending (enqueue failed, worker lost); give up on
    pushes stuck mid-send, which may have reached WeChat; send deputies' due digests."""
    with ext.Session() as s:
        after = ext.settings["OUTBOX_SWEEP_AFTER"]
        # Handed back again after 2 x `after` (at least a minute): a task lost with its
        # worker (held unacknowledged until the broker's visibility timeout, an hour)
        # must not keep its push waiting that long; a copy of a sent push does nothing.
        pending, stuck = notify.stale(s, ext.now(), after, SENDING_LEASE, requeue_every=max(60, 2 * after))
        for push_id in stuck:
            notify.mark_failed(s, push_id, "worker stopped during the send; not resent", status=PushStatus.UNKNOWN)
        digests = digest.release(s, ext.now())  # deputies' held new-ticket pushes whose window ended
        commit(ext, s, Outcome(push_ids=pending).add_pushes(digests))
    return {"requeued": len(pending), "unknown": len(stuck), "digests": len(digests)}


def remind_receptions(ext: Liaison, today: date | None = None) -> dict[str, int]:
    """The daily reception reminders (T-N to voters and deputies on duty, day-of
    to deputies); safe to run twice: the outbox keys keep one push per person."""
    from ..services.reception import reminders
    from ..services.reception.calendar import beijing_today

    today = today or beijing_today(ext.now())
    with ext.Session() as s:
        ids = reminders.remind(s, today, ext.now(), days_before=ext.settings["REMIND_DAYS_BEFORE"])
        commit(ext, s, Outcome(push_ids=ids))
    log.info("reception reminders for %s: %d queued", today, len(ids))
    return {"queued": len(ids)}


@shared_task(name=DELIVER_PUSH, bind=True, acks_late=True)
def deliver_push(self: Any, push_id: int) -> None:
    delay = deliver(current(), push_id)
    if delay is not None:
        raise self.retry(countdown=delay, max_retries=None)


@shared_task(name=SWEEP_OUTBOX)
def sweep_outbox() -> dict[str, int]:
    return sweep(current())


def sla(ext: Liaison, today: date | None = None) -> dict[str, list[str]]:
    """SLA reminders and breach escalation for `today` (Beijing date by default)."""
    today = today or ext.now().astimezone(BEIJING).date()
    with ext.Session() as s:
        done = sla_service.run(s, today, ext.now(), Station.from_settings(ext.settings))
        commit(ext, s, done.outcome)
    return {"reminded": done.reminded, "breached": done.breached, "closed": done.closed}


@shared_task(name=SLA_DAILY)
def sla_daily() -> dict[str, list[str]]:
    return sla(current())


_SUFFIX = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "video/mp4": "mp4", "audio/amr": "amr"}


def fetch_media(ext: Liaison, ticket_id: int, media_id: str) -> str | None:
    """Download a voter's image or video from WeChat into the instance folder
    (media/<ticket>/<media id>.<ext>) and note it on the ticket; once."""
    if ext.sandbox:
        log.info("sandbox: media %s of ticket %s not downloaded", media_id, ticket_id)
        return None
    name = re.sub(r"[^A-Za-z0-9_-]", "_", media_id)[:128]
    folder = os.path.join(ext.settings["INSTANCE_PATH"], "media", str(int(ticket_id)))
    if os.path.isdir(folder) and any(f.split(".")[0] == name for f in os.listdir(folder)):
        return None  # a re-run: already here
    data, ctype = ext.api.download_media(media_id)
    # A voter's photo is personal data: 0700 folders, 0600 files, whatever the umask.
    private_dir(os.path.dirname(folder))
    private_dir(folder)
    path = os.path.join(folder, f"{name}.{_SUFFIX.get(ctype, 'bin')}")
    with open_private(path + ".part") as fh:
        fh.write(data)
    os.replace(path + ".part", path)
    with ext.Session() as s:
        bursts.media_saved(s, ticket_id, media_id, os.path.relpath(path, ext.settings["INSTANCE_PATH"]), ext.now())
        s.commit()
    return path


@shared_task(name=FETCH_MEDIA, bind=True, acks_late=True, max_retries=5)
def fetch_media_task(self: Any, ticket_id: int, media_id: str) -> None:
    try:
        fetch_media(current(), ticket_id, media_id)
    except Exception as exc:  # network or WeChat refusing: a few short retries, then logged
        log.warning("media %s of ticket %s: %s", media_id, ticket_id, type(exc).__name__)
        raise self.retry(countdown=30, exc=exc)
@shared_task(name=REMIND_RECEPTIONS)
def remind_receptions_task() -> dict[str, int]:
    return remind_receptions(current())


@shared_task(name=SEND_BROADCAST, bind=True, acks_late=True)
def send_broadcast(self: Any, broadcast_id: int) -> str:
    """acks_late: a killed worker's run is delivered again; the journal settles its rows."""
    from config.celery import BROADCAST_RUN_SECONDS

    from . import sender

    # Bounded below the broker's visibility timeout; the dispatcher starts the next run.
    return sender.run(current(), broadcast_id, max_seconds=BROADCAST_RUN_SECONDS)


def dispatch(ext: Liaison) -> list[int]:
    """Start due scheduled broadcasts, and restart sending ones no live run holds."""
    from ..services.broadcasts import broadcast
    from .journal import RedisJournal

    journal = RedisJournal(ext.redis, lease=ext.settings["BROADCAST_LEASE"])
    with ext.Session() as s:
        started = [i for i in broadcast.due(s, ext.now()) if not journal.running(i)]
        commit(ext, s, Outcome(jobs=[(SEND_BROADCAST, (i,)) for i in started]))  # a read: commits nothing
    return started


@shared_task(name=DISPATCH_BROADCASTS)
def dispatch_broadcasts() -> list[int]:
    return dispatch(current())


def prefill(ext: Liaison, year: int | None = None) -> list[int]:
    from ..services.broadcasts import campaigns

    with ext.Session() as s:
        year = year or ext.now().year
        made = campaigns.prefill(s, year, ext.now()) + campaigns.prefill(s, year + 1, ext.now())
        s.commit()
        return [b.id for b in made]


@shared_task(name=PREFILL_CAMPAIGNS)
def prefill_campaigns() -> list[int]:
    return prefill(current())


def retention(ext: Liaison, today: date | None = None, dry_run: bool = False) -> dict[str, int]:
    """Overwrite personal data past its retention period (counted as of `today`'s end in
    Beijing when given); with `dry_run`, only count."""
    from datetime import datetime, time

    from ..services.privacy import retention as service

    now = ext.now()
    if today is not None:
        now = datetime.combine(today, time(23, 59, 59), BEIJING)
    with ext.Session() as s:
        done = service.run(s, now, ticket_days=ext.settings["RETENTION_TICKET_DAYS"],
                           raw_days=ext.settings["RETENTION_RAW_DAYS"],
                           instance_path=ext.settings["INSTANCE_PATH"], dry_run=dry_run)
        if dry_run:
            s.rollback()
        else:
            s.commit()
    if not dry_run:
        checkpoint_sqlite(ext.engine)
    log.info("retention%s: %s", " (dry run)" if dry_run else "", dict(done))
    return dict(done)


@shared_task(name=RETENTION)
def retention_task() -> dict[str, int]:
    return retention(current())


def duty_nudge(ext: Liaison, today: date | None = None, at_once: bool = False) -> dict[str, Any]:
    """The monthly "十个一" nudge to deputies who are behind. The schedule runs it daily
    and it sends from the month's first working day on (a missed beat is made up); `at_once` (the command) sends on any
    day. Either way once per deputy per month (the outbox key)."""
    from ..services.duty import nudges

    today = today or ext.now().astimezone(BEIJING).date()
    with ext.Session() as s:
        if not at_once and not nudges.is_send_day(s, today):
            return {"today": today.isoformat(), "skipped": "before the first working day of the month"}
        done = nudges.run(s, today, ext.now())
        commit(ext, s, done.outcome)
    log.info("duty nudges for %s: %d queued, %d already this month, %d unbound", today, len(done.sent),
             len(done.already), len(done.unreachable))
    return done.as_dict()


@shared_task(name=DUTY_NUDGE)
def duty_nudge_task() -> dict[str, Any]:
    return duty_nudge(current())


def poll_batch(ext: Liaison) -> int:
    """Move the open poll's pending votes into ballots once 5 or more wait (shuffled, one transaction)."""
    from ..services.duty import poll

    with ext.Session() as s:
        moved = poll.batch(s)
        s.commit()
    if moved:
        log.info("poll batch: %d votes moved into ballots", moved)
    return moved


@shared_task(name=POLL_BATCH)
def poll_batch_task() -> int:
    return poll_batch(current())


def refine_category(ext: Liaison, ticket_id: int) -> bool:
    """The second look at an unsure ticket's category (services/tickets/refine.py):
    the encoder runs outside any transaction, then one commit, then the push.
    A missing or broken encoder or artifact leaves the fast category standing
    (logged once per process); only database errors are worth a retry."""
    from ..nlp.refine import available
    from ..services.tickets import refine

    mode = Station.from_settings(ext.settings).refine_category
    if mode == "off" or (mode == "auto" and ext.settings.get("REFINER") is None and not available()):
        return False  # auto: the encoder is not installed on this worker
    with ext.Session() as s:
        text = refine.text_to_refine(s, ticket_id)
    if text is None:
        return False
    try:
        found = ext.refiner.refine(text)
    except Exception:  # noqa: BLE001 -- any failure of the encoder or its artifact: the fast category stands
        _refiner_failed(ticket_id)
        return False
    with ext.Session() as s:
        done = refine.apply(s, ticket_id, found, ext.now())
        commit(ext, s, done)
    return done.ticket_id is not None


_refiner_broken = False


def _refiner_failed(ticket_id: int) -> None:
    global _refiner_broken
    if not _refiner_broken:
        _refiner_broken = True
        log.exception("ticket %s: the category refiner failed; unsure categories stay as the fast model filed them "
                      "(install liaison[refine], or check bot/nlp/artifacts/refiner.npz)", ticket_id)
    else:
        log.warning("ticket %s: the category refiner failed again; category kept", ticket_id)


@shared_task(name=REFINE_CATEGORY, bind=True, acks_late=True, max_retries=3)
def refine_category_task(self: Any, ticket_id: int) -> None:
    try:
        refine_category(current(), ticket_id)
    except DBAPIError as exc:  # the database away for a moment: retry; a re-run changes nothing twice
        log.warning("refining ticket %s: %s", ticket_id, type(exc).__name__)
        raise self.retry(countdown=30, exc=exc)
