"""Errors a reader raises with a kind an analyst can filter on and a message a person understands."""

from __future__ import annotations


class IngestError(Exception):
    """A file that cannot become a document. ``kind`` goes to the error_kind column."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __reduce__(self):
        """Picklable with both fields, so a reader running in a worker process can report it."""
        return (IngestError, (self.kind, self.message))
