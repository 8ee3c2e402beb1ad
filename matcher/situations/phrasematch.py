"""Match the reviewed phrases of data/phrases.tsv against a token list.

A phrase matches its words in order with at most ``MAX_GAP`` other words between two of
its words ("no tenemos a donde ir" matches "no tenemos donde ir"). Phrases are indexed by
their first token once, so a query only tries phrases that can start at each word.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from matcher.situations.lexicon import Phrase, phrases

MAX_GAP = 2


def _tok_match(pat: str, tok) -> bool:
    if pat.startswith("@"):
        return pat[1:] in tok.cs
    if pat.endswith("*"):
        return tok.norm.startswith(pat[:-1]) or tok.word.startswith(pat[:-1])
    return tok.norm == pat or tok.word == pat


@functools.cache
def _index():
    lit: dict[str, list[Phrase]] = {}
    pre: list[tuple[str, Phrase]] = []
    con: dict[str, list[Phrase]] = {}
    for p in phrases():
        first = p.pattern[0]
        if first.startswith("@"):
            con.setdefault(first[1:], []).append(p)
        elif first.endswith("*"):
            pre.append((first[:-1], p))
        else:
            lit.setdefault(first, []).append(p)
    return lit, tuple(pre), con


def _starting(tok) -> list[Phrase]:
    lit, pre, con = _index()
    out = list(lit.get(tok.norm, ()))
    if tok.word != tok.norm:
        out += lit.get(tok.word, ())
    for c in tok.cs:
        out += con.get(c, ())
    out += [p for prefix, p in pre if tok.norm.startswith(prefix)]
    return out


def match_all(toks: Sequence, lang: str | None = None) -> list[tuple[Phrase, tuple[int, ...]]]:
    """(phrase, token indices it used) for every phrase found, longest first per start."""
    found = []
    for i, tok in enumerate(toks):
        for p in _starting(tok):
            if lang and p.lang not in (lang, "any"):
                continue
            used = [i]
            j = i
            for pat in p.pattern[1:]:
                for k in range(j + 1, min(len(toks), j + 2 + MAX_GAP)):
                    if _tok_match(pat, toks[k]):
                        used.append(k)
                        j = k
                        break
                else:
                    break
            else:
                found.append((p, tuple(used)))
    found.sort(key=lambda pu: (pu[1][0], -len(pu[0].pattern)))
    return found


def crisis_phrase_hits(toks: Sequence) -> list[tuple[str, int, int, str]]:
    """(kind, first index, last index, matched words) for each crisis phrase found."""
    return [(p.crisis, used[0], used[-1], " ".join(toks[k].word for k in used))
            for p, used in match_all(toks) if p.crisis]
