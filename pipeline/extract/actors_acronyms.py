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


_CAPS_RUN = re.compile(r"(?<![\w\-])[A-Z][A-Z\-]+(?:[ \t]+[A-Z][A-Z\-]+){1,9}(?![\w\-])")
_ACRONYM_USE = re.compile(r"(?<![\w\-])([A-Z]{2,8})(?![a-z])")


def _title_case(words: list[str], voc: Vocab) -> str:
    """'COMMISSION FOR BASIC SYSTEMS' -> 'Commission for Basic Systems'."""
    out = []
    for i, w in enumerate(words):
        low = w.lower()
        if i and low in voc.function_words:
            out.append(low)
        else:
            out.append("-".join(p[:1].upper() + p[1:].lower() for p in w.split("-")))
    return " ".join(out)


def find_heading_names(text: str, voc: Vocab, defined: set[str]) -> list[AcronymDefinition]:
    """Bodies printed only in capitals in a heading ('COMMISSION FOR BASIC SYSTEMS') whose acronym
    the text uses without defining it ('requested CBS to'): the initials of the capitalised name
    spell an acronym used elsewhere, and its head word is a body word (vocab org_heads). The long
    form is returned title-cased; its printed offsets point at the capitals."""
    used = {m.group(1) for m in _ACRONYM_USE.finditer(text)} - defined
    if not used:
        return []
    heads = {h.lower() for h in voc.org_heads}
    out: dict[str, AcronymDefinition] = {}
    for m in _CAPS_RUN.finditer(text):
        words = m.group().split()
        offsets = [w.start() + m.start() for w in re.finditer(r"\S+", m.group())]
        for k in range(len(words)):
            if words[k].lower() in voc.function_words:
                continue
            for j in range(len(words), k + 1, -1):
                cand = words[k:j]
                if cand[-1].lower() in voc.function_words:
                    continue
                ini = _initials(cand, voc)
                if ini not in used or ini in out or ini in cand:
                    continue
                cut = next((i for i, w in enumerate(cand) if w.lower() in voc.function_words), len(cand))
                if cand[max(cut - 1, 0)].lower() not in heads:
                    continue
                start = offsets[k]
                end = offsets[j - 1] + len(words[j - 1])
                out[ini] = AcronymDefinition(_title_case(cand, voc), start, end, ini)
    return list(out.values())
