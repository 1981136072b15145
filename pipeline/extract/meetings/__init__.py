"""Meetings, conferences, sessions and other gatherings named in a document.

A meeting is found from its head noun (lexicon in ``models/meetings/lexicon.json``), named
by the noun's own modifiers (``mention``), and placed in time by the nearest date expression
the date component found in the same clause (``context``); ``record`` builds one record per
mention. Mentions of one meeting within a document are merged (``merge``), so each real
gathering yields one span; ``event_keys`` does the same across documents. ``component`` holds
the spaCy component ``un_meetings`` and its factory (registered when this package is imported).
"""

from pipeline.extract.meetings.component import MeetingFinder, find_meetings, make_meetings
from pipeline.extract.meetings.context import ga_session
from pipeline.extract.meetings.event_keys import event_key, same_event
from pipeline.extract.meetings.lexicon import ordinals

__all__ = ["MeetingFinder", "event_key", "find_meetings", "ga_session", "make_meetings", "ordinals", "same_event"]
