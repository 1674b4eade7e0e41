"""Domain errors. Their message is shown to the user as is, so it is Russian."""

from __future__ import annotations

__all__ = ["AccessDenied", "BrigadirError", "Conflict", "NotFound", "ValidationError"]


class BrigadirError(Exception):
    """Base: a rule was broken; `str(error)` is a clear Russian sentence for the user."""

    @property
    def message(self) -> str:
        return str(self)


class ValidationError(BrigadirError):
    """Bad input: nothing was written."""


class NotFound(BrigadirError):
    """The thing does not exist, or the actor may not know it exists."""


class AccessDenied(BrigadirError):
    """The actor may not do this."""


class Conflict(BrigadirError):
    """Someone else changed the record meanwhile, or it would duplicate another."""
