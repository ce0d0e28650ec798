"""Reception days (接待选民日): the calendar of every site, duty rota, bookings, reminders."""
