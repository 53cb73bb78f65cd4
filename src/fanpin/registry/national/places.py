"""Resolve the national export's place names (县, 乡, 村) to village codes, within an area."""

from __future__ import annotations

from collections import defaultdict

from fanpin.divisions.choices import Level
from fanpin.divisions.models import Division
from fanpin.registry.national.columns import village_display_name


class PlaceIndex:
    def __init__(self, area_code: str):
        """area_code: only villages under this division are known ('' = everywhere)."""
        qs = Division.objects.filter(level__gte=Level.COUNTY)
        if area_code:
            qs = qs.filter(code__startswith=area_code[:6] if len(area_code) > 6 else area_code)
        names = dict(qs.values_list("code", "name"))
        self.index: dict[tuple[str, str, str], list[str]] = defaultdict(list)
        self.area_code = area_code
        for code, name in names.items():
            if len(code) != 12 or not code.startswith(area_code):
                continue
            county, township = names.get(code[:6]), names.get(code[:9])
            if county is None or township is None:
                continue
            self.index[(county, township, village_display_name(name))].append(code)
            if village_display_name(name) != name:
                self.index[(county, township, name)].append(code)
        self.display = {
            code: (names.get(code[:6], ""), names.get(code[:9], ""), village_display_name(name))
            for code, name in names.items()
            if len(code) == 12 and code.startswith(area_code)
        }

    def resolve(self, county: str, township: str, village: str) -> tuple[str | None, str | None]:
        """(village code, None) or (None, reason in Chinese)."""
        found = self.index.get((county, township, village)) or self.index.get(
            (county, township, village_display_name(village))
        )
        if not found:
            return None, f"在您的管辖范围内找不到“{county}{township}{village}”，请核对县、乡、村名称"
        unique = sorted(set(found))
        if len(unique) > 1:
            return None, (
                f"“{county}{township}{village}”在多个市都有（{'、'.join(unique)}），请在导入时选择所属的市或县"
            )
        return unique[0], None

    def names(self, village_code: str) -> tuple[str, str, str]:
        return self.display.get(village_code, ("", "", ""))
