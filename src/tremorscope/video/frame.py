"""Decoded frames: the luma plane read in place, its levels, display rotation, timestamps."""

from __future__ import annotations

from dataclasses import dataclass

import av
import cv2
import numpy as np


class GrayImage:
    """A grey image with what its pixel levels mean.

    Most H.264 stores luma in video range (16-235). The tracker follows such a plane as decoded
    (its own interpolation is in floating point, and its texture threshold is scaled by
    :attr:`contrast`) and converts to full range only the crops it gives OpenCV's Lucas-Kanade
    (:meth:`full_crop`), which interpolates in fixed point: on the narrower range it measured a
    talking head's largest excursion a third too large. :meth:`full` converts the whole image.

    Parameters
    ----------
    plane : ndarray, shape (height, width), uint8
        The luma plane as decoded, or an image already in full range.
    limited_range : bool
        Whether ``plane`` is in video range (16-235).

    """

    def __init__(self, plane: np.ndarray, limited_range: bool = False) -> None:
        self.plane = plane
        self.limited_range = limited_range
        self._full: np.ndarray | None = None
        self._half: GrayImage | None = None

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)`` in pixels."""
        return self.plane.shape[:2]

    @property
    def contrast(self) -> float:
        """Grey-level steps of the plane per step of full range (219/255 in video range)."""
        return 219.0 / 255.0 if self.limited_range else 1.0

    def full_levels(self, values: np.ndarray) -> np.ndarray:
        """Values read from the plane (any dtype) as full-range grey levels, float32."""
        values = values.astype(np.float32)
        return (values - 16.0) / self.contrast if self.limited_range else values

    def full(self) -> np.ndarray:
        """The whole image in full range (converted once, then kept)."""
        if self._full is None:
            self._full = cv2.LUT(self.plane, _LIMITED_TO_FULL) if self.limited_range else self.plane
        return self._full

    def half(self) -> GrayImage:
        """The image at half size (one Gaussian pyramid step), same levels; made once, then kept."""
        if self._half is None:
            self._half = GrayImage(cv2.pyrDown(self.plane), self.limited_range)
        return self._half

    def full_crop(self, box: tuple[int, int, int, int]) -> np.ndarray:
        """The part ``(x, y, w, h)`` of the image in full range (only that part converted)."""
        x, y, w, h = box
        if self._full is not None or not self.limited_range:
            return self.full()[y : y + h, x : x + w]
        return cv2.LUT(self.plane[y : y + h, x : x + w], _LIMITED_TO_FULL)


def as_gray_image(image: np.ndarray | GrayImage) -> GrayImage:
    """``image`` itself, or a full-range array wrapped as a :class:`GrayImage`."""
    return image if isinstance(image, GrayImage) else GrayImage(image)


@dataclass
class Frame:
    """One decoded frame.

    Attributes
    ----------
    index : int
        Position in decoding order, from 0.
    t : float
        Presentation time in seconds from the first frame.
    luma : ndarray, shape (height, width), uint8
        Luma plane as decoded (video range 16-235 for most H.264), rotated for display; read in
        place, no conversion. Tracking uses it as it is (:attr:`image`).

    """

    index: int
    t: float
    luma: np.ndarray
    _frame: av.VideoFrame
    _rotation: int
    _limited_range: bool = False
    _image: GrayImage | None = None

    @property
    def image(self) -> GrayImage:
        """The luma plane with its levels (see :class:`GrayImage`)."""
        if self._image is None:
            self._image = GrayImage(self.luma, self._limited_range)
        return self._image

    @property
    def gray(self) -> np.ndarray:
        """The whole grey image in full range (0-255), as FFmpeg's conversion to grey gives it."""
        return self.image.full()

    @property
    def picture_type(self) -> str:
        """How the encoder coded this frame: ``I``, ``P``, ``B`` (or ``?`` when not told)."""
        kind = self._frame.pict_type  # FFmpeg's AVPictureType: 1 I, 2 P, 3 B (an int in PyAV 18)
        name = getattr(kind, "name", None) or {1: "I", 2: "P", 3: "B"}.get(int(kind), "")
        return name if name in ("I", "P", "B") else "?"

    def rgb(self) -> np.ndarray:
        """The frame as an RGB array (height, width, 3), rotated for display."""
        return rotate(self._frame.to_ndarray(format="rgb24"), self._rotation)


#: Pixel formats whose first plane is the luma (grey) image at full size.
_PLANAR_LUMA = (
    "yuv420p",
    "yuvj420p",
    "yuv422p",
    "yuvj422p",
    "yuv444p",
    "yuvj444p",
    "nv12",
    "nv21",
    "gray",
)
#: Video-range luma (16-235) to full range (0-255), as FFmpeg's conversion to grey does.
_LIMITED_TO_FULL = np.clip(np.round((np.arange(256) - 16) * 255 / 219), 0, 255).astype(np.uint8)


def luma(frame: av.VideoFrame) -> tuple[np.ndarray, bool]:
    """The luma plane of a frame, read in place where the format has one.

    Much cheaper than a pixel-format conversion.

    Parameters
    ----------
    frame : av.VideoFrame
        A decoded frame.

    Returns
    -------
    ndarray, shape (height, width), uint8
        Not rotated.
    bool
        Whether it is in video range (16-235) rather than full range.

    """
    name = frame.format.name
    if name in _PLANAR_LUMA:
        plane = frame.planes[0]
        rows = np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)
        rows = rows[:, : plane.width]
        full = name.startswith("yuvj") or name == "gray" or frame.color_range == 2
        return rows, not full
    return frame.to_ndarray(format="gray"), False


def rotate(image: np.ndarray, rotation: int) -> np.ndarray:
    """Rotate an image counter-clockwise by a multiple of 90 degrees (contiguous result).

    This is how players show a frame whose display matrix rotation (``VideoFrame.rotation``,
    counter-clockwise degrees) is ``rotation``.
    """
    turns = (rotation // 90) % 4
    return np.ascontiguousarray(np.rot90(image, turns)) if turns else image


def _frame_time(frame: av.VideoFrame) -> float | None:
    for stamp in (frame.pts, frame.dts):
        if stamp is not None and frame.time_base is not None:
            return float(stamp * frame.time_base)
    return None


def _frame_rotation(frame: av.VideoFrame, fallback: int) -> int:
    """Display rotation in counter-clockwise degrees, 0/90/180/270 (PyAV gives -180..180)."""
    angle = getattr(frame, "rotation", None)
    if angle is None:
        return fallback
    return round(float(angle) / 90.0) * 90 % 360
