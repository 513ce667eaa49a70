"""Decoding in a thread of its own, a few frames ahead of the caller."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator

from tremorscope.video.frame import Frame

_DONE = object()


def read_ahead(
    frames: Iterator[Frame], depth: int = 4, prepare: Callable[[Frame], object] | None = None
) -> Iterator[Frame]:
    """Decode in a second thread while the caller works on the frames already read.

    FFmpeg decodes without holding Python's lock, so decoding and the caller's OpenCV work (which
    releases it too) run on both cores. At most ``depth`` frames wait, so memory stays bounded.
    An error raised while decoding is raised here, in the caller's thread, in order.

    Parameters
    ----------
    frames : iterator of Frame
        Typically :func:`iter_frames`.
    depth : int
        Frames decoded ahead at most.
    prepare : callable, optional
        Called on each frame in the decoding thread before it is handed over (e.g. to compute
        the full-range grey image there, off the caller's thread).

    Yields
    ------
    Frame

    """
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                waiting.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for frame in frames:
                if prepare is not None:
                    prepare(frame)
                if not put(frame):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            put(exc)
        finally:
            close = getattr(frames, "close", None)
            if close is not None:
                close()  # the file is closed in the thread that read it

    worker = threading.Thread(target=produce, name="tremorscope-decode", daemon=True)
    worker.start()
    try:
        while True:
            item = waiting.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
