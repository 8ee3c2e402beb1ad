"""Languages services offer: ISO 639 codes with English and Spanish names.

Codes are ISO 639-1 where one exists (``es``) and ISO 639-3 otherwise (``mix``
Mixtec, ``zap`` Zapotec, ``tsz`` Purépecha). Indigenous languages of Mexico and
Guatemala are listed because the sample county's families speak them; the names are
the ones families and liaisons use.
"""

from __future__ import annotations

from functools import cache

from matcher.core.text import fold

# code: (English name, Spanish name, extra names people type)
LANGUAGES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "en": ("English", "inglés", ("ingles",)),
    "es": ("Spanish", "español", ("castellano", "spanish speaking", "hispanohablante")),
    "mix": ("Mixteco", "mixteco", ("mixtec", "mixteca", "tu'un savi")),
    "zap": ("Zapoteco", "zapoteco", ("zapotec",)),
    "tsz": ("Purépecha", "purépecha", ("purepecha", "tarasco", "tarascan")),
    "trc": ("Triqui", "triqui", ("trique", "copala triqui")),
    "nah": ("Náhuatl", "náhuatl", ("nahuatl",)),
    "quc": ("K'iche'", "quiché", ("kiche", "quiche")),
    "mam": ("Mam", "mam", ()),
    "vi": ("Vietnamese", "vietnamita", ()),
    "tl": ("Tagalog", "tagalo", ("filipino",)),
    "zh": ("Chinese", "chino", ("mandarin", "cantonese", "mandarín", "cantonés")),
    "ko": ("Korean", "coreano", ()),
    "ar": ("Arabic", "árabe", ()),
    "fa": ("Persian", "persa", ("farsi",)),
    "hy": ("Armenian", "armenio", ()),
    "ru": ("Russian", "ruso", ()),
    "hi": ("Hindi", "hindi", ()),
    "pa": ("Punjabi", "punyabí", ()),
    "ja": ("Japanese", "japonés", ()),
    "pt": ("Portuguese", "portugués", ()),
    "fr": ("French", "francés", ()),
    "it": ("Italian", "italiano", ()),
    "de": ("German", "alemán", ()),
    "ur": ("Urdu", "urdu", ()),
    "ase": ("American Sign Language", "lengua de señas americana", ("asl", "sign language")),
}

INDIGENOUS = frozenset({"mix", "zap", "tsz", "trc", "nah", "quc", "mam"})


def name(code: str, locale: str = "en") -> str:
    """Display name of a language code in ``locale``; unknown codes are returned as given."""
    entry = LANGUAGES.get((code or "").lower())
    if entry is None:
        return code
    return entry[1] if locale == "es" else entry[0]


def all_names(code: str) -> list[str]:
    """Every name of a language (English, Spanish, variants): for the search index."""
    entry = LANGUAGES.get(code.lower())
    if entry is None:
        return [code]
    return [entry[0], entry[1], *entry[2]]


@cache
def _by_name() -> dict[str, str]:
    names: dict[str, str] = {}
    for code, (en, es, extra) in LANGUAGES.items():
        for n in (code, en, es, *extra):
            names[fold(n)] = code
    return names


def code_for(text: str | None) -> str | None:
    """The code for a language name or code in any case or accent form, else None.

    Handles forms found in real data such as "Chinese (Mandarin)".
    """
    if not text:
        return None
    key = fold(text).strip()
    names = _by_name()
    if key in names:
        return names[key]
    head = key.split("(")[0].strip()
    return names.get(head)


def is_known(code: str) -> bool:
    return code.lower() in LANGUAGES
