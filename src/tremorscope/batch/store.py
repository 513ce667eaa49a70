"""The batch's output folder: results placed whole, what is current, batch.json, summary.csv.

A result folder is written beside its final place under a hidden name and renamed into place in
one step, with ``input.json`` inside it saying what it was made from (the input's size and
modification time, the options, the tool's version). A batch killed at any moment therefore
leaves whole results or none; on the next run, a result whose ``input.json`` matches the input
as it is now is kept, and everything else is analysed again.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
import shutil
from pathlib import Path

from tremorscope import __version__
from tremorscope.batch.inputs import BatchInput
from tremorscope.batch.job import SUMMARY_COLUMNS, JobResult
from tremorscope.report.outputs import write_atomically

#: What a result folder records about the input it was made from.
FINGERPRINT = "input.json"
#: The batch's own records in the output folder.
BATCH_JSON = "batch.json"
SUMMARY_CSV = "summary.csv"
#: Where result folders are assembled before they are renamed into place.
STAGING = ".tremorscope-staging"


def fingerprint(item: BatchInput, skip: tuple[str, ...]) -> dict[str, object]:
    """What makes a stored result current: the input as it is now, the options, the version.

    Parameters
    ----------
    item : BatchInput
        The input.
    skip : tuple of str
        Outputs left out.

    Returns
    -------
    dict
        ``path``, ``size`` (bytes), ``mtime_ns``, ``options``, ``skip``, ``version``.

    """
    stat = item.path.stat()
    return {
        "path": str(item.path),
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "options": item.options(),
        "skip": sorted(skip),
        "version": __version__,
    }


def result_folder(out: Path, item: BatchInput) -> Path:
    """The input's result folder under ``out``."""
    return out.joinpath(*item.result.split("/"))


def stored_result(out: Path, item: BatchInput, skip: tuple[str, ...]) -> dict | None:
    """The record of a complete, current result of ``item`` in ``out``, or None.

    Current: made from a file of the same size and modification time, with the same options
    and by the same version. A failed input has no current result (it is tried again).
    """
    path = result_folder(out, item) / FINGERPRINT
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    try:
        now = fingerprint(item, skip)
    except OSError:
        return None
    if record.get("input") != now or record.get("status") != "done":
        return None
    return record


def place_result(out: Path, item: BatchInput, job: JobResult, print_: dict) -> Path:
    """Put a job's files in the input's result folder in one step (replacing an older one).

    Parameters
    ----------
    out : Path
        The output folder.
    item : BatchInput
        The input.
    job : JobResult
        What the worker made.
    print_ : dict
        The input's fingerprint, taken before the job started (see :func:`fingerprint`).

    Returns
    -------
    Path
        The result folder.

    """
    final = result_folder(out, item)
    staging = out / STAGING / secrets.token_hex(8)
    staging.mkdir(parents=True)
    for name, content in job.files.items():
        (staging / name).write_bytes(content)
    record = {
        "input": print_,
        "status": job.status,
        "message": job.message,
        "worker": job.worker,
        "analysis_s": job.analysis_s,
        "total_s": job.total_s,
        "rows": job.rows,
    }
    (staging / FINGERPRINT).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    final.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if final.exists():
        old = out / STAGING / f"old-{secrets.token_hex(8)}"
        os.replace(final, old)
    os.replace(staging, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return final


def clear_staging(out: Path) -> None:
    """Remove what a batch killed part way left half assembled."""
    shutil.rmtree(out / STAGING, ignore_errors=True)


def write_batch_json(out: Path, record: dict) -> Path:
    """Write ``batch.json`` (atomically: a reader never sees half of it)."""

    def write(path: Path) -> None:
        path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")

    return write_atomically(out / BATCH_JSON, write)


def write_summary(out: Path, rows: list[dict[str, object]]) -> Path:
    """Write ``summary.csv``: one row per input x person x body part, a row per failed input."""

    def write(path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, SUMMARY_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: _cell(row.get(k)) for k in SUMMARY_COLUMNS})

    return write_atomically(out / SUMMARY_CSV, write)


def _cell(value: object) -> object:
    return "" if value is None else value
