"""Machine-readable outputs: the JSON contract, its JSON Schema, per-window CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tremorscope.results import Analysis, json_schema

WINDOW_COLUMNS = ("group", "t_start", "t_end", "peak_hz", "rhythm_rms", "present", "twitches")


def write_json(analysis: Analysis, path: str | Path) -> Path:
    """Write the analysis as JSON (the versioned contract)."""
    path = Path(path)
    path.write_text(analysis.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


def write_schema(path: str | Path) -> Path:
    """Write the JSON Schema of the analysis result."""
    path = Path(path)
    path.write_text(json.dumps(json_schema(), indent=2) + "\n", encoding="utf-8")
    return path


def write_windows_csv(analysis: Analysis, path: str | Path) -> Path:
    """Write the per-window series of every group as one CSV (one row per group and window)."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(WINDOW_COLUMNS)
        for group in analysis.groups:
            for row in group.windows:
                writer.writerow(
                    [
                        group.name,
                        row.t_start,
                        row.t_end,
                        "" if row.peak_hz is None else row.peak_hz,
                        "" if row.rhythm_rms is None else row.rhythm_rms,
                        row.present,
                        row.twitches,
                    ]
                )
    return path
