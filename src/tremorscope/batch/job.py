"""One input of a batch analysed by a worker: the result files and summary rows, in memory.

:func:`run_job` is what a worker process (local, or a Dask worker on another machine) runs.
It reads the input by its path, analyses it with the public API, renders every output into
a private temporary folder and hands back their bytes: only the process that runs the batch
writes into the output folder, so a result appears there whole or not at all.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tremorscope.batch.inputs import ANNOTATED_NAME, BatchInput
from tremorscope.errors import InputError
from tremorscope.results import Analysis, Finding, Processing

#: Seconds between a worker's reports of how far it is in a video.
PROGRESS_EVERY_S = 0.5
#: Columns of ``summary.csv``: one row per input x person x body part (or region, or sensor
#: group), and one row for an input that failed.
SUMMARY_COLUMNS = (
    "input",
    "result",
    "status",
    "error",
    "person",
    "body_part",
    "kind",
    "kind_confidence",
    "frequency_hz",
    "frequency_ci_hz",
    "amplitude",
    "amplitude_unit",
    "amplitude_cm",
    "constancy",
    "twitches",
    "ratings",
    "flags",
)


@dataclass
class JobResult:
    """What a worker hands back for one input.

    Attributes
    ----------
    result : str
        The input's result folder, relative to the output folder.
    status : str
        ``done`` or ``failed``.
    message : str, optional
        For a failure, the one-line reason (as the command line prints it).
    files : dict
        File name to content, the outputs of ``analyze --out`` and, when the input asks for
        it, the annotated video (none for a failure the input alone explains; a truncated
        video's partial results are kept).
    rows : list of dict
        Its rows of ``summary.csv`` (see :data:`SUMMARY_COLUMNS`).
    worker : str
        The process that made it.
    analysis_s, total_s : float
        Seconds in the analysis itself, and in all (the outputs rendered too).
    main_frequency_hz : float, optional
        The main finding's frequency.

    """

    result: str
    status: str
    message: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    rows: list[dict[str, object]] = field(default_factory=list)
    worker: str = ""
    analysis_s: float = 0.0
    total_s: float = 0.0
    main_frequency_hz: float | None = None


def worker_name() -> str:
    """The Dask worker's address inside a Dask worker, else ``host:pid``."""
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


def warm_up() -> str:
    """Import what an analysis needs, once per worker process (the models start on first use)."""
    from tremorscope import api  # noqa: F401
    from tremorscope.analysis import video  # noqa: F401
    from tremorscope.measure import keep_pose_models
    from tremorscope.report import html  # noqa: F401

    keep_pose_models()
    return worker_name()


def run_job(item: BatchInput, skip: tuple[str, ...] = (), frames: Any = None) -> JobResult:
    """Analyse one input and render its outputs (in memory).

    Parameters
    ----------
    item : BatchInput
        The input and its options.
    skip : tuple of str
        Outputs not to render (keys of :data:`tremorscope.report.outputs.LAYOUT`).
    frames : queue, optional
        Where to tell how far the video pass is: ``(result, frames done, frames in the file)``
        at most every :data:`PROGRESS_EVERY_S` seconds, and once it has read the last frame.

    Returns
    -------
    JobResult
        ``failed`` with the one-line message for an input that cannot be analysed, or for an
        unexpected error (``internal error: ...``); never raises for one input.

    """
    from tremorscope.api import analyze_signal, analyze_video
    from tremorscope.measure import keep_pose_models

    keep_pose_models()  # a worker takes input after input: the pose model starts once
    worker = worker_name()
    started = time.perf_counter()
    try:
        if item.kind == "video":
            analysis = analyze_video(
                item.path,
                person=item.person,
                regions=list(item.regions),
                context=item.context,
                px_per_cm=item.scale,
                progress=_frames_told(item, frames),
            )
        else:
            analysis = analyze_signal(item.path, context=item.context)
    except InputError as exc:
        return _failed(item, str(exc), worker, started)
    except Exception as exc:  # one input's surprise must not stop the batch
        return _failed(
            item, f"{item.path}: internal error: {type(exc).__name__}: {exc}", worker, started
        )
    analysed = time.perf_counter()
    _record_worker(analysis, worker, analysed - started)
    if item.shown_as is not None:
        analysis.source.path = item.shown_as
    files = _render(analysis, item, skip)
    decode_error = analysis.source.decode_error
    status = "failed" if decode_error else "done"
    message = f"{item.path}: {decode_error}" if decode_error else None
    return JobResult(
        result=item.result,
        status=status,
        message=message,
        files=files,
        rows=summary_rows(analysis, item, status, message),
        worker=worker,
        analysis_s=round(analysed - started, 3),
        total_s=round(time.perf_counter() - started, 3),
        main_frequency_hz=analysis.dominant.rhythmic.frequency_hz if analysis.dominant else None,
    )


def _frames_told(item: BatchInput, frames: Any) -> Callable[[int], None] | None:
    """A progress callback that puts ``(result, done, total)`` on ``frames`` now and then."""
    if frames is None:
        return None
    from tremorscope.video import probe_video

    try:
        total = probe_video(item.path).n_frames
    except InputError:
        return None  # the analysis will say what is wrong with the file
    last = [0.0]

    def told(done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S or done >= total:
            last[0] = now
            frames.put((item.result, done, total))

    return told


def summary_rows(
    analysis: Analysis, item: BatchInput, status: str, message: str | None
) -> list[dict[str, object]]:
    """The input's rows of ``summary.csv``: every person's body parts, regions, sensor groups."""
    from tremorscope.analysis.ratings import limb_parts  # in the worker, with the analysis

    base = {"input": str(item.path), "result": item.result, "status": status, "error": message}
    rows = []
    for person in analysis.people:
        ratings = {r.body_part: r for r in person.ratings}
        for part, finding in person.body_parts.items():
            rated = [r for limb, r in ratings.items() if limb and part in limb_parts(limb)]
            rows.append(
                {
                    **base,
                    "person": person.id,
                    "body_part": part,
                    **_finding(finding),
                    "ratings": _ratings(rated),
                }
            )
    for region in analysis.regions:
        rows.append({**base, "body_part": f"region:{region.name}", **_finding(region.finding)})
    if analysis.source.kind != "video":
        for group in analysis.groups:
            rows.append({**base, "body_part": group.name, **_finding(group.finding)})
    return rows or [{**base}]


def failed_row(item: BatchInput, message: str) -> dict[str, object]:
    """The one row of an input that failed."""
    return {"input": str(item.path), "result": item.result, "status": "failed", "error": message}


def _failed(item: BatchInput, message: str, worker: str, started: float) -> JobResult:
    return JobResult(
        result=item.result,
        status="failed",
        message=message,
        rows=[failed_row(item, message)],
        worker=worker,
        total_s=round(time.perf_counter() - started, 3),
    )


def _record_worker(analysis: Analysis, worker: str, elapsed_s: float) -> None:
    if analysis.processing is None:  # a sensor recording
        samples = analysis.source.n_samples
        analysis.processing = Processing(
            frames=samples,
            elapsed_s=round(elapsed_s, 2),
            frames_per_s=round(samples / max(elapsed_s, 1e-9), 1),
        )
    analysis.processing.worker = worker


def _render(analysis: Analysis, item: BatchInput, skip: tuple[str, ...]) -> dict[str, bytes]:
    from tremorscope.report.outputs import write_outputs

    with tempfile.TemporaryDirectory(prefix="tremorscope-job-") as folder:
        video = item.path if item.kind == "video" else None
        written = list(write_outputs(analysis, folder, video=video, skip=skip).values())
        if video is not None and item.annotated:
            from tremorscope.report import write_annotated_video

            written.append(write_annotated_video(video, analysis, Path(folder) / ANNOTATED_NAME))
        return {path.name: path.read_bytes() for path in written}


def _finding(finding: Finding) -> dict[str, object]:
    r = finding.rhythmic
    ci = r.frequency_ci_hz
    return {
        "kind": finding.kind,
        "kind_confidence": r.kind_confidence,
        "frequency_hz": r.frequency_hz,
        "frequency_ci_hz": f"{ci[0]:g}-{ci[1]:g}" if ci else None,
        "amplitude": r.amplitude,
        "amplitude_unit": r.amplitude_unit if r.amplitude is not None else None,
        "amplitude_cm": r.amplitude_cm,
        "constancy": r.constancy,
        "twitches": finding.twitches.count,
        "flags": " ".join(str(f) for f in finding.quality.flags),
    }


def _ratings(items: list) -> str:
    words = []
    for r in items:
        words.append(
            f"{r.item}={r.score}"
            if r.assessable and r.score is not None
            else f"{r.item}=not assessable"
        )
    return "; ".join(words)
