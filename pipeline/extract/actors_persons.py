"""Persons: trained NER plus participant-list lines, cleaned of honorifics and noise.

Why: NER finds most names but also tags "Excellencies" or "Mr. President"; participant lists
("Guy Ryder, Director-General, ILO") carry names NER misses and the person's title and
affiliation. This module returns person mentions with title/affiliation; linking short forms to
full names and roles to persons happens in actors_resolve.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from spacy.tokens import Doc, Span

from pipeline.extract.actors_lexicon import Lexicon
from pipeline.extract.actors_vocab import Vocab
from pipeline.nlp import text_of

ORG_TYPES = {"organization", "un_body"}
_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’\-]*\.?"
_PARTICLE = r"(?:de|da|van|von|bin|al|el|del|di|dos)"
# "Guy Ryder, Director-General, ILO" on a line of its own (participant lists, signatures).
_PARTICIPANT = re.compile(
    rf"^[ \t\-•*]*(?P<name>{_NAME_WORD}(?:[ \t]+(?:{_NAME_WORD}|{_PARTICLE})){{1,4}})"
    r"(?:[ \t]*,|[ \t]+[\-–—][ \t]+)[ \t]*(?P<rest>\S[^\n]{2,300})$",
    re.MULTILINE,
)
# A sentence ends at ". " before a capital, except after abbreviations like "a.i." or "Mr.".
_SENTENCE_END = re.compile(r"(?<!\ba\.i)(?<!\bMr)(?<!\bMs)(?<!\bDr)(?<!\bSt)\.\s+(?=[A-Z])")
_STOP_TITLE = re.compile(
    r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|"
    r"May|June|July|August|September|October|November|December|\d)"
)


@dataclass
class PersonMention:
    """A person's name tokens [start, end) plus the honorific-inclusive mention span."""

    start: int
    end: int
    name: str
    surface: str
    title: str | None = None
    affiliation: str | None = None
    appos_end_char: int | None = None
    has_honorific: bool = False
    # Organizations printed in the person's participant-list line: (start_char, end_char, name).
    orgs: list[tuple[int, int, str]] = field(default_factory=list)


REGNAL_NUMBER = re.compile(r"^(?:[IVX]{1,5}|[0-9]{1,2}(?:st|nd|rd|th))$")
ROYAL_HONORIFICS = ("Majesty", "Highness", "Holiness")


def _regnal_start(doc: Doc, start: int, voc: Vocab) -> int:
    """'King Mohammed VI', 'Pope John Paul II', 'Crown Prince X': the title is part of the name."""
    if start > 0 and doc[start - 1].text in voc.regnal_titles:
        return start - 1
    if start > 1 and f"{doc[start - 2].text} {doc[start - 1].text}" in voc.regnal_titles:
        return start - 2
    return start


def _royal(doc: Doc, hstart: int, start: int) -> bool:
    return any(t.text in ROYAL_HONORIFICS for t in doc[hstart:start])


def _valid_name(words: list[str], voc: Vocab) -> bool:
    """Title-case alphabetic words, no stop words, no all-caps headings, no digits."""
    if not words or any(ch.isdigit() for w in words for ch in w):
        return False
    while len(words) > 1 and REGNAL_NUMBER.match(words[-1]):
        words = words[:-1]  # 'Mohammed VI', 'John Paul II'
    content = [w for w in words if w.lower() not in voc.name_particles]
    if not content:
        return False
    for w in content:
        if w.lower().strip(".") in voc.person_stopwords or w.lower() in voc.person_stopwords:
            return False
        if not w[0].isupper():
            return False
        if len(w) > 1 and w.isupper() and not w.endswith("."):
            return False
        if any(len(part) > 1 and part.isupper() for part in w.split("-")[:-1]):
            return False  # 'TC-Admin', 'UN-Women': a label, not a name
    return True


def _trim(doc: Doc, start: int, end: int, voc: Vocab) -> tuple[int, int]:
    """Drop leading articles/honorifics and trailing possessives or punctuation."""
    while start < end and (
        doc[start].lower_ in {"the", "a", "an"}
        or doc[start].text in voc.honorifics
        or any(len(p) > 1 and p.isupper() for p in doc[start].text.split("-")[:-1])  # 'TC-Admin Chet'
    ):
        start += 1
    while end > start and (doc[end - 1].text in {"'s", "’s", "'", ",", ".", "-"} or doc[end - 1].is_space):
        end -= 1
    return start, end


def _honorific_start(doc: Doc, start: int, voc: Vocab) -> int:
    """Index of an honorific right before the name ("Ms. Izumi Nakamitsu"), else start."""
    i = start
    while i > 0:  # 'His Excellency Mr.', 'His Majesty': honorifics may stack
        if i > 1 and f"{doc[i - 2].text} {doc[i - 1].text}" in voc.honorifics:
            i -= 2
        elif doc[i - 1].text in voc.honorifics:
            i -= 1
        else:
            break
    return i


def parse_apposition(text: str, lex: Lexicon, voc: Vocab) -> tuple[str | None, str | None, int]:
    """Title and affiliation following a name: ', Director-General, ILO' -> (title, org name, chars used).

    Segments are comma-separated; an org segment sets the affiliation, a segment with a title
    keyword extends the title; anything else ends the apposition.
    """
    line = text.split("\n", 1)[0]
    if not line.strip() and text[:1] == "\n" and text[1:2] not in {"\n", ""}:
        line = " " + text[1:].split("\n", 1)[0]  # title printed on the line under the name
    titles: list[str] = []
    affiliation: str | None = None
    used = 0
    line = _SENTENCE_END.split(line, 1)[0]
    dash = re.match(r"[ \t]+[\-–—][ \t]+(?=[A-Z])", line)  # 'Aaron Lippold - Co-Chair'
    shift = 0
    if dash:
        shift = dash.end() - 1
        line = "," + line[dash.end() :]
    if line.startswith(","):
        pos = 1
        for seg in line[1:].split(","):
            raw_len = len(seg) + 1
            seg = seg.strip().rstrip(".;")
            if not seg:
                break
            entry = lex.lookup(seg)
            if seg.replace(".", "").upper() in voc.post_nominals:
                pass  # 'M.J.R. MacKellar, M.P., Minister for ...': letters after the name, not the end
            elif entry is not None and entry.type in ORG_TYPES:
                affiliation = affiliation or entry.name
            elif seg[0].isupper() and _is_title(seg, voc):
                cut = re.split(r"[;(]", seg)[0].strip()
                titles.append(cut)
                affiliation = affiliation or _org_inside(cut, lex)
            else:
                break
            pos += raw_len
            used = pos - 1
    else:
        stripped = line.lstrip()
        lead = len(line) - len(stripped)
        if lead and stripped and stripped[0].isupper() and _is_title(" ".join(stripped.split()[:2]), voc):
            stop = _STOP_TITLE.search(stripped)
            cand = stripped[: stop.start()] if stop else stripped
            cand = re.split(r"[,;(]|\.\s", cand)[0].strip() if "a.i." not in cand else cand.split(",")[0].strip()
            if 0 < len(cand.split()) <= 16:
                titles.append(cand)
                affiliation = _org_inside(cand, lex)
                used = lead + len(cand)
    return (", ".join(titles) or None), affiliation, used + shift if used else 0


def _is_title(seg: str, voc: Vocab) -> bool:
    """A short segment that contains a title keyword ("Assistant High Commissioner for Protection")."""
    words = re.findall(r"[\w\-]+", seg)
    if not words or len(words) > 12:
        return False
    return any(w in voc.title_keywords or w.split("-")[0] in voc.title_keywords for w in words)


def _org_inside(title: str, lex: Lexicon) -> str | None:
    """Organization named inside a title ('Director-General of the International Labour Organization')."""
    m = re.search(r"\b(?:of|for|at)\s+(?:the\s+)?(.+)$", title)
    while m:
        entry = lex.lookup(m.group(1))
        if entry is not None and entry.type in ORG_TYPES:
            return entry.name
        m = re.search(r"\b(?:of|for|at)\s+(?:the\s+)?(.+)$", m.group(1))
    return None


def find_persons(doc: Doc, lex: Lexicon, voc: Vocab) -> list[PersonMention]:
    """Person mentions from NER and from participant-list lines, with appositive title/affiliation."""
    found: dict[tuple[int, int], PersonMention] = {}
    candidates: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ == "PERSON":
            candidates.append((ent.start, ent.end))
    text = text_of(doc)
    matches = list(_PARTICIPANT.finditer(text))
    listed = _list_runs(text, matches)
    lines: dict[int, tuple[str | None, str | None, int, list[tuple[int, int, str]]]] = {}
    for i, m in enumerate(matches):
        if i in listed:
            lines[m.end("name")] = parse_list_line(text, m, lex, voc)
        else:
            title, _, _ = parse_apposition(", " + m.group("rest"), lex, voc)
            if title is None and lex.lookup(m.group("rest").split(",")[0]) is None:
                continue
        span = doc.char_span(m.start("name"), m.end("name"), alignment_mode="contract")
        if span is not None:
            candidates.append((span.start, span.end))
    for start, end in candidates:
        start, end = _trim(doc, start, end, voc)
        start = _given_names_before(doc, start, lex, voc)
        # "Belarus Alyaksandr Lukashenko": a leading country name is not part of the person's name.
        while end - start > 2 and lex.lookup(doc[start].text) is not None:
            start += 1
        if start >= end:
            continue
        words = doc[start:end].text.split()  # "Ban Ki-moon": hyphenated parts stay one word
        if not _valid_name(words, voc):
            continue
        if lex.lookup(doc[start:end].text) is not None:
            continue
        start = _regnal_start(doc, start, voc)
        name_span = doc[start:end]
        hstart = _honorific_start(doc, start, voc)
        orgs: list[tuple[int, int, str]] = []
        if name_span.end_char in lines:
            title, affiliation, line_end, orgs = lines[name_span.end_char]
            used = line_end - name_span.end_char
        else:
            title, affiliation, used = parse_apposition(text[name_span.end_char :], lex, voc)
        if title is None and hstart == start and start > 0 and doc[start - 1].text in voc.title_keywords:
            title = doc[start - 1].text  # 'President Anastasiades', 'Chancellor Merkel'
        found[(start, end)] = PersonMention(
            start=start,
            end=end,
            # a royal or papal style is part of how the person is named: 'His Majesty King Mohammed VI'
            name=re.sub(r"\s+", " ", (doc[hstart:end] if _royal(doc, hstart, start) else name_span).text),
            surface=re.sub(r"\s+", " ", doc[hstart:end].text),
            title=title,
            affiliation=affiliation,
            appos_end_char=name_span.end_char + used if used else None,
            has_honorific=hstart < start,
            orgs=orgs,
        )
    _repeated_names(doc, text, found)
    _titled_short_names(doc, text, found, voc)
    return _drop_nested(list(found.values()))


def _given_names_before(doc: Doc, start: int, lex: Lexicon, voc: Vocab, limit: int = 3) -> int:
    """'Ambassador María Fernanda | Espinosa Garcés': the tagger may cut a long name; capitalised
    proper nouns right before it (on the same line, not an honorific, title or listed actor) are
    given names."""
    i = start
    while i > 0 and start - i < limit:
        prev = doc[i - 1]
        if not (prev.is_title and prev.pos_ == "PROPN" and prev.is_alpha) or "\n" in prev.whitespace_:
            break
        low = prev.lower_
        if prev.text in voc.honorifics or prev.text in voc.title_keywords or low in voc.person_stopwords:
            break
        if prev.is_sent_start or lex.lookup(prev.text) is not None or prev.ent_type_ not in {"", "PERSON"}:
            break
        i -= 1
    return i


def _list_runs(text: str, matches: list[re.Match[str]], min_run: int = 3) -> set[int]:
    """Indices of participant-line matches that stand in a run of at least `min_run` consecutive
    'Name, ...' lines (a participant or attendance list): the layout vouches for them, so they
    need no title keyword or listed organization."""
    out: set[int] = set()
    run: list[int] = []
    for i, m in enumerate(matches):
        if run and text[matches[run[-1]].end() : m.start()].strip():
            if len(run) >= min_run:
                out.update(run)
            run = []
        run.append(i)
    if len(run) >= min_run:
        out.update(run)
    return out


def parse_list_line(
    text: str, m: re.Match[str], lex: Lexicon, voc: Vocab
) -> tuple[str | None, str | None, int, list[tuple[int, int, str]]]:
    """'Name, Organization, Role' / 'Name, Role, Organization' in a participant list: segments with
    a title word are the title; the first other capitalised segment is the affiliation (a listed
    actor's name, or a new organization returned with its char offsets); the person's own name,
    'Individual' and lower-case remarks ('not on the roster') are no affiliation.
    Returns (title, affiliation, end_char of the parsed line, new organizations)."""
    titles: list[str] = []
    affiliation: str | None = None
    orgs: list[tuple[int, int, str]] = []
    name = re.sub(r"\s+", " ", m.group("name"))
    pos = m.start("rest")
    for raw in m.group("rest").split(","):
        lead = len(raw) - len(raw.lstrip())
        seg = raw.strip().rstrip(";:")
        if seg.endswith(".") and len(seg.split()[-1]) > 5:  # 'Inc.', 'Ltd.' keep their dot
            seg = seg[:-1]
        start = pos + lead
        pos += len(raw) + 1
        if not seg:
            continue
        entry = lex.lookup(seg)
        if entry is not None:
            if entry.type != "role":
                affiliation = affiliation or entry.name
                continue
            titles.append(seg)
            continue
        if seg[0].isupper() and _is_title(seg, voc):
            titles.append(seg)
            continue
        first = seg.split()[0]
        if (
            affiliation is None
            and any(c.isupper() for c in first)
            and len(seg.split()) <= 8
            and re.sub(r"\s+", " ", seg) != name
            and not _non_affiliation(seg, voc)
        ):
            affiliation = seg
            orgs.append((start, start + len(seg), seg))
    return (", ".join(titles) or None), affiliation, m.end("rest"), orgs


def _non_affiliation(seg: str, voc: Vocab) -> bool:
    """'Individual', 'Independent' (also misspelt, as printed lists often are): a member without
    an organization."""
    low = seg.lower()
    return any(SequenceMatcher(None, low, w).ratio() >= 0.88 for w in voc.non_affiliations)


def _repeated_names(doc: Doc, text: str, found: dict[tuple[int, int], PersonMention]) -> None:
    """Every other occurrence of a full name found once ('Bret Jordan, Bret Jordan, ...') is a
    mention of that person too, so no shorter reading of it ('Jordan' the country) wins."""
    names = {m.name: m for m in found.values() if len(m.name.split()) > 1}
    if not names:
        return
    alt = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True))
    taken = {i for (s, e) in found for i in range(s, e)}
    for hit in re.finditer(rf"(?<![\w\-])(?:{alt})(?![\w\-])", text):
        span = doc.char_span(hit.start(), hit.end(), alignment_mode="contract")
        if span is None or not len(span) or not taken.isdisjoint(range(span.start, span.end)):
            continue
        first = names.get(re.sub(r"\s+", " ", hit.group()))
        if first is None:
            continue
        found[(span.start, span.end)] = PersonMention(span.start, span.end, first.name, first.name)
        taken.update(range(span.start, span.end))


def _drop_nested(mentions: list[PersonMention]) -> list[PersonMention]:
    """Keep the longest of overlapping person candidates (NER vs. participant line)."""
    mentions.sort(key=lambda m: (-(m.end - m.start), m.start))
    taken: set[int] = set()
    kept = []
    for m in mentions:
        if taken.isdisjoint(range(m.start, m.end)):
            kept.append(m)
            taken.update(range(m.start, m.end))
    return sorted(kept, key=lambda m: m.start)


def mention_span(doc: Doc, m: PersonMention, voc: Vocab) -> Span:
    """Span including a preceding honorific, so 'Ms. Izumi Nakamitsu' is the mention."""
    return doc[_honorific_start(doc, m.start, voc) : m.end]


def _titled_short_names(doc: Doc, text: str, found: dict[tuple[int, int], PersonMention], voc: Vocab) -> None:
    """'(Co-Chair Aaron)', 'Secretary Hagen': a title word right before the first or last name of
    exactly one person named in full is a mention of that person (NER misses lone names)."""
    parts: dict[str, set[str]] = {}
    for m in found.values():
        words = m.name.split()
        if len(words) > 1:
            for w in (words[0], words[-1]):
                parts.setdefault(w, set()).add(m.name)
    single = {w: next(iter(n)) for w, n in parts.items() if len(n) == 1 and w.lower() not in voc.name_particles}
    if not single:
        return
    titles = "|".join(sorted((re.escape(t) for t in voc.title_keywords), key=len, reverse=True))
    names = "|".join(sorted((re.escape(w) for w in single), key=len, reverse=True))
    taken = {i for (s, e) in found for i in range(s, e)}
    for hit in re.finditer(rf"(?<![\w\-])(?:[\w]+-)?(?P<title>{titles})[ \t]+(?P<name>{names})(?![\w\-])", text):
        span = doc.char_span(hit.start("name"), hit.end("name"), alignment_mode="contract")
        if span is None or not len(span) or not taken.isdisjoint(range(span.start, span.end)):
            continue
        name = hit.group("name")
        found[(span.start, span.end)] = PersonMention(span.start, span.end, name, name, title=hit.group("title"))
        taken.update(range(span.start, span.end))
