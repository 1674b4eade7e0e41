"""What clients do for themselves: the portal, booking visits, the day of a visit."""
