"""Personal data under PIPL: erasing a voter at their request (erase), giving
them their data (export), the retention periods (retention), and the shared
overwrite of what a ticket says (scrub)."""
