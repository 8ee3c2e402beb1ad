"""The Spanish catalog is complete, and no template text escapes translation."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

from matcher.config import PROJECT_ROOT
from matcher.web.i18n import compile_catalogs

PO_FILE = PROJECT_ROOT / "matcher" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
TEMPLATES = PROJECT_ROOT / "templates"

JINJA = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)
TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
ENTITY = re.compile(r"&[a-z]+;|&#\d+;")
# Text that needs no translation: brand names, symbols, numbers, language names
# shown in their own language on the switch.
ALLOWED = {"Enlace", "English", "Español", "·", "—", "–", "/", "|", ":", "×", "→", "←"}


def _catalog():
    with PO_FILE.open("rb") as handle:
        return read_po(handle)


def test_every_catalog_entry_is_translated_and_none_is_fuzzy():
    untranslated, fuzzy = [], []
    for message in _catalog():
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert untranslated == [], f"untranslated: {untranslated}"
    assert fuzzy == [], f"fuzzy: {fuzzy}"


def test_placeholders_survive_translation():
    for message in _catalog():
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(re.findall(r"%\(\w+\)[sd]", ids[-1]))
        for text in strings:
            assert set(re.findall(r"%\(\w+\)[sd]", text)) <= wanted | set(
                re.findall(r"%\(\w+\)[sd]", ids[0])
            ), message.id


def test_catalogs_compile(tmp_path):
    assert compile_catalogs(PO_FILE.parents[2])


# Attributes people read (or hear from a screen reader) must be translated too.
READ_ATTRIBUTES = re.compile(r'\b(?:alt|title|aria-label|placeholder)="([^"]*)"')


def _loose_text(template: Path) -> list[str]:
    source = template.read_text(encoding="utf-8")
    without_jinja = JINJA.sub(" ", source)
    text = ENTITY.sub(" ", TAGS.sub(" ", without_jinja))
    loose = [
        chunk.strip()
        for chunk in text.split("\n")
        if re.search(r"[A-Za-zÁÉÍÓÚÑáéíóúñ]{2,}", chunk) and chunk.strip() not in ALLOWED
    ]
    loose += [
        value
        for value in READ_ATTRIBUTES.findall(without_jinja)
        if re.search(r"[A-Za-z]{2,}", value)
    ]
    return loose


def test_no_template_text_is_left_outside_gettext():
    offenders = {
        str(path.relative_to(TEMPLATES)): found
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (found := _loose_text(path))
    }
    assert offenders == {}


def test_the_template_checker_catches_loose_text(tmp_path):
    template = tmp_path / "t.html"
    template.write_text(
        '<p>{{ _("Fine") }}</p>\n<p>Hello there</p>\n<img alt="A photo" src="x">\n'
        '<a aria-label="{{ _("Ok") }}">{{ name }}</a>\n',
        encoding="utf-8",
    )
    assert _loose_text(template) == ["Hello there", "A photo"]


def test_every_string_in_the_code_and_templates_is_in_the_catalog():
    """A string added to a view or template without updating the catalog would show in
    English on the Spanish page (run scripts/update_translations.sh, then translate)."""
    from babel.messages.extract import extract_from_dir

    method_map = [("matcher/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None,
                "lazy_gettext": None}
    in_code = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        PROJECT_ROOT, method_map, options, keywords=keywords
    ):
        in_code.add(message if isinstance(message, str) else message[0])
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalog() if m.id}
    assert sorted(in_code - in_catalog) == []
