"""Presenting results: terminal summary, JSON and CSV export, the HTML report, annotated video.

The writers that need matplotlib or xarray are imported on first use, so a run that only
prints or writes JSON does not pay for loading them.
"""

from typing import Any

from tremorscope.report.terminal import print_analysis

#: Public names of the writers imported on first use, by the module that defines them.
_EXPORT = (
    "tracks_dataset",
    "write_json",
    "write_schema",
    "write_tracks_csv",
    "write_tracks_netcdf",
    "write_windows_csv",
)

__all__ = [
    "print_analysis",
    *_EXPORT,
    "write_annotated_video",
    "write_html_report",
    "write_outputs",
]


def __getattr__(name: str) -> Any:
    if name in _EXPORT:
        from tremorscope.report import export

        return getattr(export, name)
    if name == "write_html_report":
        from tremorscope.report.html import write_html_report

        return write_html_report
    if name == "write_annotated_video":
        from tremorscope.report.annotated import write_annotated_video

        return write_annotated_video
    if name == "write_outputs":
        from tremorscope.report.outputs import write_outputs

        return write_outputs
    raise AttributeError(f"module 'tremorscope.report' has no attribute {name!r}")
