"""Pay: the director's dated pay rules, absences, the month's sheet, closing and paying it."""
