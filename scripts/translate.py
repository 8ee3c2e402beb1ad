"""Apply reviewed translations to a catalog: scripts/translate.py PO_FILE JSON_FILE.

JSON_FILE maps each msgid to its translation (a [singular, plural] pair for plural
entries). Prints the msgids that are still untranslated.
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po


def main(po_path: str, json_path: str) -> None:
    with open(po_path, "rb") as handle:
        catalog = read_po(handle)
    translations = json.loads(Path(json_path).read_text(encoding="utf-8"))
    missing = []
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in translations:
            value = translations[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            message.flags.discard("fuzzy")
        elif not (message.string if isinstance(message.string, str) else all(message.string)):
            missing.append(key)
    with open(po_path, "wb") as handle:
        write_po(handle, catalog, width=100, no_location=True, sort_output=True)
    print("untranslated:", json.dumps(missing, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
