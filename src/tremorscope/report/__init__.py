"""Presenting results: terminal summary, JSON and CSV export. Never computes a metric."""

from tremorscope.report.export import (
    tracks_dataset,
    write_json,
    write_schema,
    write_tracks_csv,
    write_tracks_netcdf,
    write_windows_csv,
)
from tremorscope.report.terminal import print_analysis

__all__ = [
    "print_analysis",
    "tracks_dataset",
    "write_json",
    "write_schema",
    "write_tracks_csv",
    "write_tracks_netcdf",
    "write_windows_csv",
]
