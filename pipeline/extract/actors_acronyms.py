"""In-document acronym definitions: "Conference of European Statisticians (CES)".

Why: documents define the short forms they use; a definition ties an acronym to its long form,
so the acronym becomes an alias of a gazetteer actor or defines a new, unlisted organization.
Long forms are found Schwartz-Hearst style: the shortest run of words before the parenthesis
whose content-word initials spell the acronym.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.extract.actors_vocab import Vocab

_DEF = re.compile(r"\((?P<acr>[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)*[A-Z]s?)(?:[,;][^)]*)?\)")
_WORD = re.compile(r"[\w’'\-\.]+")


@dataclass(frozen=True)
class AcronymDefinition:
    """Long form (with its char offsets) and the acronym defined for it."""

    long_form: str
    start_char: int
    end_char: int
    acronym: str


def _initials(words: list[str], voc: Vocab) -> str:
    """Initials of content words; hyphenated words contribute each part."""
    out = []
    for w in words:
        if w.lower() in voc.function_words:
            continue
        for part in w.split("-"):
            if part:
                out.append(part[0])
    return "".join(out).upper()


def find_definitions(text: str, voc: Vocab, max_words: int = 12) -> list[AcronymDefinition]:
    """All 'Long Form (ACR)' definitions whose content words are capitalized and spell ACR."""
    defs = []
    for m in _DEF.finditer(text):
        acr = m.group("acr")
        letters = acr[:-1] if acr.endswith("s") and acr[:-1].isupper() else acr
        letters = letters.upper().replace("-", "")
        line_start = max(text.rfind("\n", 0, m.start()), text.rfind("(", 0, m.start()), 0)
        window = text[line_start : m.start()]
        words = list(_WORD.finditer(window))[-max_words:]
        for k in range(len(words) - 1, -1, -1):
            cand = [w.group() for w in words[k:]]
            if cand[0].lower() in voc.function_words:
                continue
            ini = _initials(cand, voc)
            if ini == letters or ini.replace("-", "") == letters:
                content = [w for w in cand if w.lower() not in voc.function_words]
                if all(w[0].isupper() for w in content):
                    start = line_start + words[k].start()
                    end = line_start + words[-1].end()
                    defs.append(AcronymDefinition(text[start:end], start, end, acr))
                break
            if len(ini) > len(letters) + 1:
                break
    return defs
