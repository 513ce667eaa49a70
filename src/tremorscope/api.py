"""The Python API: ``analyze_signal`` for sensor recordings."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tremorscope.analysis import analyze_uniform, choose_dominant
from tremorscope.analysis.signature import CONTEXTS
from tremorscope.config import AnalysisConfig
from tremorscope.errors import InputError
from tremorscope.results import Analysis, Source
from tremorscope.signals import Recording, load_recording, to_uniform
from tremorscope.signals.loaders import group_channels, infer_kind_and_unit


def analyze_signal(
    source: str | Path | np.ndarray,
    *,
    rate_hz: float | None = None,
    time_s: np.ndarray | None = None,
    channels: list[str] | None = None,
    names: list[str] | None = None,
    time_unit: str | None = None,
    context: str = "unknown",
    unit: str | None = None,
    config: AnalysisConfig | None = None,
) -> Analysis:
    """Analyse a movement signal: rhythmic tremor, twitches, signature, quality.

    Parameters
    ----------
    source : str, Path or ndarray
        A CSV/JSON file (see :func:`tremorscope.signals.load_recording`), or samples as an array
        of shape ``(n_samples,)`` or ``(n_samples, n_channels)``.
    rate_hz : float, optional
        Sampling rate, for a file without a time column or an array without ``time_s``.
    time_s : ndarray, optional
        Sample times in seconds, for an array.
    channels : list of str, optional
        Vectors or columns to analyse (file input).
    names : list of str, optional
        Channel names for an array (e.g. ``["acc_x", "acc_y", "acc_z"]``); they are grouped into
        vectors as file columns are.
    time_unit : str, optional
        Unit of a file's time column, overriding detection.
    context : str
        ``rest``, ``postural``, ``kinetic``, ``standing`` or ``unknown``.
    unit : str, optional
        Unit of the values, overriding what is inferred.
    config : AnalysisConfig, optional
        Analysis settings.

    Returns
    -------
    Analysis
        The typed result; ``.model_dump_json()`` gives the JSON contract.

    Raises
    ------
    InputError
        When the input cannot be analysed; its message names the file and the problem.

    """
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {', '.join(CONTEXTS)}")
    config = config or AnalysisConfig()
    if isinstance(source, np.ndarray):
        recording = _recording_from_array(source, rate_hz, time_s, names)
    else:
        recording = load_recording(source, rate_hz=rate_hz, channels=channels, time_unit=time_unit)
    groups = []
    duration = float(recording.time_s[-1] - recording.time_s[0])
    rate = None
    for group in recording.groups:
        if unit is not None:
            group.unit = unit
        uniform = to_uniform(group, recording.time_s, config.max_gap_s)
        rate = rate or uniform.rate_hz
        groups.append(analyze_uniform(uniform, config, context))
    measurable = [g for g in groups if "not_measurable" not in g.finding.quality.flags]
    if not measurable:
        reasons = "; ".join(sorted({m for g in groups for m in g.finding.quality.messages}))
        raise InputError(recording.path, f"nothing measurable ({reasons})")
    best = choose_dominant(measurable)
    source_model = Source(
        path=recording.path,
        kind="signal",
        duration_s=round(duration, 4),
        sample_rate_hz=None if rate is None else round(rate, 4),
        n_samples=len(recording.time_s),
        time_source=recording.time_source,
        notes=recording.notes,
    )
    return Analysis(
        source=source_model,
        groups=groups,
        dominant=best.finding if best else None,
        dominant_group=best.name if best else None,
    )


def _recording_from_array(
    values: np.ndarray, rate_hz: float | None, time_s: np.ndarray | None, names: list[str] | None
) -> Recording:
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    if time_s is None:
        if rate_hz is None or rate_hz <= 0:
            raise InputError("<array>", "give rate_hz or time_s with an array")
        time_s = np.arange(len(values)) / rate_hz
    time_s = np.asarray(time_s, dtype=float)
    if len(time_s) != len(values) or len(values) < 2:
        raise InputError("<array>", "time and values differ in length or hold under two samples")
    if np.any(np.diff(time_s) < 0):
        raise InputError("<array>", "time goes backwards")
    if names is None:
        width = values.shape[1]
        names = (
            [f"signal_{'xyz'[i]}" for i in range(width)]
            if width <= 3
            else [f"col{i + 1}" for i in range(width)]
        )
    if len(names) != values.shape[1]:
        raise InputError("<array>", f"{len(names)} names for {values.shape[1]} channels")
    groups = group_channels(names, [values[:, j] for j in range(values.shape[1])])
    for group in groups:
        group.kind, group.unit = infer_kind_and_unit(group)
    return Recording("<array>", time_s - time_s[0], groups, "given", [])
