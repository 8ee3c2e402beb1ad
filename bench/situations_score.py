"""Score crisis detection on every judged set, listing every miss, and time it.

    .venv/bin/python -m bench.situations_score [--quiet]

Sets: tests/data/crisis_phrasings.json (judged, tuned on, plus its small held-out part),
the crisis phrasings and non-crisis queries of tests/data/situation_judgments.json, and
tests/data/crisis_heldout.json and crisis_heldout_round2.json (held out: each scored once
untouched, figures in docs/crisis-lines.md). Detection only, no
search: the figures are the detector's own. Time is crisis detection plus sentence
understanding per query, warm word cache, p50/p95 over all texts repeated 20 times.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from matcher.situations import detect_crises, detect_crisis, understand

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def load_sets() -> dict[str, tuple[list[tuple[str, str]], list[str]]]:
    """name -> (crisis items [text, kind], controls) for every judged set."""
    judged = json.loads((DATA / "crisis_phrasings.json").read_text(encoding="utf-8"))
    situations = json.loads((DATA / "situation_judgments.json").read_text(encoding="utf-8"))
    held = json.loads((DATA / "crisis_heldout.json").read_text(encoding="utf-8"))
    queries = situations["queries"]
    sets = {
        "judged": (judged["crisis"], judged["controls"]),
        "judged_held_out": (judged["held_out"]["crisis"], judged["held_out"]["controls"]),
        "situations": ([(q["q"], q["crisis"]) for q in queries if q["crisis"]],
                       [q["q"] for q in queries if not q["crisis"]]),
        "heldout": (held["crisis"], held["controls"]),
    }
    if "second" in held:
        sets["heldout_second"] = (held["second"]["crisis"], held["second"]["controls"])
    round2 = json.loads((DATA / "crisis_heldout_round2.json").read_text(encoding="utf-8"))
    sets["heldout_round2"] = (round2["crisis"], round2["controls"])
    if "final" in round2:
        sets["heldout_round2_final"] = (round2["final"]["crisis"], round2["final"]["controls"])
    return sets


def score(label: str, items, controls, quiet: bool = False) -> tuple[int, int]:
    """(right, false alarms), printing each miss unless ``quiet``."""
    right = 0
    for text, kind in items:
        found = detect_crisis(text)
        if found and found.kind == kind:
            right += 1
        elif not quiet:
            got = [c.kind for c in detect_crises(text)]
            print(f"  miss [{label}] {text!r}: want {kind}, got {got}")
    alarms = [t for t in controls if detect_crises(t)]
    if not quiet:
        for t in alarms:
            print(f"  false alarm [{label}] {t!r}: {[c.kind for c in detect_crises(t)]}")
    print(f"{label}: {right}/{len(items)} right ({right / max(len(items), 1):.1%}), "
          f"{len(alarms)}/{len(controls)} false alarms")
    return right, len(alarms)


def timing(texts: list[str]) -> None:
    understand("warm up")
    times = []
    for _ in range(20):
        for t in texts:
            a = time.perf_counter()
            understand(t)
            times.append((time.perf_counter() - a) * 1000)
    times.sort()
    print(f"understand() incl. crisis detection, {len(times)} runs: "
          f"p50 {statistics.median(times):.3f} ms, p95 {times[int(len(times) * 0.95)]:.3f} ms, "
          f"max {times[-1]:.3f} ms")


def main() -> None:
    quiet = "--quiet" in sys.argv
    texts = []
    for label, (items, controls) in load_sets().items():
        score(label, items, controls, quiet)
        texts += [t for t, _ in items] + list(controls)
    timing(texts)


if __name__ == "__main__":
    main()
