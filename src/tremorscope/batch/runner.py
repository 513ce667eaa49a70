"""Running a batch: what is current is kept, the rest analysed by workers, results placed whole.

Workers are processes that import the analysis once and take input after input: on this
machine a pool of ``jobs`` processes, on a cluster the workers of a Dask scheduler (they read
the inputs by path, so the inputs must be on a filesystem they share). Either way the workers
hand back the results' bytes and only this process writes into the output folder, after each
input: ``batch.json`` and ``summary.csv`` always describe what is there.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tremorscope import __version__
from tremorscope.batch.inputs import BatchInput, collect_inputs
from tremorscope.batch.job import JobResult, failed_row, run_job, warm_up
from tremorscope.batch.store import (
    clear_staging,
    fingerprint,
    place_result,
    stored_result,
    write_batch_json,
    write_summary,
)
from tremorscope.errors import InputError

if TYPE_CHECKING:
    from distributed import Client

#: Cores one analysis keeps busy (the decoding, tracking and pose threads), for ``jobs``.
CORES_PER_ANALYSIS = 1.6
#: How long to wait for a Dask scheduler to answer (a duration as Dask writes it).
DASK_CONNECT_S = "20s"


@dataclass
class InputRecord:
    """What became of one input.

    Attributes
    ----------
    input : BatchInput
        The input.
    status : str
        ``done``, ``failed``, ``skipped`` (a complete, current result was there) or ``pending``.
    message : str, optional
        Why it failed.
    worker : str
        Who analysed it.
    analysis_s, total_s : float
        Seconds in the analysis, and in all (outputs rendered too).
    rows : list of dict
        Its rows of ``summary.csv``.

    """

    input: BatchInput
    status: str = "pending"
    message: str | None = None
    worker: str = ""
    analysis_s: float = 0.0
    total_s: float = 0.0
    rows: list[dict[str, object]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        """The record in ``batch.json``."""
        return {
            "path": str(self.input.path),
            "result": self.input.result,
            "kind": self.input.kind,
            "status": self.status,
            "message": self.message,
            "worker": self.worker,
            "analysis_s": self.analysis_s,
            "total_s": self.total_s,
        }


@dataclass
class BatchResult:
    """The outcome of a batch.

    Attributes
    ----------
    out : Path
        The output folder.
    records : list of InputRecord
        Every input, in order.
    elapsed_s : float
        Wall-clock time of the run.

    """

    out: Path
    records: list[InputRecord]
    elapsed_s: float = 0.0

    def count(self, status: str) -> int:
        """How many inputs ended with ``status``."""
        return sum(r.status == status for r in self.records)

    @property
    def failed(self) -> list[InputRecord]:
        """The inputs that failed."""
        return [r for r in self.records if r.status == "failed"]


def default_jobs() -> int:
    """Worker processes this machine's cores allow, at :data:`CORES_PER_ANALYSIS` each."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, round((cores or 1) / CORES_PER_ANALYSIS))


def analyze_batch(
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    jobs: int | None = None,
    client: Client | str | None = None,
    context: str = "unknown",
    skip: Sequence[str] = (),
    progress: Callable[[InputRecord, int, int], None] | None = None,
    frames: Callable[[str, int, int], None] | None = None,
) -> BatchResult:
    """Analyse many files; resumable, each result written whole.

    Parameters
    ----------
    inputs : sequence of str or Path
        Folders, files, glob patterns or manifest CSVs (see
        :func:`tremorscope.batch.inputs.collect_inputs`).
    out : str or Path
        The output folder: per input a folder with what ``analyze --out`` writes, plus
        ``summary.csv`` and ``batch.json``.
    jobs : int, optional
        Worker processes on this machine (default :func:`default_jobs`); ignored with
        ``client``.
    client : distributed.Client or str, optional
        A Dask client, or a scheduler's address (``tcp://host:port``): each input is a task
        on that cluster, read by its workers by path.
    context : str
        The condition of inputs a manifest gives none for.
    skip : sequence of str
        Outputs not to write (``report``, ``tracks``, ``netcdf``, ``windows``).
    progress : callable, optional
        Called with each input's record as it ends, the number ended and the total.
    frames : callable, optional
        Local runs: called with a video's result folder, the frames its pass has read and the
        frames in the file, about twice a second while it is analysed.

    Returns
    -------
    BatchResult

    Raises
    ------
    InputError
        When an input does not exist or no file to analyse is found; when ``out`` is a file.

    """
    started = time.perf_counter()
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(out, "is a file, not a folder")
    items = collect_inputs(inputs, context=context, out=out)
    if not items:
        raise InputError(", ".join(str(i) for i in inputs), "no video or sensor file found")
    skipped = tuple(sorted(set(skip)))
    out.mkdir(parents=True, exist_ok=True)
    clear_staging(out)
    records = [InputRecord(item) for item in items]
    for record in records:
        stored = stored_result(out, record.input, skipped)
        if stored is not None:
            record.status, record.worker = "skipped", str(stored.get("worker", ""))
            record.rows = list(stored.get("rows", []))
    settings = {"jobs": jobs, "scheduler": _address(client), "context": context, "skip": skipped}
    state = _Progress(out, records, settings, progress)
    state.save()
    pending = [r for r in records if r.status == "pending"]
    if pending:
        runs = (
            _on_cluster(client, pending, skipped)
            if client
            else _local(pending, skipped, jobs, frames)
        )
        for record, job, print_ in runs:
            _finish(out, record, job, print_)
            state.ended(record)
    clear_staging(out)
    return BatchResult(out, records, time.perf_counter() - started)


class _Progress:
    """``batch.json`` and ``summary.csv`` rewritten as each input ends."""

    def __init__(
        self,
        out: Path,
        records: list[InputRecord],
        settings: dict[str, Any],
        callback: Callable[[InputRecord, int, int], None] | None,
    ) -> None:
        self.out, self.records, self.settings, self.callback = out, records, settings, callback
        self.started = datetime.now(UTC).isoformat(timespec="seconds")
        self.ended_count = sum(r.status == "skipped" for r in records)
        if callback is not None:
            for r in records:
                if r.status == "skipped":
                    callback(r, self.ended_count, len(records))

    def save(self) -> None:
        counts = {
            s: sum(r.status == s for r in self.records)
            for s in ("done", "failed", "skipped", "pending")
        }
        write_batch_json(
            self.out,
            {
                "tool": {"name": "tremorscope", "version": __version__},
                "started": self.started,
                "updated": datetime.now(UTC).isoformat(timespec="seconds"),
                "options": self.settings,
                "counts": counts,
                "inputs": [r.as_json() for r in self.records],
            },
        )
        rows = [row for r in self.records for row in r.rows]
        write_summary(self.out, rows)

    def ended(self, record: InputRecord) -> None:
        self.ended_count += 1
        self.save()
        if self.callback is not None:
            self.callback(record, self.ended_count, len(self.records))


def _finish(out: Path, record: InputRecord, job: JobResult, print_: dict | None) -> None:
    """Record a job's outcome and place its files (a failure with partial results keeps them)."""
    record.status, record.message, record.worker = job.status, job.message, job.worker
    record.analysis_s, record.total_s, record.rows = job.analysis_s, job.total_s, job.rows
    if job.files and print_ is not None:
        place_result(out, record.input, job, print_)


def _local(
    pending: list[InputRecord],
    skip: tuple[str, ...],
    jobs: int | None,
    frames: Callable[[str, int, int], None] | None = None,
) -> Iterator[tuple[InputRecord, JobResult, dict | None]]:
    """Run the jobs in worker processes on this machine, yielding each as it ends.

    A worker that dies (a crash in native code) fails the inputs it held; a new pool takes the
    rest. With ``frames``, the workers tell how far they are through a queue, read here.
    """
    workers = max(1, min(jobs or default_jobs(), len(pending)))
    queue = list(pending)
    context = multiprocessing.get_context("spawn")  # no threads or models inherited
    manager = context.Manager() if frames is not None else None
    told = manager.Queue() if manager is not None else None
    try:
        yield from _pooled(queue, skip, workers, context, told, frames)
    finally:
        if manager is not None:
            manager.shutdown()


def _pooled(
    queue: list[InputRecord],
    skip: tuple[str, ...],
    workers: int,
    context: Any,
    told: Any,
    frames: Callable[[str, int, int], None] | None,
) -> Iterator[tuple[InputRecord, JobResult, dict | None]]:
    while queue:
        with ProcessPoolExecutor(workers, mp_context=context, initializer=warm_up) as pool:
            running: dict[Future[JobResult], tuple[InputRecord, dict | None]] = {}
            broken = False
            while (queue or running) and not broken:
                while queue and len(running) < workers:
                    record = queue.pop(0)
                    print_ = _fingerprint_or_none(record.input, skip)
                    running[pool.submit(run_job, record.input, skip, told)] = (record, print_)
                done, _ = wait(running, timeout=0.25, return_when=FIRST_COMPLETED)
                _drain(told, frames)
                for future in done:
                    record, print_ = running.pop(future)
                    try:
                        job = future.result()
                    except BrokenProcessPool:
                        broken = True
                        job = _crashed(record.input, "the worker process died while analysing it")
                    yield record, job, print_
            if broken:  # the pool is unusable: what it held failed, the queue goes on anew
                for record, _ in running.values():
                    yield record, _crashed(record.input, "the worker process died"), None
                pool.shutdown(wait=False, cancel_futures=True)


def _drain(told: Any, frames: Callable[[str, int, int], None] | None) -> None:
    """Hand the workers' progress reports to ``frames``."""
    if told is None or frames is None:
        return
    while True:
        try:
            result, done, total = told.get_nowait()
        except queue_module.Empty:
            return
        frames(result, done, total)


def _on_cluster(
    client: Client | str, pending: list[InputRecord], skip: tuple[str, ...]
) -> Iterator[tuple[InputRecord, JobResult, dict | None]]:
    """Run the jobs as tasks on a Dask cluster, yielding each as it ends."""
    from distributed import Client, as_completed

    own = isinstance(client, str)
    try:
        dask = Client(client, timeout=DASK_CONNECT_S) if isinstance(client, str) else client
    except (OSError, TimeoutError) as exc:
        raise InputError(str(client), f"no Dask scheduler answers there ({exc})") from None
    try:
        futures = {}
        for record in pending:
            print_ = _fingerprint_or_none(record.input, skip)
            future = dask.submit(run_job, record.input, skip, pure=False)
            futures[future] = (record, print_)
        for future in as_completed(list(futures)):
            record, print_ = futures[future]
            try:
                job = future.result()
            except Exception as exc:  # the task itself failed (a worker lost, ...)
                job = _crashed(record.input, f"the cluster could not analyse it: {exc}")
            yield record, job, print_
    finally:
        if own:
            dask.close()


def _fingerprint_or_none(item: BatchInput, skip: tuple[str, ...]) -> dict | None:
    try:
        return fingerprint(item, skip)
    except OSError:
        return None


def _crashed(item: BatchInput, why: str) -> JobResult:
    message = f"{item.path}: {why}"
    return JobResult(
        result=item.result, status="failed", message=message, rows=[failed_row(item, message)]
    )


def _address(client: Client | str | None) -> str | None:
    if client is None or isinstance(client, str):
        return client
    return str(client.scheduler.address)
