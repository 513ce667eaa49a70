"""Video writing: H.264 (libx264) files encoded one RGB frame at a time.

The project's one encoder. The ground-truth injector (:mod:`tremorscope.synth`) and the
annotated video (:mod:`tremorscope.report.annotated`) both write through :class:`H264Writer`,
each with its own settings (rate factor, preset, colour conversion).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import av.error
import cv2
import numpy as np

from tremorscope.errors import InputError

#: Time base of output timestamps when the source has none usable (the MPEG 90 kHz clock).
FALLBACK_TIME_BASE = Fraction(1, 90000)

#: Encoder speed presets of libx264.
X264_PRESETS = (
    "ultrafast",
    "superfast",
    "veryfast",
    "faster",
    "fast",
    "medium",
    "slow",
    "slower",
    "veryslow",
    "placebo",
)

#: Ways an RGB image is converted to the encoder's pixel format (see :class:`H264Writer`).
RgbToYuv = Literal["ffmpeg", "opencv"]


def check_encoding(crf: int, preset: str) -> None:
    """Refuse libx264 settings it does not take.

    Parameters
    ----------
    crf : int
        Constant rate factor, 0 (lossless) to 51.
    preset : str
        One of :data:`X264_PRESETS`.

    Raises
    ------
    ValueError
        When either is out of range.

    """
    if not 0 <= int(crf) <= 51:
        raise ValueError(f"crf must be between 0 and 51, not {crf}")
    if preset not in X264_PRESETS:
        raise ValueError(f"preset must be one of {', '.join(X264_PRESETS)}, not {preset!r}")


def output_size(width: int, height: int, resize_to_height: int | None) -> tuple[int, int]:
    """Even output size for a displayed ``width`` x ``height`` source.

    Parameters
    ----------
    width, height : int
        Displayed size of the source, in pixels.
    resize_to_height : int or None
        Target height in pixels (made even), keeping the aspect ratio; None keeps the size,
        dropping the last column or row when odd (yuv420p needs even sizes).

    Returns
    -------
    tuple of int
        ``(width, height)`` in pixels.

    """
    if resize_to_height is None:
        return width - width % 2, height - height % 2
    new_h = max(2, int(resize_to_height) - int(resize_to_height) % 2)
    new_w = max(2, round(width * new_h / height / 2) * 2)
    return new_w, new_h


def _ffmpeg_frame(image: np.ndarray, pix_fmt: str) -> av.VideoFrame:
    """An RGB image as a frame in ``pix_fmt``, converted by FFmpeg's scaler."""
    return av.VideoFrame.from_ndarray(image, format="rgb24").reformat(format=pix_fmt)


def _opencv_frame(image: np.ndarray, pix_fmt: str) -> av.VideoFrame:
    """An RGB image as a yuv420p frame, converted by OpenCV (``pix_fmt`` must be yuv420p)."""
    return av.VideoFrame.from_ndarray(cv2.cvtColor(image, cv2.COLOR_RGB2YUV_I420), format=pix_fmt)


#: Converter of each :data:`RgbToYuv` choice.
_CONVERTERS: dict[str, Callable[[np.ndarray, str], av.VideoFrame]] = {
    "ffmpeg": _ffmpeg_frame,
    "opencv": _opencv_frame,
}


class H264Writer:
    """An H.264 (libx264) file written one RGB frame at a time.

    Parameters
    ----------
    path : Path
        The file to write; missing folders are made.
    width, height : int
        Frame size in pixels (even for yuv420p).
    rate : Fraction
        Declared frame rate, frames per second.
    time_base : Fraction
        Unit of the presentation times given to :meth:`write`, in seconds.
    crf : int
        libx264 constant rate factor (0 lossless, 18 visually lossless, 23 default).
    preset : str
        libx264 speed preset (see :data:`X264_PRESETS`).
    pix_fmt : str
        Pixel format encoded.
    rgb_to_yuv : {"ffmpeg", "opencv"}
        Who converts each RGB image to ``pix_fmt``: FFmpeg's scaler, or OpenCV (yuv420p only;
        the same BT.601 video-range conversion within 2 levels, some 20 times faster: at 1080p
        FFmpeg's takes a third of the encoding time).

    Attributes
    ----------
    n : int
        Frames written so far.

    Raises
    ------
    InputError
        When the file cannot be created.
    ValueError
        When ``rgb_to_yuv`` is unknown, or ``"opencv"`` with another format than yuv420p.

    """

    def __init__(
        self,
        path: Path,
        width: int,
        height: int,
        rate: Fraction,
        time_base: Fraction,
        crf: int,
        preset: str,
        pix_fmt: str = "yuv420p",
        rgb_to_yuv: RgbToYuv = "ffmpeg",
    ) -> None:
        if rgb_to_yuv not in _CONVERTERS:
            raise ValueError(f"rgb_to_yuv must be 'ffmpeg' or 'opencv', not {rgb_to_yuv!r}")
        if rgb_to_yuv == "opencv" and pix_fmt != "yuv420p":
            raise ValueError(f"OpenCV converts to yuv420p only, not {pix_fmt!r}")
        self.time_base = time_base
        self.pix_fmt = pix_fmt
        self._to_frame = _CONVERTERS[rgb_to_yuv]
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.container = av.open(str(path), mode="w")
        except (OSError, av.error.FFmpegError, ValueError) as exc:
            raise InputError(path, f"cannot write the video ({exc})") from None
        self.stream = self.container.add_stream("libx264", rate=rate, time_base=time_base)
        self.stream.width = width
        self.stream.height = height
        self.stream.pix_fmt = pix_fmt
        self.stream.options = {"crf": str(crf), "preset": preset}
        self.n = 0

    def write(self, image: np.ndarray, pts: int) -> None:
        """Encode one RGB image with presentation time ``pts`` (in the writer's time base)."""
        frame = self._to_frame(image, self.pix_fmt)
        frame.pts = pts
        frame.time_base = self.time_base
        self.container.mux(self.stream.encode(frame))
        self.n += 1

    def close(self) -> None:
        """Flush the encoder and close the file."""
        try:
            self.container.mux(self.stream.encode(None))
        finally:
            self.container.close()
