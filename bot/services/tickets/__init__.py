"""Tickets (意见工单): intake, assignment under "3+10", the lifecycle, deputies' commands, follow-ups, ratings, SLAs, triage."""
