"""The reception desk: what admin and staff do to the reception calendar from
the console, each call checking the account's role first (access.require) and
auditing what changes. It sits above services/reception (the calendar's rules),
services/calendar (holidays), services/roster (the sites' QR codes) and
services/accounts (who may, the audit log). The CLI, the station's own shell,
calls services/reception directly.

clerks.py   the role check and the audit record every desk call shares
days.py     the month, one reception's page, the bookings list, attendance, move and cancel
setup.py    the sites' rules and the holidays staff enter
notices.py  the printed notices (never issuing a code) and issuing the sites' QR codes (a POST)
"""
