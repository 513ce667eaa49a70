"""The folder of outputs an analysis leaves: one layout for the command line, the demo and more.

Every file is written under a temporary name in its own folder and then renamed into place, so
a file with the final name is always complete: a reader (a batch run picking up results, a
browser) never sees half of one, and a run stopped part way leaves the previous file intact.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Collection
from pathlib import Path

from tremorscope.results import Analysis

#: Each output of :func:`write_outputs` and its file name in the folder.
LAYOUT = {
    "json": "analysis.json",
    "windows": "windows.csv",
    "tracks": "tracks.csv",
    "netcdf": "tracks.nc",
    "report": "report.html",
}
#: Outputs that need the per-frame tracks (a video analysis).
NEEDS_TRACKS = ("tracks", "netcdf")


def write_atomically(path: str | Path, write: Callable[[Path], object]) -> Path:
    """Have ``write`` write a file under a temporary name beside ``path``, then rename it.

    Parameters
    ----------
    path : str or Path
        The file to write; replaced (in one step) when it exists.
    write : callable
        Called with the temporary path; writes the whole file there.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    Exception
        Whatever ``write`` raises; the temporary file is then removed and ``path`` untouched.

    """
    path = Path(path)
    # a name no other writer picks; the writer creates the file (so it gets the usual mode)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.part")
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def write_outputs(
    analysis: Analysis,
    folder: str | Path,
    video: str | Path | None = None,
    *,
    prefix: str = "",
    skip: Collection[str] = (),
) -> dict[str, Path]:
    """Write every output of an analysis into a folder (made if missing).

    ``analysis.json`` (the result, see the schema), ``windows.csv`` (per-window series of every
    group), for a video ``tracks.csv`` and ``tracks.nc`` (per-frame region positions, CSV and
    NetCDF), and ``report.html`` (the self-contained report). Each file appears complete or
    not at all (see :func:`write_atomically`).

    Parameters
    ----------
    analysis : Analysis
        Result of :func:`tremorscope.analyze_video` or :func:`tremorscope.analyze_signal`.
        The track files are written only when it holds per-frame tracks.
    folder : str or Path
        Where to write.
    video : str or Path, optional
        The analysed video, for the report's key frames.
    prefix : str
        Put before every file name (e.g. ``"demo_"``).
    skip : collection of str
        Outputs not to write (keys of :data:`LAYOUT`, e.g. ``{"report"}``).

    Returns
    -------
    dict
        Output (a key of :data:`LAYOUT`) to the path written, in the order written.

    """
    from tremorscope.report.export import (
        write_json,
        write_tracks_csv,
        write_tracks_netcdf,
        write_windows_csv,
    )
    from tremorscope.report.html import write_html_report

    writers: dict[str, Callable[[Path], object]] = {
        "json": lambda p: write_json(analysis, p),
        "windows": lambda p: write_windows_csv(analysis, p),
        "tracks": lambda p: write_tracks_csv(analysis, p),
        "netcdf": lambda p: write_tracks_netcdf(analysis, p),
        "report": lambda p: write_html_report(analysis, p, video=video),
    }
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for kind, name in LAYOUT.items():
        if kind in skip or (kind in NEEDS_TRACKS and analysis.tracks is None):
            continue
        written[kind] = write_atomically(folder / f"{prefix}{name}", writers[kind])
    return written
