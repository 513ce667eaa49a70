"""Presenting results: terminal summary, JSON and CSV export, the HTML report, annotated video.

The writers that need matplotlib or xarray are imported on first use, so a run that only
prints or writes JSON does not pay for loading them.
"""

from importlib import import_module
from typing import Any

from tremorscope.report.terminal import print_analysis

#: Public name to the module that defines it.
_LAZY = {
    "tracks_dataset": "export",
    "write_json": "export",
    "write_schema": "export",
    "write_tracks_csv": "export",
    "write_tracks_netcdf": "export",
    "write_windows_csv": "export",
    "write_html_report": "html",
    "write_annotated_video": "annotated",
    "write_outputs": "outputs",
}

__all__ = ["print_analysis", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"tremorscope.report.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'tremorscope.report' has no attribute {name!r}")
