"""The `brigadir` command: the composition root for every process."""
