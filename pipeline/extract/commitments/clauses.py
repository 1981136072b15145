"""Subject-led statements from the dependency patterns: "X will ...", "X is requested to ..."."""

from __future__ import annotations

from typing import Any

from spacy.tokens import Span, Token

from pipeline.extract.commitments.action import action_text
from pipeline.extract.commitments.actor import NOBODY, Actors
from pipeline.extract.commitments.lexicon import lexicon


def ready_to(verb: Token) -> Token:
    """'X should be ready/able/prepared to V': the act is V."""
    if verb.lemma_ != "be":
        return verb
    for adj in verb.children:
        if adj.dep_ == "acomp" and adj.lemma_.lower() in lexicon()["readiness_adjectives"]:
            for child in adj.children:
                if child.dep_ == "xcomp" and child.pos_ in {"VERB", "AUX"}:
                    return child
    return verb


def skip_action(verb: Token) -> bool:
    """Copulas, reporting verbs and negated verbs are not undertakings."""
    lex = lexicon()
    lemma = verb.lemma_.lower()
    if lemma == "be" or lemma in lex["skip_actions"] and not any(c.dep_ in {"dobj", "xcomp"} for c in verb.children):
        return True
    subject = next((c for c in verb.children if c.dep_ == "nsubj"), None)
    if subject is not None and subject.lower_ == "i" and lemma in lex["discourse_actions"]:
        return True  # 'I will focus on ...', 'I must reiterate ...': the speech's own structure
    return any(c.dep_ == "neg" or c.lower_ in {"never", "no longer"} for c in verb.children)


def states_a_view(verb: Token) -> bool:
    """'We must admit that ...', 'we have to recognize that ...': an acknowledgement verb with a
    that-clause states a view; with an object ('recognize the rights of') it can still undertake."""
    if verb.lemma_.lower() not in lexicon()["acknowledgement_verbs"]:
        return False
    return any(c.dep_ == "ccomp" for c in verb.children) or any(
        c.dep_ == "dobj" and c.lower_ == "mind" for c in verb.children
    )


def reflects(verb: Token) -> bool:
    """'We must ponder those questions', 'we should ask ourselves': thinking, not acting."""
    lemma = verb.lemma_.lower()
    if lemma == "ask":
        selves = {"ourselves", "myself", "themselves"}
        return any(c.dep_ in {"dobj", "dative"} and c.lower_ in selves for c in verb.children)
    return lemma in lexicon()["reflection_verbs"]


def befalls(verb: Token) -> bool:
    """'We will continue to suffer / see / face ...': what happens to the subject, not an act."""
    if verb.lemma_.lower() != "continue":
        return False
    return any(c.dep_ == "xcomp" and c.lemma_.lower() in lexicon()["experience_verbs"] for c in verb.children)


def in_belief(verb: Token) -> bool:
    """Inside 'I hope/believe/am confident that ...' or an if/as/when clause: not an undertaking."""
    lex = lexicon()
    tok = verb
    while tok.dep_ in {"conj", "xcomp"} and tok.head != tok:
        tok = tok.head
    if tok.dep_ == "advcl" and any(c.dep_ == "mark" for c in tok.children):
        return True
    if tok.dep_ in {"ccomp", "relcl", "acl", "advcl", "pcomp"}:
        head = tok.head
        return head.lemma_.lower() in lex["belief_verbs"] or tok.dep_ != "ccomp"
    return False


def from_match(m: dict[str, Any], seg: Span, actors: Actors, last: dict[str, Any] | None) -> dict | None:
    """Turn one DependencyMatcher hit into a candidate record, or None if no one acts."""
    lex = lexicon()
    pid = m["pid"]
    action: Token = m["action"]
    cue: Token = m.get("cue", action)
    kind = "commitment"
    who: list[dict[str, Any]] = []
    if pid in {"passive_addressee"}:
        kind = lex["addressee_verbs"].get(cue.lemma_.lower(), "request")
        who = actors.of_subject(m["actor"], seg)
    elif pid == "subject_decides":
        if action.i < cue.i:
            return None
        if cue.tag_ == "VBD" and cue.lemma_.lower() == "decide" and action.dep_ == "xcomp":
            if seg.doc.user_data.get("doc_type") == "speech":
                return None  # 'this year the Assembly decided to designate ...': a speech reports a past act
        kind = {**lex["decision_verbs"], **lex["commit_verbs"]}.get(cue.lemma_.lower(), "commitment")
        who = actors.of_subject(m["actor"], seg)
    elif pid == "modal_active":
        action = ready_to(action)
        if skip_action(action) or in_belief(action):
            return None
        if action.lemma_.lower() in lex["descriptive_actions"]:
            return None
        if cue.lower_ in lex["minutes_modals"] and seg.doc.user_data.get("doc_type") != "meeting_summary":
            return None  # reported speech in minutes ('the secretariat would circulate'); elsewhere hypothetical
        if cue.lower_ in {"would", "should"} and action.lemma_.lower() in {"like", "love", "wish", "want", "prefer"}:
            return None  # 'I would like to / I should like to reaffirm': a courtesy of speech
        if states_a_view(action) or befalls(action) or reflects(action):
            return None
        kind = lex["modals"].get(cue.lower_, "commitment")
        who = actors.of_subject(m["actor"], seg)
    elif pid == "modal_passive":
        if in_belief(action) or any(c.dep_ == "neg" for c in action.children):
            return None
        kind = lex["modals"].get(cue.lower_, "commitment")
        theme: Token = m["theme"]
        context = [last] if last and theme.lower_ not in NOBODY and theme.pos_ != "PRON" else []
        who = passive_agents(action, theme, actors) or context
        if kind == "commitment" and who:
            kind = "decision"
    elif pid in {"readiness", "wish_for"}:
        verb = m.get("verb")
        done = verb is not None and verb.tag_ == "VBD" and lex["readiness_nouns"].get(cue.lemma_.lower()) == "decision"
        if done or verb is not None and verb.lemma_.lower() in lex["position_verbs"]:
            return None  # 'we took a decision to' (done), 'we welcome the commitment to' (a position)
        kind = lex["readiness_nouns"].get(cue.lemma_.lower(), "request")
        if kind == "request":
            who = [actors.record(s) for s in actors.over(t.i for t in action.subtree)]
            verbs = [t for t in seg if t.dep_ in {"conj", "advcl", "xcomp"} and t.head.i > cue.i and t.pos_ == "VERB"]
            action = verbs[0] if verbs else action
        else:
            who = actors.of_subject(m["actor"], seg)
    elif pid == "importance":
        kind = lex["importance_nouns"].get(cue.lemma_.lower(), "recommendation")
        subj = [c for c in action.children if c.dep_ in {"nsubj", "nsubjpass"}]
        who = actors.of_subject(subj[0], seg) if subj else []
    elif pid in {"expletive", "expletive_passive"}:
        if action.lemma_.lower() in lex["expletive_skip_actions"] or any(c.lower_ == "so" for c in action.children):
            return None
        kind = lex["expletive_adjectives"].get(cue.lower_, "recommendation")
        who = [actors.author] if actors.author else []
    elif pid == "agreement":
        kind = lex["agreement_nouns"].get(cue.lemma_.lower(), "decision")
        spans = actors.over(t.i for t in cue.subtree)
        who = [actors.record(spans[0])] if spans else ([actors.author] if actors.author else [])
        verbs = [t for t in cue.subtree if t.pos_ == "VERB" and t.i > cue.i]
        if not verbs:
            return None
        action = verbs[0]
    elif pid == "minutes_to":
        kind = "action_point"
        who = actors.of_subject(m["actor"], seg)
    who = [w for w in who if w]
    if not who:
        return None
    start = min(t.i for t in (m.get("actor", action), cue, action) if isinstance(t, Token))
    text, end = action_text(action, seg.end)
    return {"source": "pattern", "kind": kind, "who": who, "action": text, "start": start, "end": end, "verb": action.i}


def passive_agents(action: Token, theme: Token, actors: Actors) -> list[dict[str, Any]]:
    """Who acts in a passive: the by-agent of the verb or of its own sub-clauses, or an
    actor that owns the theme ("Network support should be ...")."""
    heads = [action, *(c for c in action.children if c.dep_ in {"advcl", "xcomp", "conj"})]
    heads += [c for c in theme.children if c.dep_ in {"acl", "relcl"}]
    for head in heads:
        for child in head.children:
            if child.dep_ == "agent":
                spans = actors.over(t.i for t in child.subtree)
                if spans:
                    return [actors.record(s) for s in spans]
    owners = [t for c in theme.children if c.dep_ in {"compound", "poss"} for t in c.subtree]
    owners += [theme] if theme.pos_ == "PROPN" else []
    return [actors.record(s) for s in actors.over(t.i for t in owners)]
