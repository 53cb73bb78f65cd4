"""A progress bar on the terminal for CLI commands: `bar, update = progress_bar("导入")`, then pass
`update(done, total)` as a job's on_progress and `bar.close()` at the end."""

from __future__ import annotations

import sys
from collections.abc import Callable


def progress_bar(desc: str, unit: str = "行"):
    from tqdm import tqdm

    bar = tqdm(total=0, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True)

    def update(done: int, total: int) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    return bar, update


Update = Callable[[int, int], None]
