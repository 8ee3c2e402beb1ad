"""Crisis awareness: does what a parent said mean someone may be in danger now?

Rules combine concept families from data/concepts.tsv (word families, Spanish verbs in
every form) with the roles of a sentence (sentence.py: who does what to whom), in any
word order the language allows, with negative contexts ("matar hormigas", "a dead
battery", "me muero de hambre", "an overdose of homework"). Harm to oneself lives in
crisis_self.py, harm by someone else in crisis_harm.py, a night without shelter here.
Crisis phrases of data/phrases.tsv also count. A missed crisis is the worse error, so
ambiguous but plausible wordings fire (docs/crisis-lines.md, "Judgement calls").

Urgency order when several kinds fire (most urgent first): a life at risk in minutes
(overdose: someone unresponsive now comes before the wish to die), then suicide, then
a child being hurt (a mandated report, even when burns or cuts are named), then violence
by a partner, sexual assault, and a night without shelter.
"""

from __future__ import annotations

from dataclasses import dataclass

from matcher.situations.crisis_harm import NEG, detect_harm
from matcher.situations.crisis_self import detect_self
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


_BEING = {"estamos", "are", "were"}


def _homeless(s: Sent, hits):
    now = s.anywhere("time_now")
    later = s.anywhere("time_future")
    soon_ok = now or not later
    for i, tk in enumerate(s.t):
        cs = tk.cs
        noplace = False
        if tk.norm == "nowhere" or (tk.norm == "sin" and s.word(i + 1) == "techo"):
            noplace = True
        elif "noplace_neg" in cs:
            j = s.find(i, "place", 1, 3)
            if j is not None:
                nxt = s.find(j, "to_sleep", 1, 2)
                to_go = nxt is not None and s.word(nxt + 1) not in {"for", "para", "a"}
                a_place = s.word(j) in {"lugar", "techo", "roof"} and s.near(j, "to_sleep", 1, 3)
                noplace = to_go or a_place
        if "homeless" in cs and now:
            noplace = True
        if tk.norm == "sin" and s.word(i + 1) in {"casa", "hogar", "vivienda"} and now:
            noplace = True
        if tk.norm in {"where", "donde", "adonde"} and s.near(i, "we", 1, 3) and soon_ok:
            j = s.find(i, "to_sleep", 1, 4)
            noplace = noplace or (j is not None and s.word(j) in _SLEEP_TONIGHT)
        if _ran_away(s, i):
            hits("homeless_tonight", s.span(i - 2, i + 3))
        if noplace and soon_ok:
            hits("homeless_tonight", s.span(i, i + 3))
        if "sleep_now" in cs and not s.near(i, "until", 1, 6) and not s.anywhere("leisure"):
            j = s.find(i, "outside", 1, 3)
            if j is not None:
                if tk.norm in _BEING and not s.has(j, "street"):
                    continue
                gerund_outdoors = tk.norm.endswith(("ing", "ndo")) and not s.has(j, "car")
                if "we" in cs or s.near(i, "we", -3, -1) or now or gerund_outdoors:
                    hits("homeless_tonight", s.span(i, j))
        if "evict" in cs and soon_ok and not s.near(i, "evict", -2, -1):
            obj = tk.norm in {"evicted", "eviction", "lockout", "desalojaron", "desalojo"} or (
                s.word(i - 1) in {"nos", "me"} or s.near(i, "we", -4, -1)
                or s.word(i + 1) in {"us", "me"})
            job = s.near(i, "workplace", 1, 3) or s.near(i, "notice", -3, 2)
            if obj and not job and (now or (s.anywhere("noplace_neg") and s.anywhere("place"))):
                hits("homeless_tonight", s.span(i - 2, i + 1))



_SLEEP_TONIGHT = {"sleep", "stay", "dormir", "quedarnos", "quedarme", "pasar", "crash"}


def _ran_away(s: Sent, i: int) -> bool:
    """'my teen ran away from home', 'se fue de la casa', 'se escapó de la casa'."""
    w = s.word(i)
    if s.anywhere("pet"):
        return False  # "the dog ran away from home"
    if w in {"ran", "run", "runs", "running"} and s.word(i + 1) == "away":
        nxt = s.word(i + 2)
        return s.has(i + 3, "home") or (nxt != "from" and s.anywhere("child"))
    if "runaway" in s.t[i].cs and w not in {"runaway", "runaways"}:
        return s.near(i, "home", 1, 4)  # "se escapó de clases" is not a runaway
    if w in {"runaway", "runaways"}:
        return s.anywhere("child")
    if w in {"fue", "salio", "largo"} and s.word(i - 1) == "se":
        return s.word(i + 1) in {"de", "del"} and s.near(i, "home", 2, 4)
    return False


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


def detect_crises(text: str) -> list[Crisis]:
    """Every crisis kind the text suggests, most urgent first, with evidence spans."""
    return detect_in_tokens(tokenize(text)) if text else []


def detect_in_tokens(toks: list[Tok]) -> list[Crisis]:
    """detect_crises on an already tokenised text (understand() shares its tokens)."""
    s = Sent(toks)
    found: dict[str, list[str]] = {}

    def hits(kind: str, evidence: str) -> None:
        ev = found.setdefault(kind, [])
        if evidence and evidence not in ev:
            ev.append(evidence)

    detect_self(s, hits)
    _homeless(s, hits)
    detect_harm(s, hits)
    for kind, first, last, ev in crisis_phrase_hits(s.t):
        # a phrase hit is vetoed by negative context ("me violaron mis derechos")
        blocks = _PHRASE_VETO.get(kind, ())
        negated = kind in _HARM_KINDS and (any(
            s.word(k) in NEG for k in range(max(0, first - 1), last + 1))
            or s.word(last + 1) == "out")  # "kicked me out" is not a blow
        if not negated and not any(c in blocks for k in range(max(0, first - 2),
                                                              min(s.n, last + 4))
                                   for c in s.t[k].cs):
            hits(kind, ev)
    return [Crisis(k, tuple(found[k])) for k in URGENCY if k in found]


def detect_crisis(text: str) -> Crisis | None:
    """The most urgent crisis the text suggests, or None."""
    found = detect_crises(text)
    return found[0] if found else None
