"""`brigadir backup` / `restore`: the database and every stored file in one checked archive."""

from cli.backup.snapshot import (
    BackupResult,
    RestoreResult,
    default_name,
    restore_backup,
    take_backup,
)

__all__ = ["BackupResult", "RestoreResult", "default_name", "restore_backup", "take_backup"]
