"""Spanish verb families: one infinitive in concepts.tsv stands for every form people type.

"golpear~" in a word list means golpeo, golpea, golpeó, golpearon, golpeaba, golpeando,
golpeado, golpearla, golpeándolo... (folded, so accents are gone). Stem changes are
written after the tilde: ``aventar~ie`` (avienta), ``colgar~ue`` (cuelga), ``seguir~i``
(sigue). Spelling changes before e (-car → qu, -gar → gu, -zar → c) and before a/o
(-guir → g) follow the rules of the language. Irregular verbs are listed word by word.
"""

from __future__ import annotations

CLITICS = ("me", "te", "se", "lo", "la", "le", "nos", "los", "las", "les")

_PERSON = {  # present indicative and subjunctive endings: (1s, 2s, 3s, 1p, 3p)
    "ar": (("o", "as", "a", "amos", "an"), ("e", "es", "e", "emos", "en")),
    "er": (("o", "es", "e", "emos", "en"), ("a", "as", "a", "amos", "an")),
    "ir": (("o", "es", "e", "imos", "en"), ("a", "as", "a", "amos", "an")),
}
_PRETERITE = {"ar": ("e", "aste", "o", "amos", "aron"),
              "er": ("i", "iste", "io", "imos", "ieron"),
              "ir": ("i", "iste", "io", "imos", "ieron")}
_IMPERFECT = {"ar": ("aba", "abas", "abamos", "aban"), "er": ("ia", "ias", "iamos", "ian"),
              "ir": ("ia", "ias", "iamos", "ian")}
_PAST_SUBJ = {"ar": ("ara", "aras", "aramos", "aran"),
              "er": ("iera", "ieras", "ieramos", "ieran"),
              "ir": ("iera", "ieras", "ieramos", "ieran")}
_FUTURE = ("e", "as", "a", "emos", "an", "ia", "ias", "iamos", "ian")
_STRESSED = (0, 1, 2, 4)  # persons whose stem vowel is stressed in the present


def _spell(stem: str, ending: str) -> str:
    """Join stem and ending, keeping the sound: toc+e -> toque, peg+e -> pegue."""
    if ending[:1] in ("e", "i"):
        if stem.endswith("c"):
            return stem[:-1] + "qu" + ending
        if stem.endswith("g") and not stem.endswith("gu"):
            return stem + "u" + ending
        if stem.endswith("z"):
            return stem[:-1] + "c" + ending
    if ending[:1] in ("a", "o") and stem.endswith("gu"):
        return stem[:-1] + ending
    return stem + ending


def _changed(stem: str, change: str) -> str:
    """Apply a stem change to the last matching vowel: avent -> avient, colg -> cuelg."""
    vowel = {"ie": "e", "ue": "o", "i": "e"}[change]
    k = stem.rfind(vowel)
    return stem if k < 0 else stem[:k] + change + stem[k + 1:]


def conjugate(spec: str) -> set[str]:
    """Every folded form of ``spec`` ('golpear', 'aventar~ie'), with clitics attached."""
    inf, _, change = spec.partition("~")
    group, stem = inf[-2:], inf[:-2]
    if group not in _PERSON:
        raise ValueError(f"not a Spanish infinitive: {inf!r}")
    present, subjunctive = _PERSON[group]
    forms = {inf}
    weak = _changed(stem, "i") if change == "i" else stem  # pidió, pidiendo
    for person, (ind, subj) in enumerate(zip(present, subjunctive, strict=True)):
        s = _changed(stem, change) if change and person in _STRESSED else stem
        forms.add(_spell(s, ind))
        forms.add(_spell(s if person in _STRESSED or group != "ir" else weak, subj))
    for person, end in enumerate(_PRETERITE[group]):
        forms.add(_spell(weak if person == 2 and group == "ir" else stem, end))
    forms.add(_spell(weak if group == "ir" else stem, "ieron" if group != "ar" else "aron"))
    forms.update(_spell(stem, e) for e in _IMPERFECT[group])
    forms.update(_spell(weak if group == "ir" else stem, e) for e in _PAST_SUBJ[group])
    forms.update(inf + e for e in _FUTURE)
    gerund = _spell(weak if group == "ir" else stem, "ando" if group == "ar" else "iendo")
    participle = stem + ("ado" if group == "ar" else "ido")
    forms.update({gerund, participle, participle[:-1] + "a", participle + "s",
                  participle[:-1] + "as"})
    forms.update(base + c for base in (inf, gerund) for c in CLITICS)
    return forms


def clitic_of(word: str) -> str | None:
    """The object clitic glued to an infinitive or gerund ('golpearla' -> 'la'), or None."""
    for c in sorted(CLITICS, key=len, reverse=True):
        if word.endswith(c) and word[: -len(c)].endswith(("ar", "er", "ir", "ando", "iendo")):
            return c
    return None
