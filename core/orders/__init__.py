"""Orders: the counter, the pipelines they move through, the list's columns, imports, statistics."""
