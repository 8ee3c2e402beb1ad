"""Time crisis detection + sentence understanding per query (p50/p95/max, ms).

    .venv/bin/python -m bench.understanding
Uses the judged phrasings and controls of tests/data/crisis_phrasings.json plus need
sentences; compiles once first (first-use cost reported apart).
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

from matcher.situations import understand
from matcher.situations.spelling import correct

SENTENCES = [
    "my 9 year old has toothaches and we lost our Medi-Cal",
    "the motel kicks us out friday and we have no place to go",
    "ocupo lonche para mis niños", "necesito chamba", "necesito help con la renta",
    "mi hijo de 14 años tiene ansiedad y no quiere ir a la escuela", "food pantry",
]


def main() -> None:
    data = json.loads((Path(__file__).resolve().parents[1] / "tests" / "data"
                       / "crisis_phrasings.json").read_text(encoding="utf-8"))
    texts = [t for t, _ in data["crisis"]] + data["controls"] + SENTENCES
    t0 = time.perf_counter()
    understand("warm up")
    first = (time.perf_counter() - t0) * 1000
    times = []
    for _ in range(20):
        for t in texts:
            a = time.perf_counter()
            understand(t + " ")  # defeat nothing: understand() has no per-text cache
            times.append((time.perf_counter() - a) * 1000)
    cold = []
    for _ in range(5):
        for t in texts:
            correct.cache_clear()  # every word new to the spelling cache
            a = time.perf_counter()
            understand(t)
            cold.append((time.perf_counter() - a) * 1000)
    print(f"first use (load+compile): {first:.1f} ms")
    for name, ts in (("warm word cache", times), ("cold word cache", cold)):
        ts.sort()
        print(f"{name}, {len(ts)} queries: p50 {statistics.median(ts):.3f} ms, "
              f"p95 {ts[int(len(ts) * 0.95)]:.3f} ms, max {ts[-1]:.3f} ms")


if __name__ == "__main__":
    main()
