"""One time budget per document (``UNGOV_PER_FILE_TIMEOUT_S``) for reading, layout and extraction.

Reading and layout run in the time-limited reader worker (``pipeline.ingest.bounded_read``); what
they used is kept on the Document (``seconds_spent``) and the rest is the extraction's. Extraction
checks the budget between pieces and components, and where it runs on a process's main thread an
alarm also interrupts a single component call that overruns, so no one document can hold a run.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from pipeline import settings


class BudgetExceeded(Exception):
    """A document used up its time budget; the document fails, the others go on."""


def budget_message(spent: float, limit: float) -> str:
    return (
        f"processing the document took longer than the {limit:g} s limit per file "
        f"(stopped after {spent:.1f} s of reading, layout and extraction); "
        "raise UNGOV_PER_FILE_TIMEOUT_S to allow more time"
    )


class Deadline:
    """The end of one document's budget; ``check()`` raises BudgetExceeded once it has passed."""

    def __init__(self, already_spent: float = 0.0, limit: float | None = None) -> None:
        self.limit = float(settings.PER_FILE_TIMEOUT_S if limit is None else limit)
        self.spent = already_spent
        self.started = time.monotonic()

    @property
    def remaining(self) -> float | None:
        """Seconds left, or None without a limit (a limit of 0 or less means none)."""
        if self.limit <= 0:
            return None
        return self.limit - self.spent - (time.monotonic() - self.started)

    def check(self) -> None:
        left = self.remaining
        if left is not None and left <= 0:
            raise BudgetExceeded(budget_message(self.limit - left, self.limit))

    @contextmanager
    def enforced(self) -> Iterator[None]:
        """Check on entry and exit; on the main thread an alarm stops the block when time runs out."""
        self.check()
        left = self.remaining
        on_main = threading.current_thread() is threading.main_thread()
        armed = left is not None and on_main and hasattr(signal, "SIGALRM")
        armed = armed and signal.getitimer(signal.ITIMER_REAL)[0] == 0  # never take over someone else's alarm
        if armed:

            def expire(signum, frame):  # noqa: ARG001 - the signal handler's signature
                raise BudgetExceeded(budget_message(self.limit, self.limit))

            previous = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001))  # type: ignore[arg-type]
        try:
            yield
        finally:
            if armed:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
        self.check()
