"""The one exception storage backends raise for problems a user should read."""

from __future__ import annotations


class StorageError(Exception):
    """A storage operation failed; the message is Russian and meant for people.

    permanent=True: retrying will not help until someone acts (a bad token, a full disk);
    permanent=False: a network hiccup, retry later.
    """

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
