"""The outbox: every push to a WeChat user is a row first, sent after the commit; the 48-hour window."""
