"""Document metadata by rules (title, type, date, speaker/author, place); a manifest overrides them (manifest.py).

The cues live in ``models/metadata/``; this module only reads the header of the clean text
(where UN documents print their masthead) and applies them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache

from pipeline import settings
from pipeline.document import Block, Metadata

HEADER_CHARS = 1500
_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
_MONTH_RE = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s*{_MONTH_RE},?\s+(\d{{4}})\b", re.IGNORECASE)
_MDY = re.compile(rf"\b{_MONTH_RE}\s+(\d{{1,2}})(?:st|nd|rd|th)?,\s*(\d{{4}})\b", re.IGNORECASE)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# "20.X.2016": day, month in roman numerals, year (WMO and many European secretariats date documents so)
_ROMAN_MONTHS = {r: i for i, r in enumerate("I II III IV V VI VII VIII IX X XI XII".split(), start=1)}
_ROMAN = re.compile(r"\b(\d{1,2})\.\s?(XII|XI|X|IX|VIII|VII|VI|V|IV|III|II|I)\.\s?(\d{4})\b")
# the second day of a range ("23 to 29 November 2016", "7-8 March 2016") dates a session, not the document
_RANGE_END = re.compile(r"\d{1,2}(?:st|nd|rd|th)?\s*(?:to|-|–|—|and|until)\s*$", re.IGNORECASE)
# a status line "as of 1:30 UTC 4th March 2016" at the start of a line dates the document itself
_AS_OF_LINE = re.compile(r"^\W*(?:status\s+)?as\s+(?:of|at)\b[^\n]{0,30}$", re.IGNORECASE)
_ROLE_LINE = re.compile(
    r"^(?:the\s+)?((?:deputy\s+)?secretary-general|president of the general assembly|"
    r"(?:united nations\s+)?high commissioner for (?:refugees|human rights)|director[- ]general[\w ,]*|"
    r"special representative[\w ,-]*)$",
    re.IGNORECASE,
)
_BOILERPLATE = re.compile(
    r"^(?:united nations|nations unies|check against delivery|as delivered|embargoed.*|"
    r"(?:final|draft|revised)?\s*(?:summary|minutes)|distr\.?:.*|original:.*|general assembly|"
    r"security council|economic and social council|--+|.*\bdistr\.:.*|submitted by\b.*|agenda items?\b.*)$",
    re.IGNORECASE,
)
_SYMBOL_LINE = re.compile(r"^[A-Z]{1,6}(?:/[A-Z0-9.]+)+$")
# a masthead that is only an organisation and a document symbol: "United Nations A/80/L.36", "CBS-16/Doc. 5.5(1)"
_SYMBOL_MASTHEAD = re.compile(
    r"^(?i:united nations|nations unies)?\s*[A-Z][A-Z0-9-]{0,12}/[A-Za-z0-9.()/-]+(?:\s[0-9.()]+)?$"
)
_SYMBOL_IN = re.compile(r"\b[A-Z][A-Za-z0-9-]{0,12}/(?:[A-Z0-9.()-]+/?)+|\bDoc\.\s*\d")
# a numbered section heading ("# 1 Opening Activities", "1-2 Procedures", "2.1 Scope") is not a title
_NUMBERED_HEADING = re.compile(r"^\s*#*\s*\d{1,2}(?:[.-]\d{1,2})*\.?\s+\S")
# a salutation ("Mr President, Excellencies, Ladies and gentlemen,") opens a speech; it is not its title
_SALUTATION = re.compile(
    r"^(?:(?:mr\.?|madam|madame|dear)\s+(?:president|chair\w*|co-chairs?|secretary-general)|excellenc\w+|"
    r"ladies and gentlemen|distinguished\s+\w+|dear (?:colleagues|friends))\b",
    re.IGNORECASE,
)
_AGENDA_TITLE = re.compile(r"^\s*agenda item\s+[\w.()]+\s*[:.–—-]\s*(\S.{3,200}?)\s*$", re.IGNORECASE | re.MULTILINE)


@lru_cache(maxsize=1)
def _fields() -> dict:
    path = settings.MODELS_DIR / "metadata" / "fields.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _by_person() -> re.Pattern:
    """'Statement by H.E. Ms. X', 'address to be given by the Hon. M.J.R. Y': the person after the speech noun."""
    f = _fields()
    name_word = r"(?:[A-ZÀ-Ý]\.){1,4}|[A-ZÀ-Ý][\w'’-]+"
    return re.compile(
        rf"\b(?i:{_alt(f['speech_nouns'])})\s+(?:(?i:{_alt(f['delivery_verbs'])})\s+)?(?i:by)\s+"
        rf"(?:(?:{_alt(f['honorifics'])})\s+)*"
        rf"(?!(?i:the|a|an|his|her|our|my)\b)"
        rf"((?:{name_word})(?:[^\S\n]*(?<=\.)(?:{name_word})|[^\S\n]+(?:de|da|van|von|del|al|bin|{name_word})){{0,4}})"
    )


@lru_cache(maxsize=1)
def _author_label() -> re.Pattern:
    return re.compile(rf"^\W*(?:{_alt(_fields()['author_labels'])})\s*:\s*(\S[^\n]*)$", re.IGNORECASE | re.MULTILINE)


@lru_cache(maxsize=1)
def _countries() -> tuple[str, ...]:
    path = settings.MODELS_DIR / "actors" / "member_states.jsonl"
    names: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            names.update([row["name"], *row.get("aliases", [])])
    return tuple(sorted(names, key=len, reverse=True))


@lru_cache(maxsize=1)
def _venue() -> re.Pattern:
    """A session masthead naming its venue: '... Sixteenth Session Guangzhou, China, 23 to 29 November'."""
    f = _fields()
    return re.compile(
        rf"\b(?i:{_alt(f['venue_words'])})\s*[,:–—-]?\s+"
        rf"([A-Z][\w'’.-]+(?:[ -][A-Z][\w'’.-]+){{0,2}}),\s+(?:the\s+)?(?:{_alt(_countries())})\b"
    )


@lru_cache(maxsize=1)
def _type_cues() -> dict:
    path = settings.MODELS_DIR / "metadata" / "doc_types.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        kind: {part: [(re.compile(p, re.IGNORECASE | re.MULTILINE), w) for p, w in cues] for part, cues in spec.items()}
        for kind, spec in data.items()
        if not kind.startswith("_")
    }


@lru_cache(maxsize=1)
def _places() -> tuple[str, ...]:
    path = settings.MODELS_DIR / "metadata" / "places.txt"
    names = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
    return tuple(sorted((n for n in names if n and not n.startswith("#")), key=len, reverse=True))


def _valid(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


_HELD_ON = re.compile(r"\b(?:held|convened|met|meeting|session|dated|delivered|issued)\s+(?:on|of)\s*$", re.IGNORECASE)


def find_header_date(text: str) -> str | None:
    """The first full calendar date in the masthead: the day it was delivered, held or issued."""
    header = text[:HEADER_CHARS]
    adopted = re.search(r"\badopted by the [A-Z][\w ]{3,40}?\s+on\s+", header)
    if adopted:  # a resolution is dated by its adoption, not by its distribution
        rest = find_header_date(header[adopted.end() : adopted.end() + 40].split("\n")[0] + "\n")
        if rest:
            return rest
    found: list[tuple[int, str]] = []
    for m in _DMY.finditer(header):
        iso = _valid(int(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
        if iso:
            found.append((m.start(), iso))
    for m in _MDY.finditer(header):
        iso = _valid(int(m.group(3)), _MONTHS[m.group(1).lower()], int(m.group(2)))
        if iso:
            found.append((m.start(), iso))
    for m in _ISO.finditer(header):
        iso = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if iso:
            found.append((m.start(), iso))
    for m in _ROMAN.finditer(header):
        iso = _valid(int(m.group(3)), _ROMAN_MONTHS[m.group(2)], int(m.group(1)))
        if iso:
            found.append((m.start(), iso))
    if not found:
        return None
    found.sort()

    def before(pos: int) -> str:
        return header[header.rfind("\n", 0, pos) + 1 : pos]

    for pos, iso in found:  # a status date line ("as of ...") is the date of the document
        if _AS_OF_LINE.match(before(pos)):
            return iso
    # A date that follows "on"/"of" inside a sentence is usually about something else
    # (a resolution of 18 December 2013), and the last day of a range dates a session;
    # prefer one that stands on a line of its own.
    for pos, iso in found:
        text_before = before(pos)
        if _HELD_ON.search(text_before):  # 'meeting held on 12 March 2021': the day itself
            return iso
        if re.search(r"\b(?:of|on|resolutions?|since|until|by|before)\s*$", text_before, re.IGNORECASE):
            continue
        if _RANGE_END.search(text_before):
            continue
        return iso
    return found[0][1]


def classify_doc_type(text: str) -> str:
    header = text[:HEADER_CHARS]
    scores: dict[str, int] = {}
    for kind, parts in _type_cues().items():
        score = sum(w for rx, w in parts.get("header", []) if rx.search(header))
        score += sum(w for rx, w in parts.get("body", []) if rx.search(text))
        scores[kind] = score
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] > 0 else "other"


def _header_blocks(text: str, blocks: list[Block], limit: int = 8) -> list[str]:
    out = []
    for b in blocks[:limit]:
        if b.start > HEADER_CHARS:
            break
        out.append(text[b.start : b.end])
    return out


def _strip_boilerplate(line: str) -> str:
    line = re.sub(r"^(?:check against delivery|as delivered)\s*", "", line, flags=re.IGNORECASE)
    return line.strip(" -–—:")


def _is_noise(line: str) -> bool:
    """OCR debris ('(ÎÎª^Î', '^ â â · ,'): no run of three Latin letters."""
    return not re.search(r"[A-Za-z]{3}", line)


def _resolution_title(text: str) -> str | None:
    """'80/53. Establishment of ...' -> the printed title, joined when it wraps onto the next line(s)."""
    m = re.search(r"^\s*\d+/\d+(?:\s?[A-Z])?\.\s+(\S.{4,300}?)\s*$", text[:6000], re.MULTILINE)
    if not m:
        m = re.search(r"draft resolution\s*\n\s*\n?\s*(\S[^\n]{4,300}?)\s*$", text[:6000], re.IGNORECASE | re.MULTILINE)
        if not m:
            return None
    parts = [m.group(1).strip()]
    for line in text[m.end() : m.end() + 600].strip().split("\n"):
        line = line.strip()
        if not line:
            continue
        wraps = not re.search(r"[.;:,)\]]$", parts[-1])
        if (
            not wraps
            or len(parts) > 2
            or len(line.split()) > 12
            or line.endswith(",")  # "The General Assembly," opens the text
            or re.fullmatch(r"[IVXLC]+\.?|[A-Z]\.?", line)  # a part number
            or not line[:1].isupper()
        ):
            break
        parts.append(line)
    return " ".join(" ".join(parts).split())


def find_title(text: str, blocks: list[Block], doc_type: str) -> str | None:
    if doc_type == "resolution":
        title = _resolution_title(text)
        if title:
            return title
    if doc_type == "note":  # a session document is titled by its (most specific) agenda item
        items = _AGENDA_TITLE.findall(text[:HEADER_CHARS])
        if items:
            return items[-1].strip()
    candidates = []
    for line in _header_blocks(text, blocks):
        if line.lstrip().startswith("|"):  # a table row ("| Test Report Author: ... |  |"): its first cell
            line = next((cell.strip() for cell in line.strip().strip("|").split("|") if cell.strip()), "")
        label = line.split("\n")[0].rstrip().endswith(":")  # "Participants:", "Attendance:" head a list
        line = _strip_boilerplate(line)
        if (
            not line
            or label
            or _BOILERPLATE.match(line)
            or _SYMBOL_LINE.match(line)
            or _SYMBOL_MASTHEAD.match(line)
            or _ROLE_LINE.match(line)
            or _NUMBERED_HEADING.match(line)
            or _SALUTATION.match(line)
            or _is_noise(line)
            or find_header_date(line)
            or len(line) > 200
            or line.endswith(",")
        ):
            if candidates:
                break
            continue
        letters = [c for c in line if c.isalpha()]
        caps = letters and sum(c.isupper() for c in letters) / len(letters) > 0.6
        if caps or re.match(r"^(?:opening |closing )?(?:remarks|statement|address|speech)\b", line, re.IGNORECASE):
            candidates.append(line)
            if len(candidates) == 2:
                break
        elif candidates:
            break
        elif len(line.split()) <= 14 and not line.endswith((".", ":")):
            candidates.append(line)
            break
        else:
            break  # running text has begun: a title is printed above it or not at all
    if len(candidates) == 2 and all(c.upper() == c for c in candidates):
        return " ".join(candidates)  # one title wrapped over two lines
    if candidates:
        return ": ".join(candidates)
    m = re.search(r"^(Note by the [A-Z][\w -]{2,60}|Report of the [A-Z][\w -]{2,80})$", text, re.MULTILINE)
    if m:
        return m.group(1).strip()
    return None


def adopting_organ(text: str) -> str | None:
    """The organ that adopted a resolution: 'Resolution adopted by the General Assembly', 'The Security Council,'."""
    organs = _alt(_fields()["adopting_organs"])
    head = text[:6000]
    m = re.search(rf"\badopted by the ({organs})\b", head, re.IGNORECASE) or re.search(
        rf"^\s*the ({organs}),\s*$", head, re.IGNORECASE | re.MULTILINE
    )
    if not m:
        return None
    return next(o for o in _fields()["adopting_organs"] if o.lower() == m.group(1).lower())


def _labelled_author(header: str) -> str | None:
    """'Submitted by: Secretary-General  20.X.2016 DRAFT 1' -> 'Secretary-General'."""
    m = _author_label().search(header)
    if not m:
        return None
    value = re.split(r"\s{2,}|\s+\d|\s+(?-i:DRAFT|REV\b|Rev\.)|\s*[;|]", m.group(1))[0]
    value = re.sub(r"^(?:the|a)\s+", "", value.strip(" .,:-–—"), flags=re.IGNORECASE)
    return value or None


def _minutes_body(text: str) -> str | None:
    """The body whose minutes these are, when the text names it: 'the OHDF TC' -> 'OHDF Technical Committee'.

    A short form (TC, WG) needs an acronym before it; a full kind ('Steering Committee') takes up to five
    capitalised words. The most frequent name wins, then the first printed.
    """
    kinds = {k: v for k, v in _fields()["body_kinds"].items() if not k.startswith("_")}
    short = {a: k for k, v in kinds.items() for a in v}
    counts: dict[str, list[int]] = {}
    rx = re.compile(rf"\b((?:[A-Z][\w&'’-]*\s+){{1,5}}?)({_alt(kinds)}|{_alt(short)})\b(?![-/])")
    for m in rx.finditer(text):
        qual, kind = m.group(1).split(), m.group(2)
        if kind in short:
            if not re.fullmatch(r"[A-Z][A-Z0-9&]{1,9}", qual[-1]):
                continue
            qual, kind = qual[-1:], short[kind]
        while qual and qual[0].lower() in ("the", "a", "an", "of", "this", "our"):
            qual = qual[1:]
        if not qual:
            continue
        name = " ".join([*qual, kind])
        counts.setdefault(name, []).append(m.start())
    if not counts:
        return None
    return max(counts, key=lambda n: (len(counts[n]), -counts[n][0]))


def _report_body(text: str, title: str | None) -> str | None:
    """The association or consortium whose work a status report reports on.

    Its printed name ('the OpenGeo Consortium') if the text has one; otherwise, when the text speaks of 'the
    association' and the title names the subject ('Summary Report of Current X Development'), 'X Association'.
    """
    f = _fields()
    if not title or not re.search(rf"\b(?:{_alt(f['report_words'])})\b", title, re.IGNORECASE):
        return None
    collectives = f["collective_bodies"]
    printed = re.findall(rf"\b((?:[A-Z][\w&-]*\s+){{1,4}}(?:{_alt(c.title() for c in collectives)}))\b", text)
    printed = [re.sub(r"^(?:The|A|An|This|Our)\s+", "", p) for p in printed]
    printed = [p for p in printed if len(p.split()) > 1]
    if printed:
        return max(set(printed), key=printed.count)
    m = re.search(rf"\bthe ({_alt(collectives)})\b", text)
    if not m:
        return None
    body = text.replace(title, " ")
    subjects = [
        w
        for w in re.findall(r"[A-Za-z][\w-]*", title)
        if w[:1].isupper() and w.lower() not in f["report_words"] and len(w) > 2
    ]
    ranked = sorted(subjects, key=lambda w: len(re.findall(rf"\b{re.escape(w)}\b", body)), reverse=True)
    if not ranked or len(re.findall(rf"\b{re.escape(ranked[0])}\b", body)) < 3:
        return None
    return f"{ranked[0]} {m.group(1).title()}"


def find_speaker(text: str, blocks: list[Block], doc_type: str, title: str | None) -> str | None:
    who = _find_speaker(text, blocks, doc_type, title)
    if not who:
        return None
    # never the title or a document symbol
    if title and who.strip().lower() == title.strip().lower():
        return None
    if _SYMBOL_IN.search(who):
        return None
    return who


def _find_speaker(text: str, blocks: list[Block], doc_type: str, title: str | None) -> str | None:
    header = text[:HEADER_CHARS]
    labelled = _labelled_author(header)
    if labelled and not _SYMBOL_IN.search(labelled):
        return labelled
    m = _by_person().search(header)
    if m:
        return m.group(1).strip(" ,")
    if doc_type == "resolution":
        organ = adopting_organ(text)
        if organ:
            return organ
    for line in _header_blocks(text, blocks):
        rm = _ROLE_LINE.match(line.strip())
        if rm:
            role = rm.group(1).strip()
            return role if not role.isupper() else _title_case_role(role)
    if doc_type == "meeting_summary":
        if title and not _SYMBOL_IN.search(title):
            body = re.split(r"\s+[-–—:]\s+", title)[0].strip()
            if body and body != title.strip() and len(body.split()) <= 8:
                return body  # "UN Network on Migration - Executive Committee Meeting"
        body = _minutes_body(text)
        if body:
            return body
    m = re.search(r"\bNote by the (Secretariat|Secretary-General)\b", text)
    if m:
        who = m.group(1)
        owners = re.findall(rf"\b([A-Z]{{2,8}}) {who.lower()}\b", text)
        if owners:
            return f"{max(set(owners), key=owners.count)} {who.lower()}"
        return who
    if doc_type == "note":
        return _report_body(text, title)
    return None


def _title_case_role(role: str) -> str:
    small = {"of", "the", "for", "on", "and"}
    words = re.split(r"(\s+|-)", role.lower())
    return "".join(w if w in small or not w.strip() or w == "-" else w.capitalize() for w in words)


def find_location(text: str, doc_type: str | None = None) -> str | None:
    header = text[:HEADER_CHARS]
    if doc_type == "resolution":
        # a resolution is adopted where its organ sits unless its masthead says otherwise
        opening = re.search(r"^\s*the [A-Z][\w ]{3,60},\s*$", text[:6000], re.IGNORECASE | re.MULTILINE)
        masthead = text[: opening.start()] if opening else header
        for place in _places():
            if re.search(rf"\b(?:held|adopted|meeting|session) (?:in|at) {re.escape(place)}(?!\w)", masthead):
                return place
        seat = _fields()["organ_seats"].get(adopting_organ(text) or "")
        if seat:
            return seat
    if re.search(
        r"\(virtual\)|\bvirtual (?:meeting|session)\b|\bvia (?:zoom|teams|webex)\b|\bonline meeting\b", header, re.I
    ):
        return "virtual"
    m = _venue().search(header)
    if m:
        return m.group(1)
    for place in _places():  # as printed, or in a capitalised heading ("... IN GENEVA")
        if re.search(rf"(?<!\w)(?:{re.escape(place)}|{re.escape(place.upper())})(?!\w)", header):
            return place
    for place in _places():
        if re.search(rf"\b(?:here|held|meeting|we are|gathered|assembled|convened) in {re.escape(place)}(?!\w)", text):
            return place
    return None


def extract_metadata(text: str, blocks: list[Block]) -> Metadata:
    doc_type = classify_doc_type(text)
    title = find_title(text, blocks, doc_type)
    return Metadata(
        title=title,
        doc_type=doc_type,
        doc_date=find_header_date(text),
        speaker_or_author=find_speaker(text, blocks, doc_type, title),
        location=find_location(text, doc_type),
    )


# The manifest (per-file metadata an analyst states) is read and checked in ``manifest.py``; the
# names stay importable from here for the readers.
from pipeline.ingest.manifest import MANIFEST_COLUMNS, apply_manifest, load_manifest  # noqa: E402, F401
