"""The Python API: ``analyze_signal`` for sensor recordings, ``analyze_video`` for video."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from types import ModuleType

import numpy as np

from tremorscope.config import AnalysisConfig, RunConfig, VideoConfig
from tremorscope.errors import InputError
from tremorscope.measure import measure_video
from tremorscope.options import Context, check_regions, parse_context
from tremorscope.results import Analysis
from tremorscope.signals import load_recording
from tremorscope.signals.loaders import recording_from_array
from tremorscope.video import probe_video

# The analysis (scipy's signal processing takes about a second to import) is imported on first
# use, or for a video in a thread of its own while the video is being measured.


def _import_video_analysis_ahead() -> Future[ModuleType]:
    """Import the video analysis in a thread of its own; the future gives it (or the error)."""
    done: Future[ModuleType] = Future()

    def load() -> None:
        try:
            from tremorscope.analysis import video

            done.set_result(video)
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
    context: Context = "unknown",
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
    ValueError
        For an unknown ``context``.

    """
    context = parse_context(context)
    run = RunConfig(analysis=config or AnalysisConfig(), video=None)
    from tremorscope.analysis.sensor import sensor_analysis  # scipy: about a second to import

    if isinstance(source, np.ndarray):
        recording = recording_from_array(source, rate_hz, time_s, names)
    else:
        recording = load_recording(source, rate_hz=rate_hz, channels=channels, time_unit=time_unit)
    return sensor_analysis(recording, context=context, config=run, unit=unit)


def analyze_video(
    path: str | Path,
    *,
    person: int | None = None,
    regions: list[tuple[str, tuple[int, int, int, int]]] | None = None,
    find_people: bool = True,
    context: Context = "unknown",
    config: AnalysisConfig | None = None,
    progress: Callable[[int], None] | None = None,
    px_per_cm: float | None = None,
    video_config: VideoConfig | None = None,
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
    video_config : VideoConfig, optional
        Settings of the video pass and of what video can vouch for.

    Returns
    -------
    Analysis
        ``source.kind == "video"``; findings per person and body part in ``people``, per given
        region in ``regions``, the camera's motion in ``camera``; every region is also a group.

    Raises
    ------
    InputError
        When the file is not a readable video, a region does not lie within its frame, or
        nothing in it could be measured. A video that ends before its file says it does is
        analysed as far as it decodes, with ``source.decode_error`` saying so.
    ValueError
        For an unknown ``context``, or ``person`` without ``find_people``.

    """
    context = parse_context(context)
    if person is not None and not find_people:
        raise ValueError("person needs find_people")
    if regions:
        info = probe_video(path)
        check_regions(path, regions, (info.width, info.height))
    run = RunConfig(analysis=config or AnalysisConfig(), video=video_config or VideoConfig())
    # imported once the first frame is tracked: until then the pose model and the compiled
    # tracker are starting, and every import would hold them up (Python's lock)
    findings: list[Future[ModuleType]] = []

    def progressed(done: int) -> None:
        if not findings:
            findings.append(_import_video_analysis_ahead())
        if progress is not None:
            progress(done)

    m = measure_video(
        path,
        people=find_people,
        person=person,
        regions=regions or [],
        config=run.video,
        progress=progressed,
    )
    if not findings:
        findings.append(_import_video_analysis_ahead())
    if person is not None and not any(k.owner == "person" for k in m.keys):
        found = len(m.people)
        seen = f"the video shows {found} {'person' if found == 1 else 'people'}"
        raise InputError(
            path, f"person {person} was not found: {seen if found else 'the video shows nobody'}"
        )
    module = findings[0].result()
    return module.video_analysis(
        m,
        path,
        regions=regions or [],
        find_people=find_people,
        context=context,
        config=run,
        px_per_cm=px_per_cm,
    )
