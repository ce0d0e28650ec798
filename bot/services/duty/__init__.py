"""The duty record (履职档案): what each deputy did, filled by the work itself
(receptions, tickets, escalated suggestions, check-ins and visit notes in
WeChat) and by staff; the ten "十个一" items measured against it; the yearly
evaluation. `items` is the rulebook, `activities` the one way in."""
