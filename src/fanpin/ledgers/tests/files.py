"""Real .xlsx files for the tests, written with xlsxwriter as a user's spreadsheet would be."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from pathlib import Path

import xlsxwriter
from python_calamine import CalamineWorkbook


def write_xlsx(path: Path, headers: Sequence[str], rows: Iterable[Sequence]) -> Path:
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = book.add_worksheet("台账")
    ws.write_row(0, 0, list(headers))
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str):
                ws.write_string(r, c, value)
            else:
                ws.write(r, c, value)
    book.close()
    return path


def read_xlsx(content: bytes, sheet: int = 0) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(sheet).to_python()


def upload(*, actor, slug: str, path: Path):
    """Upload and run the check job, as the demo server's worker does; returns the batch."""
    from fanpin.core.jobs import job_run_now
    from fanpin.ledgers.framework.definition import get_ledger
    from fanpin.ledgers.framework.services import ledger_import_upload

    batch = ledger_import_upload(actor=actor, ledger=get_ledger(slug), source=path, file_name=path.name)
    job_run_now(batch.job)
    batch.refresh_from_db()
    return batch


def commit(*, actor, batch):
    """Confirm and run the write job; returns the finished job (failed when nothing was written)."""
    from fanpin.core.jobs import job_run_now
    from fanpin.ledgers.framework.services import ledger_import_commit

    job = job_run_now(ledger_import_commit(actor=actor, batch=batch))
    batch.refresh_from_db()
    return job


def import_file(*, actor, slug: str, path: Path):
    """Upload → review → commit, as the pages do; returns (batch, counts)."""
    batch = upload(actor=actor, slug=slug, path=path)
    assert batch.error_count == 0, list(batch.issues.values_list("row", "column", "message")[:10])
    job = commit(actor=actor, batch=batch)
    assert job.status == "succeeded", job.error
    return batch, batch.counts
