"""Understanding what a family says: crisis awareness, needs, facts (pure Python).

Public interface: ``detect_crisis``, ``detect_crises``, ``understand``, ``lines_for``,
``message`` and the dataclasses ``Crisis``, ``Need``, ``Understanding``, ``Line``.
"""

from matcher.situations.crisis import URGENCY, Crisis, detect_crises, detect_crisis
from matcher.situations.lexicon import CRISIS_KINDS, LexiconError
from matcher.situations.lexicon import filler as filler_words
from matcher.situations.lines import Line, lines_for, message
from matcher.situations.understand import Need, Understanding, understand

__all__ = [
    "CRISIS_KINDS", "URGENCY", "Crisis", "LexiconError", "Line", "Need", "Understanding",
    "detect_crises", "detect_crisis", "filler_words", "lines_for", "message", "understand",
]
