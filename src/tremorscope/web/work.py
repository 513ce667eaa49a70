"""The analyses of the web app: queued in the server, run by the batch's worker processes.

One thread of the server takes queued analyses in order and hands them to a pool of one or two
worker processes that import the analysis once (:func:`tremorscope.batch.job.warm_up`) and take
job after job (:func:`tremorscope.batch.job.run_job`). The workers tell how far a video is
through a queue; this thread writes that into the index, and when a job ends places its files
and its status. A worker that dies fails the analyses it held; a new pool takes the rest.
"""

from __future__ import annotations

import json
import multiprocessing
import queue as queue_module
import signal
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.managers import SyncManager
from pathlib import Path
from typing import Any

from tremorscope.batch.inputs import BatchInput
from tremorscope.batch.job import JobResult, run_job, warm_up
from tremorscope.web.store import DONE, FAILED, QUEUED, RUNNING, Record, Store

#: Seconds between looks at the queue, the workers and their progress.
POLL_S = 0.25
#: Analyses run at once, at most (each keeps about 1.6 cores busy).
MAX_WORKERS = 2
#: Why an analysis failed when its worker process died.
WORKER_DIED = "the worker process died while analysing it"


def leave_stopping_to_the_server() -> None:
    """Ignore Ctrl+C and a stop sent to the server's whole process group (SIGINT, SIGTERM).

    A child process such a signal ended would fail the analysis it held before the server had
    begun to stop; the server ends its children itself (:meth:`Work.stop`), so that what was
    running is taken up again at the next start.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def start_worker() -> str:
    """A worker process's start: stopping left to the server, the analysis imported once."""
    leave_stopping_to_the_server()
    return warm_up()


def batch_input(record: Record, path: Path) -> BatchInput:
    """The batch worker's job for an analysis of the index.

    Parameters
    ----------
    record : Record
        The analysis (its kind and options).
    path : Path
        Its stored upload.

    Returns
    -------
    BatchInput
        With the analysis's id as its result name (progress reports carry it).

    """
    options = record.options
    regions = tuple((name, tuple(box)) for name, box in options.get("regions", []))
    video = record.kind == "video"
    return BatchInput(
        path=path,
        kind=record.kind or "video",
        result=record.id,
        person=options.get("person") if video else None,
        context=options.get("context") or "unknown",
        scale=options.get("scale") if video else None,
        regions=regions if video else (),  # type: ignore[arg-type]
        annotated=bool(options.get("annotated")) and video,
        shown_as=record.name or None,
    )


def shown_message(message: str | None, path: Path, name: str) -> str | None:
    """A worker's one-line message with the stored file's path put back as the user's name."""
    if message is None:
        return None
    return message.replace(str(path), name)


def main_finding(files: dict[str, bytes]) -> str | None:
    """The main finding of a result in one sentence (from its ``analysis.json``), or None."""
    from tremorscope.report.outputs import LAYOUT
    from tremorscope.report.words import main_sentence
    from tremorscope.results import Analysis

    content = files.get(LAYOUT["json"])
    if content is None:
        return None
    sentence = main_sentence(Analysis.model_validate_json(content))
    return sentence.removeprefix("Main finding — ")


def progress_of(done: int, total: int) -> float:
    """Frames measured as a fraction from 0 to 1 (0 when the total is unknown)."""
    if total <= 0:
        return 0.0
    return round(min(max(done / total, 0.0), 1.0), 3)


class Work:
    """The queue of analyses and the thread that runs them.

    Parameters
    ----------
    store : Store
        The index and folders.
    workers : int
        Analyses run at once (1 or 2).

    """

    def __init__(self, store: Store, workers: int = 1) -> None:
        self.store = store
        self.workers = max(1, min(workers, MAX_WORKERS))
        self._pending: queue_module.Queue[str] = queue_module.Queue()
        #: Analyses put back when their worker was stopped for another's sake: taken first.
        self._again: list[str] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> list[str]:
        """Take up again what was queued or running when the server stopped; start the thread.

        Returns
        -------
        list of str
            The ids queued again.

        """
        again = self.store.unfinished()
        for analysis_id in again:
            self.store.update(analysis_id, status=QUEUED, progress=0.0)
            self._pending.put(analysis_id)
        self._thread = threading.Thread(target=self._run, name="tremorscope-work", daemon=True)
        self._thread.start()
        return again

    def submit(self, analysis_id: str) -> None:
        """Queue an analysis (already in the index, status ``queued``)."""
        self._pending.put(analysis_id)

    def stop(self) -> None:
        """Stop taking work and end the worker processes (what runs is taken up at restart)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    # ------------------------------------------------------------------------- the thread

    def _run(self) -> None:
        context = multiprocessing.get_context("spawn")  # no threads or models inherited
        manager = SyncManager(ctx=context)
        manager.start(initializer=leave_stopping_to_the_server)
        told = manager.Queue()
        running: dict[Future[JobResult], tuple[str, Path, str]] = {}
        try:
            while not self._stop.is_set():
                if self._pool is None:
                    self._pool = ProcessPoolExecutor(
                        self.workers, mp_context=context, initializer=start_worker
                    )
                self._take(running, told)
                if running:
                    done, _ = wait(running, timeout=POLL_S, return_when=FIRST_COMPLETED)
                else:
                    done = set()
                    self._stop.wait(POLL_S)
                self._drain(told)
                if self._cancel_deleted(running):
                    continue
                broken = False
                for future in done:
                    analysis_id, path, name = running.pop(future)
                    try:
                        job = future.result()
                    except BrokenProcessPool:
                        broken = True
                        job = JobResult(analysis_id, FAILED, f"{name}: {WORKER_DIED}")
                    except Exception as exc:  # the job could not be sent or its result read
                        why = f"internal error: {type(exc).__name__}: {exc}"
                        job = JobResult(analysis_id, FAILED, f"{name}: {why}")
                    except BaseException:  # a worker interrupted: left running, taken up again
                        continue
                    if not self._stop.is_set():  # stopping: left running, taken up at restart
                        self._finish(analysis_id, job, path, name)
                if broken and not self._stop.is_set():  # what the pool held failed; a new one
                    for analysis_id, path, name in running.values():
                        job = JobResult(analysis_id, FAILED, f"{name}: {WORKER_DIED}")
                        self._finish(analysis_id, job, path, name)
                    running.clear()
                    self._end_pool()
        finally:
            self._end_pool()
            manager.shutdown()

    def _cancel_deleted(self, running: dict) -> bool:
        """Stop the workers when a running analysis was deleted; the others run again.

        A pool's worker cannot be stopped alone, so the pool ends (its processes terminated):
        the deleted analyses' files are removed, the other running ones are queued again, first.

        Returns
        -------
        bool
            Whether the pool was ended.

        """
        if all(self.store.get(aid) is not None for aid, _, _ in running.values()):
            return False
        self._end_pool()
        for analysis_id, _, _ in running.values():
            if self.store.get(analysis_id) is None:
                self.store.remove_folders(analysis_id)
            else:
                self.store.update(analysis_id, status=QUEUED, progress=0.0)
                self._again.append(analysis_id)
        running.clear()
        return True

    def _take(self, running: dict, told: Any) -> None:
        """Hand queued analyses to the pool while it has a free worker."""
        while len(running) < self.workers:
            try:
                analysis_id = self._again.pop(0) if self._again else self._pending.get_nowait()
            except queue_module.Empty:
                return
            record = self.store.get(analysis_id)
            if record is None or record.status != QUEUED:  # deleted, or failed at upload
                continue
            path = self.store.upload_path(record)
            if path is None or not path.is_file():
                self.store.update(analysis_id, status=FAILED, error=f"{record.name}: not stored")
                continue
            self.store.update(analysis_id, status=RUNNING, progress=0.0)
            assert self._pool is not None
            future = self._pool.submit(run_job, batch_input(record, path), (), told)
            running[future] = (analysis_id, path, record.name)

    def _drain(self, told: Any) -> None:
        """Write the workers' progress reports into the index."""
        latest: dict[str, float] = {}
        while True:
            try:
                analysis_id, done, total = told.get_nowait()
            except queue_module.Empty:
                break
            except (OSError, EOFError):  # the manager is gone (the server is stopping)
                return
            latest[analysis_id] = progress_of(done, total)
        for analysis_id, fraction in latest.items():
            self.store.update(analysis_id, progress=fraction)

    def _finish(self, analysis_id: str, job: JobResult, path: Path, name: str) -> None:
        """Place a job's files and set its status; drop it when it was deleted meanwhile."""
        message = shown_message(job.message, path, name)
        with self.store.lock:
            if self.store.get(analysis_id) is None:  # deleted while it ran
                self.store.remove_folders(analysis_id)
                return
            if job.files:
                self.store.place_results(analysis_id, job.files)
            finding = main_finding(job.files) if job.files else None
            done = job.status == DONE
            self.store.update(
                analysis_id,
                status=DONE if done else FAILED,
                progress=1.0 if done else self._progress(analysis_id),
                error=message,
                finding=finding,
            )

    def _progress(self, analysis_id: str) -> float:
        record = self.store.get(analysis_id)
        return record.progress if record else 0.0

    def _end_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list(getattr(pool, "_processes", {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:  # an analysis may run for minutes: do not wait for it
            if process.is_alive():
                process.kill()  # (they ignore SIGTERM: see leave_stopping_to_the_server)
        for process in processes:
            process.join(timeout=5)


def result_json(store: Store, analysis_id: str) -> Any:
    """The analysis JSON of a finished analysis, or None."""
    from tremorscope.report.outputs import LAYOUT

    path = store.result_folder(analysis_id) / LAYOUT["json"]
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))
