"""Build seed_data/reference/geography/california_counties.json from the U.S. Census
Bureau's cartographic county boundaries (2017, 1:10,000,000), as redistributed in TopoJSON
by the npm package us-atlas 3.0.1 (``counties-10m.json``).

    npm pack us-atlas@3.0.1 && tar xzf us-atlas-3.0.1.tgz
    .venv/bin/python scripts/build_county_outlines.py package/counties-10m.json

Run once by a maintainer; the app only reads the JSON it writes (offline, no npm at run
time). Census boundary files are U.S. government works in the public domain.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = (
    Path(__file__).resolve().parents[1]
    / "seed_data" / "reference" / "geography" / "california_counties.json"
)
STATE_FIPS = "06"
PRECISION = 3  # decimal degrees: about 100 m, plenty for a small map


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute (lon, lat) points of every arc (TopoJSON quantized, delta-encoded)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])  # arcs share their end points
    out: list[list[float]] = []
    for lon, lat in points:
        point = [round(lon, PRECISION), round(lat, PRECISION)]
        if not out or out[-1] != point:
            out.append(point)
    return out


def main(source: str) -> None:
    topology = json.loads(Path(source).read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    counties = {}
    for geometry in topology["objects"]["counties"]["geometries"]:
        fips = str(geometry["id"])
        if not fips.startswith(STATE_FIPS):
            continue
        polygons = (
            [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
        )
        counties[fips] = {
            "name": geometry["properties"]["name"],
            "polygons": [[ring(r, arcs) for r in polygon] for polygon in polygons],
        }
    document = {
        "source": "U.S. Census Bureau, cartographic boundary files 2017, counties 1:10,000,000 "
        "(https://www2.census.gov/geo/tiger/GENZ2017/shp/), via the TopoJSON of the npm "
        "package us-atlas 3.0.1 (counties-10m.json); built by scripts/build_county_outlines.py",
        "licence": "Public domain (U.S. government work)",
        "counties": dict(sorted(counties.items())),
    }
    OUT.write_text(json.dumps(document, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"{len(counties)} counties -> {OUT} ({OUT.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main(sys.argv[1])
