"""The Shanxi county map: the bundled city shapes, renamed and merged counties resolved by the explicit
alias table (data/geo/aliases.csv), every feature named by its current county code.

Built once per process and area (province or city) and served as a cached file (`map_bytes`)."""

from __future__ import annotations

import csv
import gzip
import json
from functools import lru_cache
from pathlib import Path

from fanpin.core.errors import ApplicationError

GEO_DIR = Path(__file__).parent / "data" / "geo"


def _csv(name: str) -> list[dict[str, str]]:
    with open(GEO_DIR / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _round(coords, places: int = 4):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], places), round(coords[1], places)]
    return [_round(c, places) for c in coords]


def _polygons(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    raise ApplicationError(f"地图数据中有不支持的几何类型“{geometry['type']}”。")


@lru_cache(maxsize=1)
def county_shapes() -> dict[str, dict]:
    """{county code: {"name", "city", "polygons"}} for every county that has a shape.

    A shape whose name is in the alias table goes to the code the table gives (two shapes merged into
    one county become one multipolygon); any other shape must match a county of the same city by name."""
    from fanpin.divisions.models import Division

    aliases = {(r["city_code"], r["shape_name"]): r["county_code"] for r in _csv("aliases.csv")}
    shapes: dict[str, dict] = {}
    for row in _csv("cities.csv"):
        city = row["city_code"]
        counties = dict(Division.objects.filter(parent_id=city, level=3).values_list("name", "code"))
        names = {code: name for name, code in counties.items()}
        with open(GEO_DIR / row["file"], encoding="utf-8") as f:
            data = json.load(f)
        for feature in data["features"]:
            shape_name = feature["properties"]["name"]
            code = aliases.get((city, shape_name)) or counties.get(shape_name)
            if code is None:
                raise ApplicationError(
                    f"地图文件 {row['file']} 中的“{shape_name}”对应不到{row['city_name']}的现行县级区划："
                    "请在 reports/data/geo/aliases.csv 中补充对照。"
                )
            entry = shapes.setdefault(
                code, {"name": names.get(code, shape_name), "city": city, "polygons": []}
            )
            entry["polygons"].extend(_round(p) for p in _polygons(feature["geometry"]))
    return shapes


def feature_collection(area_code: str) -> dict:
    """The counties of the province ("14") or of one city, as GeoJSON named by county code; for a county
    or any node below it, the shape of that county."""
    area_code = area_code[:6]
    features = [
        {
            "type": "Feature",
            "properties": {"name": code, "cname": s["name"], "city": s["city"]},
            "geometry": {"type": "MultiPolygon", "coordinates": s["polygons"]},
        }
        for code, s in sorted(county_shapes().items())
        if code.startswith(area_code)
    ]
    return {"type": "FeatureCollection", "features": features}


@lru_cache(maxsize=16)
def map_bytes(area_code: str) -> tuple[bytes, bytes]:
    """(JSON, gzip of it) for `area_code` (cut to its county), built once per process."""
    body = json.dumps(feature_collection(area_code), ensure_ascii=False, separators=(",", ":")).encode()
    return body, gzip.compress(body, 6)
