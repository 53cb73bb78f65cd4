"""The county map: every current county of Shanxi that has a shape is on it exactly once, and the
alias table is the only place renamed and merged counties are resolved."""

from __future__ import annotations

import csv
import json

import pytest

from fanpin.divisions.models import Division
from fanpin.reports.geo import GEO_DIR, county_shapes, feature_collection

pytestmark = pytest.mark.django_db

DEVELOPMENT_ZONES = {"140171", "140271", "140671", "140971"}  # no boundary in the source (see SOURCE.md)


def test_every_county_has_exactly_one_shape_except_the_development_zones():
    county_shapes.cache_clear()
    shapes = county_shapes()
    counties = set(Division.objects.filter(level=3, code__startswith="14").values_list("code", flat=True))
    assert len(counties) == 121
    assert set(shapes) == counties - DEVELOPMENT_ZONES
    for code, shape in shapes.items():
        assert shape["city"] == code[:4]
        assert shape["name"] == Division.objects.get(code=code).name


def test_merged_counties_are_one_feature_with_both_old_shapes():
    aliases = list(csv.DictReader(open(GEO_DIR / "aliases.csv", encoding="utf-8")))
    merged = [r for r in aliases if r["county_code"] == "140213"]  # 平城区 = 大同 城区 + 矿区
    assert {r["shape_name"] for r in merged} == {"城区", "矿区"}
    with open(GEO_DIR / "shan1_xi1_da4_tong2.geojson", encoding="utf-8") as f:
        source = json.load(f)["features"]
    old = sum(
        1 if f["geometry"]["type"] == "Polygon" else len(f["geometry"]["coordinates"])
        for f in source
        if f["properties"]["name"] in ("城区", "矿区")
    )
    features = feature_collection("1402")["features"]
    pingcheng = [f for f in features if f["properties"]["name"] == "140213"]
    assert len(pingcheng) == 1 and pingcheng[0]["properties"]["cname"] == "平城区"
    assert len(pingcheng[0]["geometry"]["coordinates"]) == old
    assert {f["properties"]["cname"] for f in features} >= {"云冈区", "云州区"}  # renamed, not guessed


def test_map_of_a_county_area_is_that_county():
    assert [f["properties"]["name"] for f in feature_collection("140321201")["features"]] == ["140321"]
    assert len(feature_collection("14")["features"]) == 117


def test_user_guide_lists_every_indicator():
    from pathlib import Path

    from fanpin.reports.indicators import INDICATORS

    guide = (Path(__file__).resolve().parents[4] / "docs" / "reports.md").read_text(encoding="utf-8")
    for d in INDICATORS.values():
        name = d.name.removeprefix("风险：")
        assert name in guide, f"docs/reports.md does not mention {d.name}"
