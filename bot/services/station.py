"""The station's standing configuration that the rules need: who hears about
urgent, escalated and overdue matters, which offices exist, the SLA."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Station:
    staff_openids: tuple[str, ...] = ()
    county_office_openids: tuple[str, ...] = ()
    city_office_openids: tuple[str, ...] = ()
    offices: tuple[str, ...] = ()
    ack_days: int = 2
    resolve_days: int = 15
    reopen_days: int = 7
    burst_seconds: int = 180
    # Voters shown as "吴某" (True) or "吴某（新民村）" to deputies and in staff alerts.
    mask_village: bool = True
    urgent_alert_window: int = 600  # seconds: one staff alert per voter (services/tickets/urgent.py)
    # Photos or a voice note a deputy sends this soon after a visit note join it (services/duty/visits.py).
    visit_media_minutes: int = 10
    # Unsure categories get a second look by the worker (services/tickets/refine.py):
    # auto, on or off (settings.refine_mode). With auto the worker decides: the
    # encoder may be installed where the workers run and not on the web hosts.
    refine_category: str = "off"

    @classmethod
    def from_settings(cls, s: Mapping[str, Any]) -> "Station":
        return cls(staff_openids=tuple(s.get("STAFF_OPENIDS") or ()),
                   county_office_openids=tuple(s.get("COUNTY_OFFICE_OPENIDS") or ()),
                   city_office_openids=tuple(s.get("CITY_OFFICE_OPENIDS") or ()),
                   offices=tuple(s.get("TOWNSHIP_OFFICES") or ()),
                   ack_days=int(s.get("SLA_ACK_DAYS") or 2), resolve_days=int(s.get("SLA_RESOLVE_DAYS") or 15),
                   reopen_days=int(s.get("REOPEN_DAYS") or 7),
                   burst_seconds=int(s.get("BURST_SECONDS") if s.get("BURST_SECONDS") is not None else 180),
                   mask_village=s.get("MASK_VILLAGE") is None or bool(s.get("MASK_VILLAGE")),
                   urgent_alert_window=int(s.get("URGENT_ALERT_WINDOW")
                                           if s.get("URGENT_ALERT_WINDOW") is not None else 600),
                   visit_media_minutes=int(s.get("VISIT_MEDIA_MINUTES")
                                           if s.get("VISIT_MEDIA_MINUTES") is not None else 10),
                   refine_category=s.get("REFINE_CATEGORY") or "off")
