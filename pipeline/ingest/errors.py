"""Errors a reader raises with a kind an analyst can filter on and a message a person understands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar


class IngestError(Exception):
    """A file that cannot become a document. ``kind`` goes to the error_kind column."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message

    def __reduce__(self):
        """Picklable with both fields, so a reader running in a worker process can report it."""
        return (IngestError, (self.kind, self.message))


# Kinds of the errors table that are warnings: the document was read and is ``ok``, but part of
# it may be wrong, and an analyst should know which part.
WARNING_KINDS = frozenset({"invalid_utf8"})

_collected: ContextVar[list[tuple[str, str]] | None] = ContextVar("ingest_warnings", default=None)


def warn(kind: str, message: str) -> None:
    """Record a warning about the file being read (kept only inside ``collect_warnings``)."""
    found = _collected.get()
    if found is not None:
        found.append((kind, message))


@contextmanager
def collect_warnings() -> Iterator[list[tuple[str, str]]]:
    """The (kind, message) warnings readers record while the block runs; readers need not pass them up."""
    found: list[tuple[str, str]] = []
    token = _collected.set(found)
    try:
        yield found
    finally:
        _collected.reset(token)
