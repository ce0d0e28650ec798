"""The station's clock: dates people see (ticket years, reception days,
deadlines) are Beijing dates, whatever the server's time zone."""
from __future__ import annotations

from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
