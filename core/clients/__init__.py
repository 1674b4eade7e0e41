"""Clients and leads: the card, search by letters and phone, who is writing from which messenger."""
