"""Score crisis detection on the judged and held-out sets, listing every miss.

    .venv/bin/python -m bench.situations_score
"""

from __future__ import annotations

import json
from pathlib import Path

from matcher.situations import detect_crises, detect_crisis


def _score(label: str, items, controls) -> None:
    right = 0
    for text, kind in items:
        found = detect_crisis(text)
        if found and found.kind == kind:
            right += 1
        else:
            got = [c.kind for c in detect_crises(text)]
            print(f"  miss [{label}] {text!r}: want {kind}, got {got}")
    alarms = [t for t in controls if detect_crises(t)]
    for t in alarms:
        print(f"  false alarm [{label}] {t!r}: {[c.kind for c in detect_crises(t)]}")
    print(f"{label}: {right}/{len(items)} right, {len(alarms)}/{len(controls)} false alarms")


def main() -> None:
    data = json.loads((Path(__file__).resolve().parents[1] / "tests" / "data"
                       / "crisis_phrasings.json").read_text(encoding="utf-8"))
    _score("judged", data["crisis"], data["controls"])
    _score("held_out", data["held_out"]["crisis"], data["held_out"]["controls"])


if __name__ == "__main__":
    main()
