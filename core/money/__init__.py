"""Money: payments, cash desks and their one ledger, expenses and receipts, online payments."""
