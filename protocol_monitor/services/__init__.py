"""Use cases. Each public function owns its transaction: commit on success, roll back on error."""

from __future__ import annotations


class ServiceError(Exception):
    """A use case refused: the message is safe to show to the person who asked."""


class NotFound(ServiceError):
    """No such record in the caller's scope (also what a record outside the scope looks like)."""
