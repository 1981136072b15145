"""Commitments, decisions, requests, calls, recommendations and action points.

Each document grammar has its own module, all working on the parsed Doc and the actor and
date spans the earlier components left on it:

* ``resolution``: operative paragraphs ("Decides", "Requests X to") and their lettered
  sub-items; preambular paragraphs are never rows;
* ``declaration``: "We commit to / We will / We intend to" and lists of actions under a lead-in;
* ``minutes``: action and decision lines, action sections, tagged items, Action/Owner/Due tables;
* ``speech``: first-person undertakings of the speaker's country or body;
* ``addressee``: calls with an addressee in any genre ("urges X to", "calls upon X to");
* ``clauses``: subject-led statements from dependency patterns ("X will ...", "X is requested to").

``actor`` decides who acts (the addressee of a request, the speaker's body for "we"), ``action``
what is to be done and by when; ``component`` runs the grammars per clause segment and keeps
one row per undertaking. Cue words and patterns are data in ``models/commitments/``.
"""

from pipeline.extract.commitments.component import CommitmentFinder, find_commitments, make_commitments

__all__ = ["CommitmentFinder", "find_commitments", "make_commitments"]
