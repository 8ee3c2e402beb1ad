"""Match the reviewed phrases of data/phrases.tsv against a token list.

A phrase matches its words in order with at most ``MAX_GAP`` other words between two of
its words ("no tenemos a donde ir" matches "no tenemos donde ir"); each next word is the
first one in reach that fits. Phrases are kept in a trie of their words, built once, so
phrases that start alike ("no tenemos donde vivir", "no tenemos donde dormir", ... a few
thousand once alternatives are expanded) are walked together, not one by one.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from matcher.situations.lexicon import Phrase, phrases

MAX_GAP = 2


@dataclass
class _Node:
    """Phrases ending here, and the next words: literal, ``pre*`` prefix, ``@concept``."""

    ends: list[tuple[int, Phrase]] = field(default_factory=list)  # (order, phrase)
    lit: dict[str, _Node] = field(default_factory=dict)
    pre: dict[str, _Node] = field(default_factory=dict)
    con: dict[str, _Node] = field(default_factory=dict)

    def child(self, pat: str) -> _Node:
        if pat.startswith("@"):
            return self.con.setdefault(pat[1:], _Node())
        if pat.endswith("*"):
            return self.pre.setdefault(pat[:-1], _Node())
        return self.lit.setdefault(pat, _Node())

    def next(self, tok) -> list[_Node]:
        """The children a token fits, literal first (the order phrases were matched in)."""
        out = []
        if (node := self.lit.get(tok.norm)) is not None:
            out.append(node)
        if tok.word != tok.norm and (node := self.lit.get(tok.word)) is not None:
            out.append(node)
        out += [node for c, node in self.con.items() if c in tok.cs]
        out += [node for p, node in self.pre.items()
                if tok.norm.startswith(p) or tok.word.startswith(p)]
        return out


def _first_rank(phrase: Phrase) -> int:
    first = phrase.pattern[0]
    return 1 if first.startswith("@") else 2 if first.endswith("*") else 0


@functools.cache
def _tries() -> tuple[_Node, _Node]:
    """(every phrase, crisis phrases only), each phrase with its order for ties."""
    everything, crisis = _Node(), _Node()
    for n, phrase in enumerate(phrases()):
        order = (_first_rank(phrase), n)
        for root in (everything, crisis) if phrase.crisis else (everything,):
            node = root
            for pat in phrase.pattern:
                node = node.child(pat)
            node.ends.append((order, phrase))
    return everything, crisis


def _walk(root: _Node, toks: Sequence, lang: str | None):
    found = []
    for i, tok in enumerate(toks):
        stack = [(node, (i,)) for node in root.next(tok)]
        while stack:
            node, used = stack.pop()
            found += [(order, phrase, used) for order, phrase in node.ends
                      if not lang or phrase.lang in (lang, "any")]
            if not (node.lit or node.pre or node.con):
                continue
            # each next word: the first token in reach that fits it
            seen: set[int] = set()
            for k in range(used[-1] + 1, min(len(toks), used[-1] + 2 + MAX_GAP)):
                for child in node.next(toks[k]):
                    if id(child) not in seen:
                        seen.add(id(child))
                        stack.append((child, (*used, k)))
    found.sort(key=lambda f: (f[2][0], -len(f[1].pattern), f[0]))
    return [(phrase, used) for _order, phrase, used in found]


def match_all(toks: Sequence, lang: str | None = None) -> list[tuple[Phrase, tuple[int, ...]]]:
    """(phrase, token indices it used) for every phrase found, longest first per start."""
    return _walk(_tries()[0], toks, lang)


def crisis_phrase_hits(toks: Sequence) -> list[tuple[str, int, int, str]]:
    """(kind, first index, last index, matched words) for each crisis phrase found."""
    return [(p.crisis, used[0], used[-1], " ".join(toks[k].word for k in used))
            for p, used in _walk(_tries()[1], toks, None)]
