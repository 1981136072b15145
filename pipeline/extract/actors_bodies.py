"""Bodies the gazetteer does not list, and the short forms that refer back to them.

Why: NER organizations and body-name patterns ('Expert Group on Soil Mapping') name new actors;
a body found only in part is merged into its longer name, and 'the Centre' or 'the Regional
Representative' resolves to the body or role named earlier.
"""

from __future__ import annotations

import re
from functools import lru_cache

from spacy.tokens import Doc

from pipeline.extract.actors_cands import ORG_TYPES, Cand, Rules
from pipeline.extract.actors_coref import find_short_forms, head_noun
from pipeline.extract.actors_lexicon import Entry
from pipeline.extract.actors_roles import title_prefix_key
from pipeline.extract.actors_vocab import Vocab
from pipeline.ids import slugify
from pipeline.nlp import text_of


def ner_org_cands(
    rules: Rules, doc: Doc, actors: dict[str, dict], cands: list[Cand], regions: list[tuple[int, int]]
) -> list[Cand]:
    """Unlisted organizations from NER: title-case, an organization head noun, no event/document
    words, not part of a person's title ('Director of the Crisis Bureau')."""
    taken = {i for c in cands for i in range(c.start, c.end)}
    out = []
    for ent in doc.ents:
        if ent.label_ != "ORG":
            continue
        start, end = ent.start, ent.end
        while start < end and (
            doc[start].lower_ in {"the", "a", "an"} or doc[start].is_punct or doc[start].pos_ in {"VERB", "AUX"}
        ):
            start += 1
        while end > start and (doc[end - 1].lower_ in rules.voc.function_words or doc[end - 1].is_punct):
            end -= 1
        if ent.start > 0 and doc[ent.start - 1].lower_ in {"a", "an"}:
            continue
        span = doc[start:end]
        words = [t.text for t in span if not t.is_punct]
        if len(words) < 2 or any(i in taken for i in range(start, end)) or "\n" in span.text:
            continue
        content = [w for w in words if w.lower() not in rules.voc.function_words]
        if not all(w[0].isupper() for w in content) or any(w.isupper() and len(w) > 3 for w in content):
            continue
        if not set(words) & rules.voc.org_heads or set(words) & rules.voc.non_actor_words:
            continue
        cut = next((i for i, w in enumerate(words) if w.lower() in rules.voc.function_words), len(words))
        if words[max(cut - 1, 0)] in rules.voc.non_actor_heads:  # 'Information Systems and Services'
            continue
        if rules.lex.lookup(span.text) is not None or any(a <= span.start_char < b for a, b in regions):
            continue
        end = _complement_end(doc, start, end, rules.voc)
        span = doc[start:end]
        name = re.sub(r"(?<=[a-z]),?\d{1,3}$", "", re.sub(r"\s+", " ", span.text))  # footnote mark
        un = re.search(r"\b(United Nations|UN)\b", name)
        entry = Entry(slugify(name), name, "un_body" if un else "organization")
        actors.setdefault(entry.key, entry.as_actor())
        out.append(Cand(start, end, entry.key, "ner", entry))
    return out


def pattern_body_cands(
    rules: Rules, doc: Doc, actors: dict[str, dict], cands: list[Cand], regions: list[tuple[int, int]]
) -> list[Cand]:
    """Body names the tagger misses or cuts ('Inter-commission Task Team on WIS', 'United Nations
    High-level Panel on Water'): capitalised words ending in a body head noun, then on/for/of and a
    capitalised complement. The longest candidate wins later, so NER fragments give way."""
    text = text_of(doc)
    voc = rules.voc
    persons = {i for c in cands if c.source == "person" for i in range(c.start, c.end)}
    out = []
    for m in _body_pattern(voc).finditer(text):
        if any(a <= m.start() < b for a, b in regions):
            continue
        lead = re.match(rf"(?:(?:{_LEAD_WORDS})\s+)*", m.group())
        start = m.start() + (lead.end() if lead else 0)
        words = re.findall(r"[\w\-’']+", text[start : m.end()])
        if not words or words[0] in voc.role_title_words:
            continue
        if set(words) & voc.non_actor_words or any(w.isupper() and len(w) > 4 for w in words):
            continue
        span = doc.char_span(start, m.end(), alignment_mode="contract")
        if span is None or len(span) < 3 or not persons.isdisjoint(range(span.start, span.end)):
            continue
        name = re.sub(r"(?<=[a-z]),?\d{1,3}$", "", re.sub(r"\s+", " ", span.text))
        if rules.lex.lookup(name) is not None:
            continue
        un = re.search(r"\b(United Nations|UN)\b", name)
        entry = Entry(slugify(name), name, "un_body" if un else "organization")
        actors.setdefault(entry.key, entry.as_actor())
        out.append(Cand(span.start, span.end, entry.key, "ner", entry))
    return out


def merge_prefixes(rules: Rules, out: list[Cand], actors: dict[str, dict]) -> list[Cand]:
    """A body found only in part ('Group of Scientific and Technical Experts', a name cut by
    a line break) is the same actor as a longer name it begins ('... on Nuclear Disarmament
    Verification'); gazetteer rows are never merged."""
    names = {
        c.key: actors[c.key]["name"]
        for c in out
        if actors[c.key]["type"] in ORG_TYPES and c.key not in rules.lex.entries
    }
    remap = {}
    for key, name in names.items():
        longer = [k for k, n in names.items() if len(n) > len(name) and n.startswith(name + " ")]
        if not longer or len(name.split()) < 2:
            continue
        top = max(longer, key=lambda k: len(names[k]))
        # One chain of ever longer names ('Group of Scientific' < '... Technical Experts' < '... on X').
        if all(names[top].startswith(names[k]) for k in longer):
            remap[key] = top
    if not remap:
        return out
    for key, target in remap.items():
        actor = actors[target]
        if actors[key]["name"] not in actor["aliases"]:
            actor["aliases"].append(actors[key]["name"])
    return [Cand(c.start, c.end, remap.get(c.key, c.key), c.source, c.entry) for c in out]


def short_form_cands(rules: Rules, doc: Doc, out: list[Cand], actors: dict[str, dict]) -> list[Cand]:
    """'the Centre' -> the latest earlier (or the only) body whose name has head noun Centre;
    'the Regional Representative' -> an earlier role 'Regional Representative and Director of ...'."""
    voc = rules.voc
    taken = {i for c in out for i in range(c.start, c.end)}
    bodies = sorted(
        (c.start, c.key, head_noun(actors[c.key]["name"], voc))
        for c in out
        if actors[c.key]["type"] in ORG_TYPES and len(actors[c.key]["name"].split()) > 1
    )
    new = []
    text = text_of(doc)
    present = {c.key for c in out}
    for s, e, head in find_short_forms(text, voc):
        span = doc.char_span(s, e, alignment_mode="contract")
        if span is None or not len(span) or span.start in taken:
            continue
        same = [b for b in bodies if b[2] == head]
        earlier = [b for b in same if b[0] < span.start]
        key = earlier[-1][1] if earlier else (same[0][1] if len({b[1] for b in same}) == 1 else None)
        default = voc.default_short_forms.get(head)
        if not earlier and default in present:
            key = default  # 'the founders of the Organization' in a UN text: the United Nations
        if key is not None:
            new.append(Cand(span.start, span.end, key, "coref"))
            taken.update(range(span.start, span.end))
    roles = {c.key: c.start for c in out if c.source == "role"}
    for key, first in roles.items():
        name = actors[key]["name"]
        prefix = title_prefix_key(name)
        if prefix == name.lower() or len(prefix.split()) < 2:
            continue
        for m in re.finditer(rf"\b[Tt]he\s+({re.escape(prefix)})\b(?!\s+(?:of|for|on|and)\b)", text, re.IGNORECASE):
            span = doc.char_span(m.start(1), m.end(1), alignment_mode="contract")
            if span is None or span.start <= first or not taken.isdisjoint(range(span.start, span.end)):
                continue
            if not span.text[0].isupper():
                continue
            new.append(Cand(span.start, span.end, key, "coref"))
            taken.update(range(span.start, span.end))
    return new


def _complement_end(doc: Doc, start: int, end: int, voc: Vocab) -> int:
    """'Panel of Governmental Experts' + 'on verification in all its aspects' (a lower-case topic
    up to the next punctuation) and '... Democracy' + 'in Central Africa' (a place entity) belong
    to a body's name when its head noun is a body word and the name has no complement yet."""
    words = [t.text for t in doc[start:end]]
    if end >= len(doc) - 1 or not set(words) & voc.coref_heads or "on" in words:
        return end
    prep, nxt = doc[end], doc[end + 1]
    links = {"of", "for", "on", "and", "the"}
    titled = nxt.is_title or (nxt.lower_ == "the" and end + 2 < len(doc) and doc[end + 2].is_title)
    cut_at_head = words[-1] in voc.coref_heads and nxt.is_title
    # 'Union of Physicists' + 'of Portuguese-speaking Countries', 'Institute of ... Research' + 'of Brazil':
    # a second of/for complement naming a place or body, when NER stopped after the first.
    cut_after = prep.lower_ in {"of", "for"} and words[-1][:1].isupper() and titled and "of" in words[:-1]
    if prep.lower_ in {"for", "on", "of"} and (cut_at_head or cut_after):
        # 'Expert Group' + 'on Soil Mapping': NER stopped at the head noun.
        stop = end + 1
        while stop < len(doc):
            tok = doc[stop]
            if tok.is_title or (tok.lower_ in links and stop + 1 < len(doc) and doc[stop + 1].is_title):
                if tok.lower_ == "and" and doc[stop + 1].lower_ == "the":
                    break
                stop += 1
            elif tok.text == "-" and not doc[stop - 1].whitespace_ and stop + 1 < len(doc) and doc[stop + 1].is_alpha:
                stop += 2  # 'Portuguese-speaking'
            else:
                break
        while stop > end + 1 and doc[stop - 1].lower_ in links:
            stop -= 1
        return stop
    if prep.lower_ == "in" and nxt.ent_iob_ == "B" and nxt.ent_type_ in {"GPE", "LOC"} and "for" in words:
        stop = end + 2
        while stop < len(doc) and doc[stop].ent_iob_ == "I":
            stop += 1
        return stop
    if prep.lower_ == "in" and "for" in words and nxt.lower_ == "the" and end + 2 < len(doc):
        # '... for Security and Stability' + 'in the Sahel' (a region the tagger may misread)
        stop = end + 2
        while stop < len(doc) and doc[stop].is_title and doc[stop].pos_ == "PROPN":
            stop += 1
        return stop if stop > end + 2 else end
    if prep.lower_ == "to" and _names_by_purpose(doc, start, end, voc):
        # 'Group of Governmental Experts' + 'to further consider nuclear disarmament verification issues'
        stop = end + 1
        while stop < len(doc) and stop - end <= 12 and (doc[stop].is_lower or doc[stop].lower_ == "to"):
            if doc[stop].is_punct or "\n" in doc[stop - 1].whitespace_:
                break
            stop += 1
        while stop > end + 2 and doc[stop - 1].lower_ in voc.function_words:
            stop -= 1
        return stop if stop > end + 2 else end
    if prep.lower_ == "on" and nxt.is_lower and nxt.is_alpha and nxt.pos_ in {"NOUN", "ADJ"}:
        stop = end + 1
        while stop < len(doc) and stop - end <= 7 and doc[stop].is_lower and not doc[stop].is_punct:
            if doc[stop].pos_ in {"VERB", "AUX"} or doc[stop].lower_ in {"to", "that", "which", "who"}:
                break
            stop += 1
        while stop > end + 1 and doc[stop - 1].lower_ in voc.function_words:
            stop -= 1
        return stop
    return end


_LEAD_WORDS = "The|A|An|This|That|These|Those|Its|Our|Their|His|Her|In|At|As|By|For|On|Of|And|With|To|From|Under"


@lru_cache(maxsize=4)
def _body_pattern(voc: Vocab) -> re.Pattern[str]:
    heads = "|".join(sorted((re.escape(h) for h in voc.org_heads & voc.coref_heads), key=len, reverse=True))
    cap = r"[A-Z][\w’']*(?:-[\w’']+)*"
    sp = r"(?:[ \t]+|[ \t]*\n[ \t]*)"  # a name may wrap onto the next line, not past a blank line
    link = rf"(?:(?:of|for|on|in){sp}(?:the{sp})?|and{sp}(?!the\b))"
    return re.compile(
        rf"(?<![\w\-])(?:{cap}{sp}(?:and{sp}(?={cap}))?){{0,5}}(?:{heads}){sp}(?:on|for|of){sp}(?:the{sp})?{cap}"
        rf"(?:{sp}{link}?{cap})*"
    )


def _names_by_purpose(doc: Doc, start: int, end: int, voc: Vocab) -> bool:
    """'the report of the Group of Governmental Experts to further consider ...': an expert body
    (head word Group/Panel/Committee ...) named by its mandate. Only when the name is not the
    object of a directive ('Requests the Group ... to report'): it follows 'of the' / 'a' or a noun."""
    if doc[end - 1].text not in voc.coref_heads and not any(t.text in voc.purpose_named_heads for t in doc[start:end]):
        return False
    if not any(t.text in voc.purpose_named_heads for t in doc[start:end]):
        return False
    if end + 1 >= len(doc) or not (doc[end + 1].pos_ == "VERB" or doc[end + 1].pos_ == "ADV"):
        return False
    i = start - 1
    if i >= 0 and doc[i].lower_ in {"the", "a", "an"}:
        i -= 1
    return i >= 0 and (doc[i].lower_ == "of" or doc[i].pos_ == "NOUN")
