"""Presenting results: terminal summary, JSON and CSV export, the HTML report."""

from tremorscope.report.annotated import write_annotated_video
from tremorscope.report.export import (
    tracks_dataset,
    write_json,
    write_schema,
    write_tracks_csv,
    write_tracks_netcdf,
    write_windows_csv,
)
from tremorscope.report.html import write_html_report
from tremorscope.report.terminal import print_analysis

__all__ = [
    "print_analysis",
    "tracks_dataset",
    "write_annotated_video",
    "write_html_report",
    "write_json",
    "write_schema",
    "write_tracks_csv",
    "write_tracks_netcdf",
    "write_windows_csv",
]
