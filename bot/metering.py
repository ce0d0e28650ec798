"""Recording a metric never breaks the work it measures: a metrics folder that
is missing or not writable (prometheus_client opens a file per process there on
first use) costs the figures, logged once, never a ticket, a token or a push."""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)
_warned = False


def record(name: str, method: str = "inc", value: float = 1.0, **labels: str) -> None:
    """metrics.<name>[.labels(**labels)].<method>(value), or a logged no-op."""
    global _warned
    try:
        from . import metrics  # on first use: see bot/metrics.py

        metric = getattr(metrics, name)
        getattr(metric.labels(**labels) if labels else metric, method)(value)
    except Exception as exc:
        if not _warned:
            _warned = True
            log.error("metrics not recorded (%s: %s); the work goes on", type(exc).__name__, exc)
