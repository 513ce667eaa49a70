"""Plain containers for recordings before and after resampling."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Physical kinds of movement signal the analysis knows how to read.
KINDS = ("acceleration", "angular_velocity", "position", "unknown")


@dataclass
class SignalGroup:
    """One vector signal: channels that belong together (``acc_x, acc_y, acc_z``).

    Attributes
    ----------
    name : str
        Vector name, e.g. ``acc`` or ``marker4``.
    channels : list of str
        Column names, in order.
    values : ndarray, shape (n_samples, n_channels)
        Samples; NaN where a value is missing.
    kind : str
        One of :data:`KINDS`.
    unit : str
        Unit of the values, or ``"input units"`` when it cannot be known.

    """

    name: str
    channels: list[str]
    values: np.ndarray
    kind: str = "unknown"
    unit: str = "input units"


@dataclass
class Recording:
    """A sensor recording as read from a file: times in seconds plus vector groups.

    Attributes
    ----------
    path : str
        Source file.
    time_s : ndarray, shape (n_samples,)
        Sample times in seconds from the first sample (non-decreasing).
    groups : list of SignalGroup
        The vectors found in the file.
    time_source : str
        How the times were obtained, in words (column and detected unit, or a given rate).
    notes : list of str
        Things done to the data while reading it (dropped columns, duplicate times).

    """

    path: str
    time_s: np.ndarray
    groups: list[SignalGroup]
    time_source: str
    notes: list[str] = field(default_factory=list)


@dataclass
class UniformSignal:
    """A vector signal on a uniform time grid, split where data are missing too long.

    Attributes
    ----------
    name, channels, kind, unit : see :class:`SignalGroup`.
    rate_hz : float
        Sampling rate of the grid.
    time_s : ndarray, shape (n,)
        Grid times in seconds.
    values : ndarray, shape (n, n_channels)
        Values on the grid; NaN inside gaps that were too long to bridge.
    segments : list of (int, int)
        Start and stop indices of the contiguous valid stretches.
    bridged_gaps : int
        Number of short gaps filled by linear interpolation.
    bridged_s : float
        Their total duration in seconds.
    resampled : bool
        True when the source sampling was irregular and values were interpolated onto the grid.

    """

    name: str
    channels: list[str]
    kind: str
    unit: str
    rate_hz: float
    time_s: np.ndarray
    values: np.ndarray
    segments: list[tuple[int, int]]
    bridged_gaps: int = 0
    bridged_s: float = 0.0
    resampled: bool = False

    @property
    def valid_duration_s(self) -> float:
        """Total duration of the valid segments, in seconds."""
        return sum(stop - start for start, stop in self.segments) / self.rate_hz
