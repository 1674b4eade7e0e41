"""`make bench`: figures, each beside a raw-SQL or bare-library baseline from the same run."""
