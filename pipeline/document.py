"""The one document model every reader produces and every extractor consumes.

A Document carries the clean text that is written to ``outputs/texts/<doc_id>.txt``;
every character offset in every table points into exactly that string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["heading", "paragraph", "list_item", "numbered_paragraph", "table_cell"]
DOC_TYPES = ("speech", "meeting_summary", "note", "resolution", "other")


@dataclass(frozen=True)
class Block:
    """A structural unit of the clean text: ``text[start:end]``."""

    kind: BlockKind
    start: int
    end: int
    number: str | None = None  # "22", "(a)", "7." for numbered paragraphs and list items


@dataclass
class Metadata:
    title: str | None = None
    doc_type: str | None = None
    doc_date: str | None = None  # ISO YYYY-MM-DD
    speaker_or_author: str | None = None
    location: str | None = None


@dataclass
class Document:
    doc_id: str
    source_path: str
    file_name: str
    file_type: str
    sha256: str
    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    metadata: Metadata = field(default_factory=Metadata)
    n_pages: int | None = None
    status: str = "ok"
    error_kind: str | None = None
    error_message: str | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (kind, message): read, but partly suspect
    seconds_spent: float = 0.0  # reading and layout, counted against the per-file time budget

    def block_text(self, block: Block) -> str:
        return self.text[block.start : block.end]
