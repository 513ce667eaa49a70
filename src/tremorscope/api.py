"""The Python API: ``analyze_signal`` for sensor recordings, ``analyze_video`` for video."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from importlib import import_module
from pathlib import Path
from types import ModuleType

import numpy as np

from tremorscope.config import CONTEXTS, AnalysisConfig
from tremorscope.errors import InputError
from tremorscope.measure import measure_video
from tremorscope.results import Analysis, Source
from tremorscope.signals import Recording, load_recording, to_uniform
from tremorscope.signals.loaders import group_channels, infer_kind_and_unit

#: The analysis (scipy's signal processing takes about a second to import): imported on first
#: use, or for a video in a thread of its own while the video is being measured.
ANALYSIS = "tremorscope.analysis"
VIDEO_ANALYSIS = "tremorscope.analysis.video"


def _import_ahead(name: str) -> Future[ModuleType]:
    """Import a module in a thread of its own; the future gives the module (or the error)."""
    done: Future[ModuleType] = Future()

    def load() -> None:
        try:
            done.set_result(import_module(name))
        except BaseException as exc:  # handed to whoever waits for it
            done.set_exception(exc)

    threading.Thread(target=load, name="tremorscope-import", daemon=True).start()
    return done


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
    analysis = import_module(ANALYSIS)
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
        groups.append(analysis.analyze_uniform(uniform, config, context))
    measurable = [g for g in groups if "not_measurable" not in g.finding.quality.flags]
    if not measurable:
        reasons = "; ".join(sorted({m for g in groups for m in g.finding.quality.messages}))
        raise InputError(recording.path, f"nothing measurable ({reasons})")
    best = analysis.choose_dominant(measurable)
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


def analyze_video(
    path: str | Path,
    *,
    person: int | None = None,
    regions: list[tuple[str, tuple[int, int, int, int]]] | None = None,
    find_people: bool = True,
    context: str = "unknown",
    config: AnalysisConfig | None = None,
    progress: Callable[[int], None] | None = None,
    px_per_cm: float | None = None,
) -> Analysis:
    """Measure involuntary movement of every person's body parts (and given regions) in a video.

    Parameters
    ----------
    path : str or Path
        The video file (any container and codec FFmpeg reads).
    person : int, optional
        Analyse only this person (ids 1, 2, ... by first appearance, left to right).
    regions : list of (str, (x, y, w, h)), optional
        Extra named regions in displayed-frame pixels, for footage without a detectable person
        or for an object.
    find_people : bool
        Look for people with the pose model (off: only ``regions``).
    context : str
        ``rest``, ``postural``, ``kinetic``, ``standing`` or ``unknown``.
    config : AnalysisConfig, optional
        Analysis settings.
    progress : callable, optional
        Called with the number of frames read so far.
    px_per_cm : float, optional
        Pixels per centimetre at the moving body parts, when measured (a ruler in the picture).
        Without it each person's scale is estimated from their shoulder width.

    Returns
    -------
    Analysis
        ``source.kind == "video"``; findings per person and body part in ``people``, per given
        region in ``regions``, the camera's motion in ``camera``; every region is also a group.

    Raises
    ------
    InputError
        When the file is not a readable video, or nothing in it could be measured.

    """
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {', '.join(CONTEXTS)}")
    if person is not None and not find_people:
        raise ValueError("person needs find_people")
    config = config or AnalysisConfig()
    # imported once the first frame is tracked: until then the pose model and the compiled
    # tracker are starting, and every import would hold them up (Python's lock)
    findings: list[Future[ModuleType]] = []

    def progressed(done: int) -> None:
        if not findings:
            findings.append(_import_ahead(VIDEO_ANALYSIS))
        if progress is not None:
            progress(done)

    m = measure_video(
        path, people=find_people, person=person, regions=regions or [], progress=progressed
    )
    if not findings:
        findings.append(_import_ahead(VIDEO_ANALYSIS))
    if person is not None and not any(k[0] == "person" for k in m.series):
        raise InputError(
            path, f"person {person} was not found (the video shows {len(m.people)} person(s))"
        )
    module = findings[0].result()
    return module.video_analysis(
        m,
        path,
        regions=regions or [],
        find_people=find_people,
        context=context,
        config=config,
        px_per_cm=px_per_cm,
    )
