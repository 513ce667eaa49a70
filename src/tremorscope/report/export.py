"""Machine-readable outputs: the JSON contract, its JSON Schema, per-window and per-frame CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from tremorscope.results import Analysis, json_schema

if TYPE_CHECKING:
    import xarray as xr

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


def write_tracks_csv(analysis: Analysis, path: str | Path) -> Path:
    """Write a video's per-frame region positions as CSV (pixels, camera motion removed).

    Columns: ``time_s``, then ``NAME_x, NAME_y`` for every region (``person1.head_x`` ...), then
    ``camera_x, camera_y`` (the camera's own shift at the frame centre). Empty where a region was
    not measured.

    Raises
    ------
    ValueError
        When the analysis holds no tracks (a sensor analysis, or one read back from JSON).

    """
    tracks = analysis.require_tracks()
    path = Path(path)
    header = ["time_s"]
    for name in tracks.names:
        header += [f"{name}_x", f"{name}_y"]
    header += ["camera_x", "camera_y"]
    table = np.column_stack(
        [tracks.time_s, tracks.position.reshape(len(tracks.time_s), -1), tracks.camera]
    )
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in table:
            writer.writerow(["" if not np.isfinite(v) else f"{v:.4f}" for v in row])
    return path


def tracks_dataset(analysis: Analysis) -> xr.Dataset:
    """A video's measurement as a dataset in the layout of the ``movement`` toolbox.

    The video pass's own dataset (see :mod:`tremorscope.measurement`): ``position`` has
    dimensions ``(time, space, keypoints, individuals)``: individuals are the people
    (``person1`` ...) and, when regions were given, ``regions``; keypoints are the body parts
    (or region names); positions are region centres in pixels, NaN where not measured; with
    ``displacement``, per-sample ``valid``, ``stretch_start``, ``region_box``, ``camera_shift`` and
    ``camera_zoom``. ``confidence`` (time, keypoints, individuals) is NaN, as ``movement``
    expects it: tracking gives no per-frame score.

    Raises
    ------
    ValueError
        When the analysis holds no tracks.

    """
    tracks = analysis.require_tracks()
    ds = tracks.dataset.to_xarray()
    src = analysis.source
    out = ds.assign(confidence=ds["valid"].where(False).astype(float))
    out.attrs = {
        **ds.attrs,
        "source_software": f"tremorscope {analysis.tool.version}",
        "source_file": src.path,
        "fps": float(src.fps or 0.0),
    }
    return out


def write_tracks_netcdf(analysis: Analysis, path: str | Path) -> Path:
    """Write :func:`tracks_dataset` as NetCDF (readable by ``xarray`` and ``movement``)."""
    path = Path(path)
    tracks_dataset(analysis).to_netcdf(path, engine="scipy")
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
