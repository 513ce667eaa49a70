"""What the first second shows about the picture: black bars and static overlays.

Looked for once, on a few frames held back at the start of the pass (nothing is decoded twice),
so that the first frame's background and regions already know them.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from tremorscope.config import VideoConfig
from tremorscope.video.bars import bars_note, picture_box
from tremorscope.video.frame import Frame
from tremorscope.video.overlays import overlays_note, static_overlays
from tremorscope.video.probe import VideoInfo


def survey_picture(
    frames: Iterator[Frame],
    info: VideoInfo,
    config: VideoConfig | None = None,
    max_frames: int = 64,
) -> Iterator[Frame]:
    """The frames, once bars and overlays have been looked for on the first ones.

    The first ``config.survey_s`` seconds (at most ``max_frames`` frames) are held back;
    ``config.survey_frames`` of them spread over that time are looked at for black bars
    (:func:`~tremorscope.video.bars.picture_box`) and, inside the picture, for static overlays
    (:func:`~tremorscope.video.overlays.static_overlays`). ``info.picture_box`` and
    ``info.overlays`` are set, with a note in ``info.notes`` for each found, and then every
    frame is handed on in order.

    Parameters
    ----------
    frames : iterator of Frame
        Typically :func:`tremorscope.video.iter_frames`.
    info : VideoInfo
        The stream's facts, completed here.
    config : VideoConfig, optional
        The sampling (``survey_s``, ``survey_frames``) and what a bar is
        (``bar_max_level``, ``bar_tolerance``).
    max_frames : int
        Frames held back at most (each holds its decoded picture).

    Yields
    ------
    Frame

    """
    config = config or VideoConfig()
    held: list[Frame] = []
    try:
        for frame in frames:
            held.append(frame)
            if frame.t >= config.survey_s or len(held) >= max_frames:
                break
        if held:
            _survey(held, info, config)
        while held:
            yield held.pop(0)
        yield from frames
    finally:
        close = getattr(frames, "close", None)
        if close is not None:
            close()  # in this thread, also when stopped while handing on the frames held


def _survey(held: list[Frame], info: VideoInfo, config: VideoConfig) -> None:
    """Bars and overlays on frames spread over ``held``, into ``info``."""
    picks = np.unique(np.linspace(0, len(held) - 1, config.survey_frames).round().astype(int))
    first = held[0].luma
    planes = [held[i].luma for i in picks if held[i].luma.shape == first.shape]
    limited = held[0].image.limited_range
    box = picture_box(planes, limited, config.bar_max_level, config.bar_tolerance)
    info.picture_box = box
    if box is not None:
        info.notes.append(bars_note(box, first.shape[1], first.shape[0]))
    info.overlays = static_overlays(planes, limited, box)
    if info.overlays:
        info.notes.append(overlays_note(info.overlays))
