"""Run the trained components paragraph by paragraph and the rule components on the whole Doc.

The trained tok2vec and NER networks allocate working memory in proportion to the tokens of the
Doc they are given (about 15 KB per token each: a 30,000-character statement briefly costs
200 MB), so a worker's peak memory followed the longest document of the corpus. Given pieces
of at most ``PIECE_CHARS`` cut after paragraph breaks, their peak is bounded; the annotated
pieces are joined back into one Doc (``Doc.from_docs``) before the rule components run, so the
rules still see the whole document: acronyms defined earlier, the speaker, the running actor.
The networks look only a few tokens to each side, and a paragraph break is a sentence break, so
the annotations are those of the whole Doc except, rarely, next to a cut.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy
from spacy.attrs import IDX
from spacy.language import Language
from spacy.tokens import Doc

PIECE_CHARS = 10_000
_PARAGRAPH_END = re.compile(r"\n[ \t]*\n\s*")
_LINE_END = re.compile(r"\n\s*")
_SENTENCE_END = re.compile(r"[.!?;]\s+")
_SPACE = re.compile(r"\s+")
_LONG_LINE = 4  # a line up to this many times the limit is one piece; a longer one is cut inside


def piece_bounds(text: str, limit: int = PIECE_CHARS) -> list[int]:
    """Offsets that tile ``text`` into pieces of at most ``limit`` characters where possible.

    Cuts fall just after a paragraph break, else after a line break (the first one after the
    limit when it comes soon), else (a paragraph on one line, one block of a text without
    breaks) after a sentence end or a space; a word longer than ``limit`` stays whole.
    The first offset is 0 and the last ``len(text)``.
    """
    bounds = [0]
    while len(text) - bounds[-1] > limit:
        start = bounds[-1]
        cut = (
            _last_break(_PARAGRAPH_END, text, start, start + limit)
            or _last_break(_LINE_END, text, start, start + limit)
            or _last_break(_LINE_END, text, start, start + _LONG_LINE * limit, first=True)
            or _last_break(_SENTENCE_END, text, start, start + limit)
            or _last_break(_SPACE, text, start, start + limit)
            or _last_break(_LINE_END, text, start, len(text), first=True)
        )
        if cut is None:
            break
        bounds.append(cut)
    bounds.append(len(text))
    return bounds


def _last_break(pattern: re.Pattern[str], text: str, start: int, stop: int, first: bool = False) -> int | None:
    """End of the last (or ``first``) break inside ``text[start:stop]`` that leaves text after it."""
    found = None
    for m in pattern.finditer(text, start + 1, len(text)):
        if m.end() > stop or m.end() >= len(text):
            break
        found = m.end()
        if first:
            break
    return found


def annotate(
    nlp: Language,
    doc: Doc,
    rule_names: set[str],
    limit: int = PIECE_CHARS,
    check: Callable[[], None] | None = None,
) -> Doc:
    """Run ``nlp``'s components on ``doc``: trained ones per piece, those in ``rule_names`` on
    the joined Doc. Falls back to the whole Doc if the pieces would not tokenize the same way.
    ``check`` is called before every component call (it raises when the document's time is up)."""
    check = check or _no_check
    text = doc.text
    bounds = piece_bounds(text, limit)
    trained = [proc for name, proc in nlp.pipeline if name not in rule_names]
    rules = [proc for name, proc in nlp.pipeline if name in rule_names]
    if len(bounds) > 2:
        pieces = [nlp.make_doc(text[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
        if _same_tokens(doc, pieces, bounds):
            for i, piece in enumerate(pieces):
                for proc in trained:
                    check()
                    piece = proc(piece)
                pieces[i] = piece
            joined = Doc.from_docs(pieces, ensure_whitespace=False)
            joined.user_data.update(doc.user_data)
            doc = joined
            trained = []
    for proc in trained + rules:
        check()
        doc = proc(doc)
    return doc


def _no_check() -> None:
    """No time limit."""


def _same_tokens(doc: Doc, pieces: list[Doc], bounds: list[int]) -> bool:
    """True when the pieces' tokens, shifted to their offsets, are exactly the Doc's tokens."""
    starts = [piece.to_array([IDX]).reshape(-1) + offset for piece, offset in zip(pieces, bounds, strict=False)]
    joined = numpy.concatenate(starts) if starts else numpy.zeros(0)
    whole = doc.to_array([IDX]).reshape(-1)
    return len(joined) == len(whole) and bool((joined == whole).all())
