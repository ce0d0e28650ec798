"""Broadcasts (群发通知): audience, scheduling, delivery rows and their outcomes; the publicity-day campaigns."""
