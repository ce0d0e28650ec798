"""The flood window runs on the app's clock: it opens with the first message,
ends a window later, and a request a moment "earlier" (another worker) stays in it."""
from __future__ import annotations

from bot.web.flood import count


def test_the_window_opens_with_the_first_message_and_lasts_its_length(ext):
    assert [count(ext.redis, "oFLOOD", t, 60) for t in (1000.0, 1010.0, 1059.9)] == [1, 2, 3]
    assert count(ext.redis, "oFLOOD", 1060.0, 60) == 1  # a new window
    assert count(ext.redis, "oOTHER", 1060.0, 60) == 1  # each sender their own


def test_a_request_stamped_a_moment_earlier_counts_in_the_same_window(ext):
    assert count(ext.redis, "oFLOOD", 1000.0, 60) == 1
    assert count(ext.redis, "oFLOOD", 999.99, 60) == 2
    assert count(ext.redis, "oFLOOD", 900.0, 60) == 1  # a clock set back by a whole window starts again
