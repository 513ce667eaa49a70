"""The in-memory parts of a result, handed from the analysis to the writers (not in the JSON).

:class:`JudgedSignal`, what the analysis judged for one signal (``Group.evidence``), and
:class:`Tracks`, the per-frame series behind a video analysis (``Analysis.tracks``). Both are
held by the result model (:mod:`tremorscope.results`) as private attributes and are gone from an
analysis read back from JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tremorscope.measurement import MotionDataset
    from tremorscope.results import RegionKey


@dataclass
class JudgedSignal:
    """What the analysis judged for one signal, handed to the report (not part of the JSON).

    The report draws these numbers and computes none: a figure cannot disagree with the finding
    it illustrates. Every list holds one array per piece of the record the analysis used (split
    at shot cuts and at gaps longer than ``max_gap_s``; pieces shorter than the least analysable
    length left out).

    Attributes
    ----------
    time_s : list of ndarray
        Sample times of each piece on the analysis' uniform grid, seconds.
    series : list of ndarray, each (n, channels)
        The signal as analysed, before the high-pass (unit of the group).
    movement : list of ndarray
        Size of the band-limited movement per sample: what twitches are detected on.
    rhythm : list of ndarray, optional
        The rhythm band-limited around its frequency and projected on its main direction;
        None when no rhythm stood out.
    rhythm_band_hz : (float, float), optional
        The pass band of ``rhythm``.
    freqs, power, background : ndarray
        The Welch spectrum (Hz; power summed over channels, unit^2/Hz) and its fitted
        aperiodic background.
    threshold : float
        Ratio over the background that noise alone passes with the configured false-alarm
        chance.
    band_hz : (float, float)
        The analysed band.

    """

    time_s: list[np.ndarray]
    series: list[np.ndarray]
    movement: list[np.ndarray]
    rhythm: list[np.ndarray] | None
    rhythm_band_hz: tuple[float, float] | None
    freqs: np.ndarray
    power: np.ndarray
    background: np.ndarray
    threshold: float
    band_hz: tuple[float, float]


@dataclass
class Tracks:
    """The series behind a video analysis: where each region is, frame by frame.

    Attributes
    ----------
    dataset : MotionDataset
        What the video pass measured, in the layout of the ``movement`` toolbox (see
        :mod:`tremorscope.measurement`): region centres (``position``), displacements, validity,
        boxes, the camera's shift, with time in seconds from the container
        (``dataset.to_xarray()`` for an ``xarray.Dataset``).
    keys : list of RegionKey
        The regions, in the order of ``Analysis.groups``.

    """

    dataset: MotionDataset
    keys: list[RegionKey]

    @property
    def time_s(self) -> np.ndarray:
        """Frame times from the container, seconds."""
        return self.dataset["time"]

    @property
    def names(self) -> list[str]:
        """Region names as in ``Analysis.groups`` (``person1.left_foot``, ``region.cup``)."""
        return [key.name for key in self.keys]

    @property
    def camera(self) -> np.ndarray:
        """The camera's shift at the frame centre, ``(n_frames, 2)`` px, NaN where unmeasured."""
        return self.dataset["camera_shift"]

    def position_of(self, key: RegionKey) -> np.ndarray:
        """Centre of one region per frame, ``(n_frames, 2)`` px, NaN where not measured."""
        return self.dataset.region(key)["position"]

    @property
    def position(self) -> np.ndarray:
        """Centres of every region, ``(n_frames, n_regions, 2)`` px, in the order of ``keys``."""
        if not self.keys:
            return np.zeros((len(self.time_s), 0, 2))
        return np.stack([self.position_of(key) for key in self.keys], axis=1)
