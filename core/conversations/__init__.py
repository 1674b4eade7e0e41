"""Everything said to and by clients and staff: the outbox and its delivery, templates, order threads, the inbox and mailboxes, mailings, reminders, staff chat."""
