"""Staff: employees, crews, subcontractors, bonuses and fines, web sessions."""
