"""The roster desk: what admin and staff do to the roster from the console (and
the CLI): check and import an uploaded file, export, the health report with a
link to each problem, posters, revoking and renewing QR codes. It sits above
services/roster (the rules of the roster itself) and services/accounts (who may
act, the audit log), which cannot import each other's way round.

manage.py   role check, template, export, health, records, posters, codes
uploads.py  an uploaded .xlsx / .csv: type check, dry run, import
"""
