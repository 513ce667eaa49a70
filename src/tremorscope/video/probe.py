"""Stream facts read before decoding: displayed size, rate, duration, rotation, declared extent."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import av

from tremorscope.errors import InputError
from tremorscope.video.container import (
    _AV_ERRORS,
    _CUT_OFF,
    _TRUNCATED,
    _decode,
    _DecodeLog,
    _mp4_layout,
    _no_frame_problem,
    _no_video_problem,
    _open,
    _reason,
    _video_stream,
)
from tremorscope.video.deinterlace import Interlacing, interlacing
from tremorscope.video.frame import _frame_rotation

#: Demuxers of still pictures (FFmpeg's ``image2`` and the ``*_pipe`` ones: ``png_pipe``, ...).
_IMAGE_DEMUXERS = ("image2", "image2pipe")
#: Codecs of still pictures: one frame of these is a photo, not a video.
_IMAGE_CODECS = frozenset((
    "png", "apng", "mjpeg", "jpegls", "jpeg2000", "jpegxl", "bmp", "tiff", "webp", "gif", "ppm",
    "pgm", "pgmyuv", "pbm", "pam", "qoi", "exr", "dpx", "sgi", "targa", "pcx", "sunrast", "hdr",
    "xbm", "xpm", "xwd", "psd", "dds", "photocd",
))  # fmt: skip


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
    interlacing : Interlacing or None
        How the stream is interlaced, from its field order and its first frame (None:
        progressive); :func:`iter_frames` then deinterlaces every frame.
    picture_box : tuple of int or None
        The active picture ``(x, y, w, h)`` inside black bars (letterbox, pillarbox), when the
        video pass found bars (:func:`tremorscope.video.picture.survey_picture`); None: the
        whole frame.
    overlays : list of tuple of int
        Boxes ``(x, y, w, h)`` of static overlays (logo, caption, clock) the video pass found
        on its first frames (:func:`tremorscope.video.picture.survey_picture`).

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
    interlacing: Interlacing | None = None
    picture_box: tuple[int, int, int, int] | None = None
    overlays: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def picture(self) -> tuple[int, int, int, int]:
        """The active picture ``(x, y, w, h)``: inside the bars, or the whole frame."""
        return self.picture_box or (0, 0, self.width, self.height)


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
        interlacing=interlacing(ctx.field_order, bool(first.interlaced_frame)),
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
