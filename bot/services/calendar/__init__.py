"""Days and time: Beijing dates, statutory holidays and make-up working days, working-day arithmetic."""
