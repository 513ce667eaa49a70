"""Read video with exact container timestamps, rotation applied, one frame at a time."""

from __future__ import annotations

import heapq
import io
import queue
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import av
import av.error
import cv2
import numpy as np

from tremorscope.errors import InputError

#: Frame intervals varying by more than this share of their median make the video VFR.
VFR_JITTER = 0.02
#: Frames held back to put timestamps attached in decoding order back in presentation order.
REORDER_DEPTH = 8
#: Consecutive undecodable packets after which decoding gives up.
MAX_BAD_PACKETS = 300

#: Everything PyAV/FFmpeg raises for unreadable input; never let these reach the user raw.
#: (``av.error.FFmpegError`` subclasses also derive from ``OSError``, ``ValueError``, ...)
_AV_ERRORS = (av.error.FFmpegError, OSError, EOFError, UnicodeDecodeError, ValueError)

_TRUNCATED = "the file is probably truncated (an incomplete copy, download or recording)"
_CUT_OFF = "the file is cut off inside its last MP4 box"
#: How the note on a stream that ended before its end begins; the analysis reports the note
#: that begins so as the source's ``decode_error`` (and the command line exits with code 2).
STOPPED_EARLY = "decoding stopped early"

#: Demuxers of still pictures (FFmpeg's ``image2`` and the ``*_pipe`` ones: ``png_pipe``, ...).
_IMAGE_DEMUXERS = ("image2", "image2pipe")
#: Codecs of still pictures: one frame of these is a photo, not a video.
_IMAGE_CODECS = frozenset((
    "png", "apng", "mjpeg", "jpegls", "jpeg2000", "jpegxl", "bmp", "tiff", "webp", "gif", "ppm",
    "pgm", "pgmyuv", "pbm", "pam", "qoi", "exr", "dpx", "sgi", "targa", "pcx", "sunrast", "hdr",
    "xbm", "xpm", "xwd", "psd", "dds", "photocd",
))  # fmt: skip
#: Container families whose frame count may include frames an edit list hides (a clip trimmed
#: without re-encoding): their declared duration, not their count, says where the video ends.
_EDIT_LIST_FORMATS = ("mov", "mp4")


@dataclass
class VideoInfo:
    """Facts about a video stream, read from its container before decoding.

    Attributes
    ----------
    path : str
        The file.
    width, height : int
        Frame size in pixels as displayed (after rotation).
    fps : float
        Average frame rate declared by the container.
    n_frames : int
        Frame count declared by the container, or estimated from duration and fps (0 if unknown).
    duration_s : float
        Declared duration in seconds.
    rotation : int
        Counter-clockwise rotation in degrees that display applies (0, 90, 180 or 270).
    codec : str
        Decoder name.
    bits_per_pixel : float or None
        Stream bit rate per pixel per frame: a cheap compression indicator.
    notes : list of str
        Problems met while reading (damaged or missing data), added by :func:`iter_frames`;
        one beginning :data:`STOPPED_EARLY` when the video ends before the file says it does.
    cut_at_byte : int or None
        Where an MP4/MOV file is cut off inside its last box (a truncated copy), else None.

    """

    path: str
    width: int
    height: int
    fps: float
    n_frames: int
    duration_s: float
    rotation: int
    codec: str
    bits_per_pixel: float | None = None
    notes: list[str] = field(default_factory=list)
    cut_at_byte: int | None = None


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


# --------------------------------------------------------------------------------------------
# Opening, and telling the user what is wrong with a file FFmpeg refuses


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(path, "file not found")
    if path.is_dir():
        raise InputError(path, "is a folder, not a video file")
    if not path.is_file():
        raise InputError(path, "is not a regular file")
    try:
        with path.open("rb") as handle:
            empty = not handle.read(1)
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror or exc})") from None
    if empty:
        raise InputError(path, "file is empty")


def _open(path: Path) -> av.container.InputContainer:
    _check_file(path)
    try:
        # An absolute path never looks like an FFmpeg protocol URL ("http:", "concat:", ...).
        return av.open(str(path.absolute()), mode="r", metadata_errors="replace")
    except _AV_ERRORS as exc:
        problem = _open_problem(path, exc)
    # FFmpeg refuses a fragmented MP4 cut off inside a fragment header ('moof'): read the
    # complete boxes before the cut instead (probe_video notes the truncation).
    layout = _mp4_layout(path)
    if layout is not None and b"moov" in layout[0] and layout[1] is not None:
        try:
            return av.open(_Prefix(path, layout[1]), mode="r", metadata_errors="replace")
        except _AV_ERRORS:
            pass
    raise InputError(path, problem) from None


def _open_problem(path: Path, exc: Exception) -> str:
    """Why FFmpeg could not open ``path``, in words a user can act on."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as err:
        return f"cannot be read ({err.strerror or err})"
    if isinstance(exc, PermissionError):
        return "cannot be read (permission denied)"
    layout = _mp4_layout(path)
    if layout is not None:
        atoms, cut_at = layout
        if b"moov" not in atoms and cut_at is not None:
            return f"MP4/MOV file cut off before its index ('moov' atom): {_TRUNCATED}"
        if b"moov" not in atoms:
            return "MP4/MOV file whose index ('moov' atom) is missing or damaged"
        if isinstance(exc, EOFError) or cut_at is not None:
            return f"MP4/MOV file ends unexpectedly: {_TRUNCATED}"
        return f"MP4/MOV file with a damaged index ({_reason(exc)})"
    if isinstance(exc, EOFError):
        return f"the file ends before any video data could be read: {_TRUNCATED}, or it is empty"
    if _looks_like_text(head):
        return "not a video: the file contains text"
    return f"not a video format FFmpeg recognises ({_reason(exc)})"


def _mp4_layout(path: Path, limit: int = 100_000) -> tuple[list[bytes], int | None] | None:
    """Top-level boxes of an MP4/MOV file (None for other files), and where a cut-off file ends.

    Returns the types of the complete top-level boxes and, when the last box runs past the end
    of the file, the offset where the complete boxes end (else None). The walk stops quietly at a
    box header that is not plausible (damage or trailing junk).
    """
    try:
        size_total = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
            if len(head) < 8 or head[4:8] not in _MP4_FIRST_BOXES:
                return None
            atoms: list[bytes] = []
            pos = 0
            while pos + 8 <= size_total and len(atoms) < limit:
                handle.seek(pos)
                size, kind = struct.unpack(">I4s", handle.read(8))
                if size == 1:
                    extended = handle.read(8)
                    if len(extended) < 8:
                        return atoms, pos
                    size = struct.unpack(">Q", extended)[0]
                elif size == 0:
                    size = size_total - pos
                if size < 8 or not all(32 <= c < 127 for c in kind):
                    return atoms, None
                if pos + size > size_total:
                    return atoms, pos
                atoms.append(kind)
                pos += size
            return atoms, (pos if 0 < size_total - pos < 8 else None)
    except OSError:
        return None


_MP4_FIRST_BOXES = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"styp")


class _Prefix(io.RawIOBase):
    """The first ``end`` bytes of a file, as a seekable file object for ``av.open``."""

    def __init__(self, path: Path, end: int) -> None:
        super().__init__()
        self._file = path.open("rb")
        self._end = end
        self.name = str(path)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self._end - self._file.tell()))
        data = self._file.read(n)
        buffer[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END:
            offset, whence = self._end + offset, io.SEEK_SET
        return self._file.seek(offset, whence)

    def tell(self) -> int:
        return self._file.tell()

    def close(self) -> None:
        self._file.close()
        super().close()


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte character cut at the end of the block
        if exc.start < len(head) - 4:
            return False
        text = head[: exc.start].decode("utf-8")
    return sum(c.isprintable() or c.isspace() for c in text) >= 0.95 * len(text)


def _reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).split(": '")[0].strip().rstrip(";:")


def _video_stream(container: av.container.InputContainer) -> av.video.stream.VideoStream | None:
    """The first real video stream (cover pictures of audio files are not video)."""
    for stream in container.streams.video:
        if not stream.disposition & av.stream.Disposition.attached_pic:
            return stream
    return None


def _no_video_problem(container: av.container.InputContainer) -> str:
    kinds = sorted({s.type for s in container.streams})
    if not kinds:
        return "contains no video: the file holds no streams at all (an empty recording?)"
    if container.streams.video:
        return "no video stream (only a cover picture)"
    return f"no video stream (only {' and '.join(kinds)})"


# --------------------------------------------------------------------------------------------
# Decoding that survives damaged data


class _DecodeLog:
    """What went wrong while decoding, turned into notes."""

    def __init__(self) -> None:
        self.bad_packets = 0
        self.first_bad_t: float | None = None
        self.first_error = ""
        self.read_error = ""
        self.gave_up = False

    def notes(self) -> list[str]:
        out = []
        if self.bad_packets:
            where = f" from {self.first_bad_t:.2f} s" if self.first_bad_t is not None else ""
            out.append(
                f"{_count(self.bad_packets, 'undecodable video packet')} skipped{where} "
                f"({self.first_error}): the file is damaged"
            )
        return out


def _decode(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, log: _DecodeLog
) -> Iterator[av.VideoFrame]:
    """Frames of ``stream``, skipping packets that fail to decode, stopping at unreadable data."""
    packets = container.demux(stream)
    in_a_row = 0
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            return
        except _AV_ERRORS as exc:
            log.read_error = _reason(exc)
            packet = None  # flush the frames the decoder still holds
        try:
            frames = stream.decode(packet)
        except _AV_ERRORS as exc:
            frames = []
            in_a_row += 1
            log.bad_packets += 1
            if log.first_bad_t is None and packet is not None and packet.pts is not None:
                log.first_bad_t = float(packet.pts * packet.time_base)
            log.first_error = log.first_error or _reason(exc)
            if in_a_row >= MAX_BAD_PACKETS:
                log.gave_up = True
                return
        else:
            in_a_row = 0
        yield from frames
        if packet is None:
            return


# --------------------------------------------------------------------------------------------
# Public API


def probe_video(path: str | Path) -> VideoInfo:
    """Read a video's stream facts, raising :class:`InputError` for anything unusable.

    Parameters
    ----------
    path : str or Path
        The video file.

    Returns
    -------
    VideoInfo
        Size as displayed, frame rate, frame count, rotation, codec, bits per pixel.

    Raises
    ------
    InputError
        Missing, empty, truncated or non-video files, audio-only files, or a stream without
        frames.

    """
    path = Path(path)
    container = _open(path)
    try:
        with container:
            return _probe(path, container)
    except InputError:
        raise
    except _AV_ERRORS as exc:
        raise InputError(path, f"cannot read the video ({_reason(exc)})") from None


def _probe(path: Path, container: av.container.InputContainer) -> VideoInfo:
    stream = _video_stream(container)
    if stream is None:
        raise InputError(path, _no_video_problem(container))
    ctx = stream.codec_context
    try:
        first, more = _first_frame(path, container, stream, _may_be_image(container, ctx.name))
    except InputError:
        layout = _mp4_layout(path)
        if layout is None or layout[1] is None:
            raise
        problem = f"the file is cut off before its first video frame is complete: {_TRUNCATED}"
        raise InputError(path, problem) from None
    if not more:
        raise InputError(path, _image_problem(ctx.name))
    # The decoded picture is what iter_frames yields; the header size may be missing.
    width, height = int(first.width), int(first.height)
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    fps = float(rate) if rate else 0.0
    duration = 0.0
    if stream.duration and stream.time_base:
        duration = float(stream.duration * stream.time_base)
    elif container.duration:
        duration = container.duration / 1e6
    n_frames = int(stream.frames or round(duration * fps))
    rotation = _frame_rotation(first, 0)
    bpp = None
    bit_rate = stream.bit_rate or container.bit_rate
    if bit_rate and fps > 0:
        bpp = float(bit_rate) / (width * height * fps)
    if rotation in (90, 270):
        width, height = height, width
    info = VideoInfo(
        path=str(path),
        width=width,
        height=height,
        fps=fps,
        n_frames=n_frames,
        duration_s=duration,
        rotation=rotation,
        codec=ctx.name,
        bits_per_pixel=bpp,
    )
    layout = _mp4_layout(path)
    if layout is not None and layout[1] is not None:
        info.cut_at_byte = layout[1]
        info.notes.append(f"{_CUT_OFF} at byte {layout[1]}: {_TRUNCATED}")
    return info


def _first_frame(
    path: Path,
    container: av.container.InputContainer,
    stream: av.video.stream.VideoStream,
    look_further: bool = False,
) -> tuple[av.VideoFrame, bool]:
    """The first decodable frame, and whether another follows; raises when there is none.

    Whether another follows is looked at only when ``look_further`` (True otherwise).
    """
    log = _DecodeLog()
    frames = _decode(container, stream, log)
    for frame in frames:
        return frame, not look_further or next(frames, None) is not None
    raise InputError(path, _no_frame_problem(log, int(stream.frames or 0)))


def _may_be_image(container: av.container.InputContainer, codec: str) -> bool:
    """Whether a stream may be a still picture (read by an image demuxer, or an image codec)."""
    demuxers = container.format.name.split(",")
    by_demuxer = any(d in _IMAGE_DEMUXERS or d.endswith("_pipe") for d in demuxers)
    return by_demuxer or codec in _IMAGE_CODECS


def _image_problem(codec: str) -> str:
    kind = {"mjpeg": "JPEG", "jpegls": "JPEG-LS", "jpeg2000": "JPEG 2000"}.get(codec)
    return (
        f"an image ({kind or codec.upper()}), not a video: movement is measured over the "
        "frames of a video"
    )


def _no_frame_problem(log: _DecodeLog, declared: int) -> str:
    if log.bad_packets:
        return f"no decodable video frame ({log.first_error}): the video data is damaged"
    if log.read_error:
        return f"no video frame could be read ({log.read_error}): {_TRUNCATED}"
    if declared:
        return f"none of the {declared} video frames the file declares could be read (damaged file)"
    return "the video stream holds no frames (an empty recording?)"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def iter_frames(
    path: str | Path, info: VideoInfo | None = None, threads: int = 0
) -> Iterator[Frame]:
    """Decode frames one at a time with their exact presentation times.

    Parameters
    ----------
    path : str or Path
        The video file.
    info : VideoInfo, optional
        Result of :func:`probe_video` (read again when not given).
    threads : int
        Decoder threads (0: FFmpeg chooses). One thread costs about a third less CPU per frame
        than FFmpeg's frame threads, the better choice when other work fills the other core.

    Yields
    ------
    Frame
        Frames in presentation order with times from the container, starting at 0 s (put back
        in presentation order where a container attaches them in decoding order, as AVI does).

    Raises
    ------
    InputError
        When the file cannot be opened or decodes no frame at all. Damaged data part way is
        skipped (or ends the iteration) and recorded as a note in ``info.notes``.

    """
    path = Path(path)
    info = info or probe_video(path)
    container = _open(path)
    log = _DecodeLog()
    index = 0
    last_t = 0.0
    corrupt: list[float] = []
    size_changes: list[str] = []
    repeated = 0
    try:
        stream = _video_stream(container)
        if stream is None:
            raise InputError(path, _no_video_problem(container))
        declared = _declared_frames(stream)
        stream.thread_type = "AUTO"
        stream.thread_count = threads
        t0 = None
        last_t = -np.inf
        shape = None
        try:
            for frame, t in _retimed(_decode(container, stream, log), info.fps):
                if t0 is None:
                    t0 = t
                t -= t0
                if t <= last_t:  # repeated timestamp: keep time increasing
                    repeated += 1
                    t = last_t + 1e-6
                last_t = t
                rotation = _frame_rotation(frame, info.rotation)
                plane, limited = luma(frame)
                gray = rotate(plane, rotation)
                if frame.is_corrupt:
                    corrupt.append(t)
                if shape is not None and gray.shape != shape:
                    size_changes.append(f"{shape[1]}x{shape[0]} to {gray.shape[1]}x{gray.shape[0]}")
                shape = gray.shape
                yield Frame(index, t, gray, frame, rotation, limited)
                index += 1
        except _AV_ERRORS as exc:
            if index == 0:
                raise InputError(path, f"no decodable video frame ({_reason(exc)})") from None
            log.read_error = log.read_error or _reason(exc)
        if index == 0:
            raise InputError(path, _no_frame_problem(log, int(stream.frames or 0)))
        notes = log.notes()
        if corrupt:
            notes.append(
                f"{_count(len(corrupt), 'frame')} decoded with errors from {corrupt[0]:.2f} s: "
                "pictures there may be garbled (damaged file)"
            )
        if repeated:
            notes.append(
                f"{_count(repeated, 'frame')} with a repeated timestamp: "
                "each moved 1 microsecond after the previous frame"
            )
        if size_changes:
            changes = _count(len(size_changes), "time")
            notes.append(f"frame size changes {changes} (first {size_changes[0]})")
        by_count = not any(name in _EDIT_LIST_FORMATS for name in container.format.name.split(","))
        step = 1.0 / info.fps if info.fps > 0 else 0.0
        stop = _stop_note(
            _Ending(index, last_t + step, step, log, info.cut_at_byte is not None),
            declared,
            _declared_seconds(stream),
            by_count,
        )
        if stop is not None:
            notes.append(stop)
        for note in notes:
            if note not in info.notes:
                info.notes.append(note)
    finally:
        container.close()


#: A wanted frame further ahead than this (seconds) is reached by seeking to the key frame
#: before it, not by decoding everything in between.
SEEK_AHEAD_S = 10.0
#: Containers whose timestamps may come in decoding order (see :func:`_retimed`): never seeked.
_UNORDERED_FORMATS = ("avi", "h264", "hevc", "mpeg", "mpegvideo", "m4v")


def frames_at(
    path: str | Path, times: Sequence[float], info: VideoInfo | None = None
) -> dict[float, np.ndarray]:
    """The frames shown at given times, seeking ahead where that saves decoding.

    For each time, the first frame at or after it (times as :func:`iter_frames` gives them,
    from the first frame), the last frame for times past the end. Times more than
    :data:`SEEK_AHEAD_S` ahead of the decoder are reached by seeking to the key frame before
    them: a report's few frames of an hour-long video cost seconds, not a full decode. Where a
    seek cannot be trusted (no timestamps, a container that may give them in decoding order, a
    seek that lands past the time), the frames are decoded in one pass from the start instead.

    Parameters
    ----------
    path : str or Path
        The video file.
    times : sequence of float
        Wanted times in seconds.
    info : VideoInfo, optional
        Result of :func:`probe_video` (read again when not given).

    Returns
    -------
    dict
        Each wanted time to the RGB frame (height, width, 3) shown then, rotated for display.

    Raises
    ------
    InputError
        When the file cannot be read as a video.

    """
    path = Path(path)
    info = info or probe_video(path)
    wanted = sorted(set(float(t) for t in times))
    found: dict[float, np.ndarray] = {}
    if wanted:
        try:
            found = _frames_by_seeking(path, wanted, info)
        except (_SeekUntrustedError, *_AV_ERRORS):
            found = {}
    missing = [t for t in wanted if t not in found]
    if missing:
        found.update(_frames_in_one_pass(path, missing, info))
    return found


class _SeekUntrustedError(Exception):
    """A seek landed somewhere other than where it was sent: decode from the start instead."""


def _frames_in_one_pass(
    path: Path, wanted: list[float], info: VideoInfo
) -> dict[float, np.ndarray]:
    found: dict[float, np.ndarray] = {}
    last = None
    for frame in iter_frames(path, info):
        while wanted and frame.t >= wanted[0] - 1e-9:
            found[wanted.pop(0)] = frame.rgb()
        if not wanted:
            return found
        last = frame
    if last is not None:
        image = last.rgb()
        found.update({t: image for t in wanted})
    return found


def _frames_by_seeking(path: Path, wanted: list[float], info: VideoInfo) -> dict[float, np.ndarray]:
    """:func:`frames_at` by seeking; :class:`_SeekUntrustedError` where a seek is not trusted."""
    container = _open(path)
    try:
        if any(name in _UNORDERED_FORMATS for name in container.format.name.split(",")):
            raise _SeekUntrustedError
        stream = _video_stream(container)
        if stream is None or stream.time_base is None:
            raise _SeekUntrustedError
        frames = container.decode(stream)
        first = next(frames, None)
        t0 = _frame_time(first) if first is not None else None
        if t0 is None:
            raise _SeekUntrustedError
        current, now = first, 0.0
        found: dict[float, np.ndarray] = {}
        for target in wanted:
            if target - now > SEEK_AHEAD_S:
                container.seek(int((t0 + target) / stream.time_base), stream=stream)
                frames = container.decode(stream)
                current = next(frames, None)
                now = _seconds_after(current, t0)
                if now > target + 1e-9:  # landed past the time: the index cannot be trusted
                    raise _SeekUntrustedError
            while now < target - 1e-9:
                following = next(frames, None)
                if following is None:
                    break
                current, now = following, _seconds_after(following, t0)
            found[target] = rotate(
                current.to_ndarray(format="rgb24"), _frame_rotation(current, info.rotation)
            )
        return found
    finally:
        container.close()


def _seconds_after(frame: av.VideoFrame | None, t0: float) -> float:
    t = _frame_time(frame) if frame is not None else None
    if t is None:
        raise _SeekUntrustedError
    return t - t0


@dataclass
class _Ending:
    """How decoding ended: what it reached, and what went wrong on the way."""

    decoded: int
    end_s: float
    step_s: float
    log: _DecodeLog
    cut_off: bool


def _stop_note(ending: _Ending, frames: int, seconds: float | None, by_count: bool) -> str | None:
    """The note on a video that ends before the file says it does, or None when it does not.

    Parameters
    ----------
    ending : _Ending
        Frames decoded, where the last one ends (s), the frame interval (s), the decode log,
        and whether the file is cut off inside its last MP4 box.
    frames : int
        Frame count the file declares (0 if unknown).
    seconds : float or None
        Duration of the video stream the file declares (s), if it does.
    by_count : bool
        Whether a frame count short of the declared one means frames are missing. Not so in
        MP4/MOV, where it may count frames an edit list hides: there the duration decides.

    Returns
    -------
    str or None
        Beginning :data:`STOPPED_EARLY`, saying how far decoding got and why.

    """
    reached = f"up to {ending.end_s:.2f} s"
    if seconds and seconds > ending.end_s:
        reached += f" of {seconds:.2f} s"
    missing = bool(frames) and ending.decoded < frames - max(2, 0.02 * frames)
    if seconds and not (by_count and frames):
        missing = ending.end_s < seconds - max(2 * ending.step_s, 0.02 * seconds)
    log = ending.log
    failed = f", reading failed ({log.read_error})" if log.read_error else ""
    if missing and frames:
        what = f"only {ending.decoded} of the {frames} frames the file declares were decoded"
        what += f" ({reached}{failed})"
    elif missing:
        what = (
            f"the video ends at {ending.end_s:.2f} s of the {seconds:.2f} s the file declares "
            f"({_count(ending.decoded, 'frame')} decoded{failed})"
        )
    elif log.gave_up:
        what = f"{MAX_BAD_PACKETS} undecodable packets in a row ({reached})"
    elif log.read_error:
        what = f"reading failed {reached} ({log.read_error})"
    elif ending.cut_off:
        what = f"the video data ends inside the file's last box ({reached})"
    else:
        return None
    cause = "the file is damaged" if log.gave_up else _TRUNCATED
    if not ending.cut_off and not log.gave_up:
        cause += " or damaged"
    return f"{STOPPED_EARLY}: {what}: {cause}"


def _declared_seconds(stream: av.video.stream.VideoStream) -> float | None:
    """Duration of the video stream its header states (s, from its first frame), or None.

    The stream's own duration, or Matroska's per-track ``DURATION`` tag (``HH:MM:SS.nnn``, the
    time its last frame ends); never the container's, which may be an audio track's.
    """
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    tag = stream.metadata.get("DURATION")
    if not tag:
        return None
    try:
        hours, minutes, secs = tag.split(":")
        end = int(hours) * 3600 + int(minutes) * 60 + float(secs)
    except ValueError:
        return None
    start = (
        float(stream.start_time * stream.time_base)
        if stream.start_time and stream.time_base
        else 0.0
    )
    return end - start if end > start else None


def _declared_frames(stream: av.video.stream.VideoStream) -> int:
    """Frame count the stream header states, or implies by its own duration (0 if neither)."""
    if stream.frames:
        return int(stream.frames)
    rate = stream.average_rate or stream.guessed_rate
    if stream.duration and stream.time_base and rate:
        return round(float(stream.duration * stream.time_base * rate))
    return 0


def _retimed(
    frames: Iterator[av.VideoFrame], fps: float, depth: int = REORDER_DEPTH
) -> Iterator[tuple[av.VideoFrame, float]]:
    """Frames with their presentation times in seconds, put in order.

    Decoders return frames in presentation order but some containers (AVI, raw streams) give
    the timestamps of B-frame streams in decoding order, attached to the wrong frames. The set of
    timestamps is still right, so each frame gets the smallest timestamp not yet used among the
    next ``depth`` frames: a no-op when timestamps already increase. Frames without any timestamp
    follow the previous one by ``1 / fps``.
    """
    step = 1.0 / fps if fps > 0 else 1.0
    pending: deque[av.VideoFrame] = deque()
    times: list[float] = []
    latest = None
    for frame in frames:
        t = _frame_time(frame)
        if t is None:
            t = latest + step if latest is not None else 0.0
        latest = t if latest is None else max(latest, t)
        heapq.heappush(times, t)
        pending.append(frame)
        if len(pending) > depth:
            yield pending.popleft(), heapq.heappop(times)
    while pending:
        yield pending.popleft(), heapq.heappop(times)


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


def is_variable_rate(times: np.ndarray) -> bool:
    """Whether frame intervals vary by more than :data:`VFR_JITTER` of their median."""
    steps = np.diff(np.asarray(times, dtype=float))
    steps = steps[steps > 0]
    if steps.size < 2:
        return False
    median = float(np.median(steps))
    return bool(np.percentile(np.abs(steps - median), 95) > VFR_JITTER * median)


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
