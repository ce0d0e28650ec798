"""Broadcasts in Debian's chromium: a clerk writes a notice to one site, sees
how many it reaches (and the unsubscribed voter skipped) as they choose,
sends it, and watches the progress bar fill to 100% without the page
reloading, while a worker thread runs the sender as Celery would; then the
delivery report downloads as an .xlsx that openpyxl opens."""
from __future__ import annotations

import threading
import time

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.jobs import SEND_BROADCAST, sender
from bot.models import Voter

pytestmark = pytest.mark.slow

GONE = "oDEMO_voter_12_01"  # a fixed voter at 上丰 who unfollowed the account
TEXT = "本月10日上午九点，上丰联络点接待选民，代表在便民聊天室听您说。"


@pytest.fixture
def console_app(make_app):
    # Slow enough to watch: 12 pushes a second, results written every 4.
    return make_app(BROADCAST_RATE=12, BROADCAST_BATCH=4, BROADCAST_THREADS=2, BROADCAST_LEASE=5)


@pytest.fixture
def worker(console_app):
    """A background worker: takes the send_broadcast jobs the console leaves
    (after its commit) and runs the broadcast sender, as the Celery task does."""
    queue, ext = console_app.config["TASK_QUEUE"], console_app.extensions["liaison"]
    stop, ran, errors = threading.Event(), [], []

    def loop() -> None:
        with console_app.app_context():
            while not stop.is_set():
                with queue.lock:
                    jobs = [item for item in queue.items if item[0] == SEND_BROADCAST]
                    for item in jobs:
                        queue.items.remove(item)
                for _, args in jobs:
                    try:
                        ran.append(sender.run(ext, *args))
                    except Exception as exc:  # shown by the test, not lost in a thread
                        errors.append(exc)
                time.sleep(0.05)

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    yield {"ran": ran, "errors": errors}
    stop.set()
    thread.join(10)


@pytest.fixture
def demo_township(console_app):
    from bot.services.roster.demo import seed

    ext = console_app.extensions["liaison"]
    with ext.Session() as s:
        seed(s, 7)
        s.scalar(select(Voter).where(Voter.openid == GONE)).subscribed = False
        s.commit()


def test_a_broadcast_to_a_site_with_its_progress_reaching_100(site, page, log_in, make_user, demo_township, worker,
                                                              shot, tmp_path):
    make_user("clerk", "staff")
    log_in(page, site, "clerk")
    page.goto(f"{site}/console/broadcasts")
    assert page.locator("text=宣传日草稿").count() == 3  # this year's publicity days, as drafts
    shot(page, "broadcasts-list")

    page.click("#broadcast-new")
    asked = []
    page.on("request", lambda r: asked.append(r.url) if "/broadcasts/audience" in r.url else None)
    page.fill("#title", "接待日通知")
    page.fill("#text", TEXT)
    page.check("#kind-sites")
    assert page.locator(".pick-sites").is_visible() and not page.locator(".pick-villages").is_visible()
    page.check("input[name=codes_sites][value=shangfeng]")
    # htmx asks the server on each change: the count of this site, the unsubscribed voter apart.
    page.wait_for_selector("#recipients:text-is('39')", timeout=10000)
    assert page.inner_text("#skipped") == "1"
    assert page.inner_text("#preview-text") == TEXT  # the phone shows what voters will read
    assert asked and not [u for u in asked if "csrf_token" in u], "the CSRF token stays out of URLs"
    assert not [u for u in asked if "compose_token" in u]
    shot(page, "broadcast-compose")

    # An impatient double click: the first click greys the buttons (the one
    # pressed rides in a hidden field), the second sends nothing. The page's
    # own listener, last in line, holds the first submission to look at it.
    page.evaluate("""() => { window.submits = 0;
        window.addEventListener("submit", (e) => { window.submits++; e.preventDefault(); }); }""")
    page.click("#send-now")
    page.evaluate("document.querySelector('#send-now').click()")
    state = page.evaluate("""() => ({submits: window.submits,
        grey: [...document.querySelectorAll("#compose button[type=submit]")].map((b) => b.disabled),
        carried: [...document.querySelectorAll("#compose input.pressed")].map((i) => i.name + "=" + i.value)})""")
    assert state == {"submits": 1, "grey": [True, True, True], "carried": ["do=now"]}, state
    with page.expect_navigation():
        page.evaluate("document.querySelector('#compose').submit()")  # what the browser sends, once
    assert "已开始发送" in page.inner_text(".flash")
    assert page.inner_text("#audience-name") == "按联络站点：上丰联络点"
    loads = []
    page.on("load", lambda _: loads.append(1))
    bar = page.locator("#progress .bar")
    seen, took_midway = [], False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        value = int(bar.get_attribute("aria-valuenow"))
        if not seen or seen[-1] != value:
            seen.append(value)
        if 0 < value < 100 and not took_midway:
            shot(page, "broadcast-sending")
            took_midway = True
        if value == 100:
            break
        time.sleep(0.2)
    assert not worker["errors"], worker["errors"]
    assert seen[-1] == 100, seen
    assert any(0 < v < 100 for v in seen), f"the bar moved in steps, not in one jump: {seen}"
    assert loads == [], "the page never reloaded: htmx swapped the progress fragment"
    page.wait_for_selector("#state:text-is('已发完')")
    assert page.inner_text("#n-sent") == "39" and page.inner_text("#n-skipped") == "1"
    assert page.inner_text("#n-waiting") == "0"
    # Finished: the buttons were swapped with the bar (no pause, no cancel), and polling stopped.
    page.wait_for_selector("#controls:has-text('已经结束')")
    assert page.locator("#form-pause").count() == 0 and page.locator("#form-cancel").count() == 0
    assert page.get_attribute("#progress", "hx-get") is None
    assert worker["ran"] == ["done"]
    shot(page, "broadcast-done")
    page.set_viewport_size({"width": 390, "height": 844})  # a clerk's phone
    shot(page, "broadcast-done-phone")
    page.set_viewport_size({"width": 1366, "height": 768})

    page.click("#report-link")
    page.wait_for_selector("#report")
    assert "共 40 人" in page.inner_text(".summary") and "oDEMO" not in page.content()
    shot(page, "broadcast-report")
    with page.expect_download() as got:
        page.click("#report-xlsx")
    path = tmp_path / got.value.suggested_filename
    got.value.save_as(path)
    book = load_workbook(path, read_only=True)
    rows = list(book["发送明细"].iter_rows(values_only=True))
    assert rows[0][:5] == ("序号", "接收人", "村", "身份", "结果") and len(rows) == 41
    assert [r[4] for r in rows[1:]].count("已发送") == 39 and [r[4] for r in rows[1:]].count("跳过") == 1
    assert not any("oDEMO" in str(v) for row in rows for v in row if v is not None)
