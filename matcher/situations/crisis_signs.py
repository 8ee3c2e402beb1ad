"""Warning signs of suicide told without the word: what crisis lines teach to listen for.

One strong sign fires ("a goodbye note", "nothing left to live for", "I'm a burden",
"nobody would miss me"); weaker ones fire together (giving things away, saying goodbye to
everyone, a gun or rope, saving pills, "I'm done", "sorry for everything" and not
answering, a note found). Death said sideways fires with a wish: "se quiere ir con Dios",
"doesn't want to be here anymore", "wants to sleep forever", "hopes he doesn't wake up",
"how many pills it takes to die", "jump in front of a train".
"""

from __future__ import annotations

from matcher.situations.sentence import Sent

DIE_PAST = {"died", "murio", "death", "muerte", "deceased"}


def euphemism(s: Sent, i: int, hits) -> None:
    """Death said sideways, with a wish: 'se quiere ir con Dios', 'wants to go be with God',
    'doesn't want to be here anymore', 'just want to sleep forever', 'wishes she would not
    wake up', 'thinks about not waking up', 'how many tylenol it takes to die'."""
    tk = s.t[i]
    cs = tk.cs
    if s.anywhere("someday") or s.near(i, "infant", -5, -1):
        return  # "wants to go to heaven someday", "la bebé no quiere despertar"
    wish = s.near(i, "want", -7, -1) or s.near(i, "intent", -5, -1)
    if "beyond" in cs and s.word(i - 1) in {"con", "al", "with", "to", "en", "in"} and (
            _goes_to(s, i) and (wish or s.near(i, "want", -9, -1))):
        hits("suicide", s.span(i - 4, i))
    if "here" in cs and s.word(i - 1) in {"be", "estar"} and s.near(i, "want", -4, -1) and (
            s.near(i, "neg", -6, -1)) and (i + 1 >= s.n or s.has(i + 1, "here_next")):
        hits("suicide", s.span(i - 5, i + 1))
    if "sleep" in cs and s.near(i, "forever", 1, 3) and s.near(i, "want", -6, -1) and not (
            s.near(i, "wake_block", 1, 6)):
        hits("suicide", s.span(i - 3, i + 3))
    if "wake" in cs and s.near(i, "neg", -3, -1) and not s.near(i, "wake_block", 1, 4) and (
            s.near(i, "want", -8, -1) or s.near(i, "think", -6, -2) or (
                s.near(i, "hope", -6, -1) and _nothing_after_waking(s, i))):
        hits("suicide", s.span(i - 5, i))
    if "die" in cs and tk.norm not in DIE_PAST and not s.near(i, "die_block", -3, 3) and (
            s.word(i - 1) in {"to", "para"} or s.has(i - 1, "question")) and s.near(
            i, "question", -8, -1):
        hits("suicide", s.span(i - 6, i))  # researching a way to die


_GAP = {"be", "to", "go", "with", "con", "and", "y", "se", "me", "in", "en", "his", "her",
        "my", "su", "sus", "mi", "mis", "the", "el", "la", "al"}


def _goes_to(s: Sent, i: int) -> bool:
    """'se quiere ir con Dios', 'go be with his dad in heaven': a go/be verb before the
    word for heaven with only people between ('ir a la iglesia con Dios' goes to church)."""
    for j in range(i - 1, max(-1, i - 8), -1):
        if s.has(j, "go_be"):
            return True
        if s.word(j) not in _GAP and not s.person(j):
            return False
    return False


def _nothing_after_waking(s: Sent, i: int) -> bool:
    """'hopes he doesn't wake up (tomorrow)', not 'hope he doesn't wake up the baby'."""
    k = i + 2 if s.word(i + 1) in {"up", "se"} else i + 1
    return k >= s.n or s.word(k) in {"tomorrow", "manana", "again", "ever", "anymore", "nunca",
                                     "mas", "ya", "in", "and", "y"}


def in_front_of(s: Sent, i: int) -> bool:
    """'wants to jump / throw herself / step in front of a train', 'aventarse enfrente
    del tren'."""
    j = s.find(i, "front", 1, 4)
    if j is None or not s.near(j, "traffic", 1, 5):
        return False
    return s.near(i, "want", -5, -1) or s.near(i, "intent", -5, -1) or s.near(i, "self_en", 1, 2)



def warning_signs(s: Sent, hits) -> None:
    """The signs crisis lines teach: one strong sign, or two weaker ones together."""
    weak: dict[str, int] = {}
    for i, tk in enumerate(s.t):
        cs = tk.cs
        if "farewell" in cs:
            if s.near(i, "note", -3, 3):
                hits("suicide", s.span(i - 1, i + 1))
            else:  # a goodbye with another sign ("a selfie with a rope captioned goodbye")
                weak.setdefault("farewell", i)
        if "give_away" in cs and (s.word(i + 1) == "away" or s.near(i, "belongings", 1, 4)):
            weak.setdefault("giving", i)
        if "means" in cs and not s.near(i, "means_block", -3, 3):
            weak.setdefault("means", i)
        if "note" in cs and (s.near(i, "found", -10, -1) or s.word(i - 1) in {"left", "dejo"}):
            weak.setdefault("note", i)  # a note found or left, with another sign
        if tk.norm in {"sorry", "perdon", "perdonen", "perdoname", "disculpen"} and s.word(
                i + 1) in {"for", "por"} and s.word(i + 2) in {"everything", "todo"}:
            weak.setdefault("apology", i)  # "sorry for everything": a last message
        if tk.norm in {"answer", "answering", "contesta", "responde", "picking"} and (
                s.near(i, "neg", -3, -1)) and not s.near(i, "question", -3, 3):
            weak.setdefault("unreachable", i)
        if "hoard" in cs and s.near(i, "substance", 1, 3):
            weak.setdefault("means", i)
        go_on = tk.norm == "on" and s.word(i - 1) in {"go", "going", "carry", "keep"}
        if ("live" in cs or go_on) and s.near(i, "hopeless", -5, -1) and not s.near(
                i, "live_block", 1, 2):
            hits("suicide", s.span(i - 4, i + 1))
        if "world" in cs and s.near(i, "neg", -6, -1) and s.near(i, "want", -5, -1):
            hits("suicide", s.span(i - 4, i))
        if "burden" in cs and s.near(i, "burden_me", -3, -1):
            hits("suicide", s.span(i - 2, i))
        if tk.norm in {"nobody", "nadie"} and s.near(i, "miss", 1, 4):
            hits("suicide", s.span(i, i + 3))
        if tk.norm in {"better", "mejor"} and s.near(i, "gone", 1, 6) and s.near(i, "would", -4, 6):
            hits("suicide", s.span(i, i + 5))
        if tk.norm in {"happier", "easier", "felices", "tranquilos"} and s.near(
                i, "would", -4, -1) and s.word(i + 1) in {"without", "sin"} and s.word(
                i + 2) in {"me", "him", "her", "mi", "el", "ella"}:
            hits("suicide", s.span(i - 3, i + 2))  # "everyone would be happier without him"
        if "sleep" in cs and s.near(i, "want", -6, -1):
            j = s.find(i, "wake", 1, 5)
            if j is not None and s.near(j, "neg", -3, -1):
                hits("suicide", s.span(i, j))
        if "born" in cs and s.near(i, "neg", -3, -1) and s.near(i, "want", -6, -1):
            hits("suicide", s.span(i - 4, i))
        done = tk.norm == "done" and s.word(i - 1) in {"he", "she", "i'm", "im", "is", "am"}
        if "cant_go_on" in cs and (done or (tk.norm != "done" and s.near(i, "neg", -2, -1))):
            weak.setdefault("hopeless", i)
    if len(weak) >= 2:
        first, last = min(weak.values()), max(weak.values())
        hits("suicide", s.span(first, last))
