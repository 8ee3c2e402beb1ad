"""Crisis awareness: does what a parent said mean someone may be in danger now?

Rules combine concept families from data/concepts.tsv (word families, Spanish verbs in
every form) with the roles of a sentence (sentence.py: who does what to whom), in any
word order the language allows, with negative contexts ("matar hormigas", "a dead
battery", "me muero de hambre", "an overdose of homework"). Harm to oneself lives in
crisis_self.py, harm by someone else in crisis_harm.py and crisis_acts.py, a night
without shelter in crisis_home.py.
Crisis phrases of data/phrases.tsv also count. A missed crisis is the worse error, so
ambiguous but plausible wordings fire (docs/crisis-lines.md, "Judgement calls").

Urgency order when several kinds fire (most urgent first): a life at risk in minutes
(overdose: someone unresponsive now comes before the wish to die), then suicide, then
a child being hurt (a mandated report, even when burns or cuts are named), then violence
by a partner, sexual assault, and a night without shelter.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.situations.crisis_acts import detect_acts
from matcher.situations.crisis_harm import NEG, detect_harm
from matcher.situations.crisis_home import detect_homeless
from matcher.situations.crisis_self import attempted, detect_self
from matcher.situations.phrasematch import crisis_phrase_hits
from matcher.situations.sentence import Sent, Tok, tokenize

URGENCY = ("overdose", "suicide", "child_abuse", "domestic_violence", "sexual_assault",
           "homeless_tonight")

__all__ = ["URGENCY", "Crisis", "Tok", "detect_crises", "detect_crisis", "detect_in_tokens",
           "tokenize"]


@dataclass(frozen=True)
class Crisis:
    kind: str
    evidence: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"kind": self.kind, "evidence": list(self.evidence)}


# Harm by someone else is denied by a negation inside its phrase ("no me pega").
_HARM_KINDS = {"domestic_violence", "child_abuse", "sexual_assault"}
# Negative contexts that veto a crisis phrase of the lexicon, per kind.
_PHRASE_VETO = {
    "suicide": ("die_block", "kill_block", "cut_block"),
    "sexual_assault": ("rape_block",),
    "domestic_violence": ("harm_block", "dv_block", "topic_block"),
    "child_abuse": ("child_block",),
    "overdose": ("od_metaphor",),
}


def _planned(s: Sent, first: int) -> bool:
    """'wants to / is going to overdose' (not 'overdosed', 'tried to overdose')."""
    return not s.word(first).endswith(("ed", "ing", "sis", "d")) and any(
        s.has(k, "want") or s.has(k, "intent") for k in range(max(0, first - 3), first)
    ) and not attempted(s, first)


def detect_crises(text: str) -> list[Crisis]:
    """Every crisis kind the text suggests, most urgent first, with evidence spans."""
    return detect_in_tokens(tokenize(text)) if text else []


_ABOUT = {"about", "sobre", "acerca"}
_PLACE_AFTER = {"theater", "theatre", "theaters", "store", "night", "room", "club"}


def _topic_start(s: Sent) -> int | None:
    """Where a topic begins: 'a movie about a girl who runs away', 'learn about overdoses',
    'una plática sobre la violencia': what follows is talked about, not lived."""
    for j, tk in enumerate(s.t):
        if tk.norm in _ABOUT and (s.near(j, "topic_block", -4, -1) or s.near(j, "learn", -3, -1)):
            return j
        if "fiction" in tk.cs and s.word(j - 1) in {"the", "la", "el", "una", "a"} and s.word(
                j - 2) in {"in", "en", "from", "de"} and s.word(j + 1) not in _PLACE_AFTER:
            return 0  # "... in the movie", "en la novela": all of it is fiction
    return None


def detect_in_tokens(toks: list[Tok]) -> list[Crisis]:
    """detect_crises on an already tokenised text (understand() shares its tokens). A topic
    ('a documentary about overdoses') is read only for the word suicide, which always
    shows 988 (docs/crisis-lines.md)."""
    s = Sent(toks)
    start = _topic_start(s)
    if start is None:
        return _detect(s)
    found = _detect(Sent(toks[:start]))
    tail = [tk for tk in toks[start:] if "suicide" in tk.cs]
    if tail and not any(c.kind == "suicide" for c in found):
        found.append(Crisis("suicide", (tail[0].word,)))
    return [c for k in URGENCY for c in found if c.kind == k]


def _detect(s: Sent) -> list[Crisis]:
    found: dict[str, list[str]] = {}

    def hits(kind: str, evidence: str) -> None:
        ev = found.setdefault(kind, [])
        if evidence and evidence not in ev:
            ev.append(evidence)

    detect_self(s, hits)
    detect_homeless(s, hits)
    detect_harm(s, hits)
    detect_acts(s, hits)
    for kind, first, last, ev in crisis_phrase_hits(s.t):
        # a phrase hit is vetoed by negative context ("me violaron mis derechos")
        blocks = _PHRASE_VETO.get(kind, ())
        negated = kind in _HARM_KINDS and (any(
            s.word(k) in NEG for k in range(max(0, first - 1), last + 1))
            or s.word(last + 1) == "out")  # "kicked me out" is not a blow
        if kind == "overdose" and _planned(s, first):
            continue  # "going to overdose on purpose tonight": the plan is read as suicide
        if not negated and not any(c in blocks for k in range(max(0, first - 2),
                                                              min(s.n, last + 4))
                                   for c in s.t[k].cs):
            hits(kind, ev)
    return [Crisis(k, tuple(found[k])) for k in URGENCY if k in found]


def detect_crisis(text: str) -> Crisis | None:
    """The most urgent crisis the text suggests, or None."""
    found = detect_crises(text)
    return found[0] if found else None
