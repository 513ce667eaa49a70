"""Ground truth for video: inject known motion into real footage and re-encode it.

A real clip is read frame by frame with its exact container timestamps. Chosen rectangular
regions are shifted by a known displacement ``d(t)`` (oscillations with episodes, twitches), the
whole frame can be shaken by a known ``s(t)``, and the result is encoded with libx264. The truth
(every parameter, plus the output timestamps) is written as JSON, and :func:`displacement`
recomputes the exact shift at any time from it.

This module is the frame loop: reading, timing and writing the frames. The motion and its exact
shift are in :mod:`tremorscope.synth.motion`, the image operations in
:mod:`tremorscope.synth.imaging`, the truth record in :mod:`tremorscope.synth.truth`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from tremorscope.errors import InputError
from tremorscope.synth.imaging import (
    apply_camera,
    camera_transform,
    check_box,
    fit_frame,
    inject_region,
    prepare_region,
    shift_image,
)
from tremorscope.synth.motion import CameraMove, Injection, Shake, displacement
from tremorscope.synth.truth import SynthTruth, oscillation_truths
from tremorscope.video.reader import iter_frames, probe_video
from tremorscope.video.writer import (
    FALLBACK_TIME_BASE,
    H264Writer,
    check_encoding,
    output_size,
)


def resample_nearest(
    frames: Iterator[tuple[float, object]], fps: float
) -> Iterator[tuple[float, object]]:
    """Keep the frames nearest a regular grid of ``fps`` frames per second.

    Like ffmpeg's ``fps`` filter, frames are dropped (or repeated, when ``fps`` is above the
    source's rate) so that one frame stands at every grid time ``n / fps`` from 0 up to the
    last frame's time; each grid time takes the frame nearest to it (the earlier one on a
    tie). ffmpeg's filter takes the last frame that rounds to the grid slot, which can be up
    to half a step later.

    Parameters
    ----------
    frames : iterator of (float, object)
        ``(time_s, item)`` in increasing time, the first at 0.
    fps : float
        Output frame rate.

    Yields
    ------
    tuple of (float, object)
        ``(grid_time_s, item)``; an item may be yielded more than once.

    """
    step = 1.0 / fps
    n = 0
    previous: tuple[float, object] | None = None
    for t, item in frames:
        while n * step <= t + 1e-9:
            slot = n * step
            if previous is None or slot - previous[0] > t - slot + 1e-12:
                yield round(slot, 9), item
            else:
                yield round(slot, 9), previous[1]
            n += 1
        previous = (t, item)


# --------------------------------------------------------------------------- video input/output


@dataclass
class _SourceFrame:
    """A decoded frame: integer timestamp in the source time base, and the displayed image."""

    pts: int
    image: np.ndarray


def _source_frames(
    path: Path, time_base: Fraction, notes: list[str] | None = None
) -> Iterator[_SourceFrame]:
    """Decode ``path`` with the project's reader: strictly increasing pts and RGB images.

    Times come from :func:`tremorscope.video.iter_frames` (container timestamps from the first
    frame, rotation applied); repaired timestamps and a decoding failure part way (the end of a
    truncated file) are reported in ``notes``.
    """
    notes = [] if notes is None else notes
    info = probe_video(path)
    last = None
    for frame in iter_frames(path, info):
        pts = round(frame.t / time_base)
        if last is not None and pts <= last:  # closer than one tick: keep the order
            notes.append(f"frame {frame.index}: timestamp not increasing, moved 1 tick on")
            pts = last + 1
        last = pts
        yield _SourceFrame(pts, frame.rgb())
    notes.extend(f"{path.name}: {note}" for note in info.notes)


def _time_base(stream: av.video.stream.VideoStream) -> Fraction:
    """The source stream's time base when it is fine enough, else 1/90000."""
    tb = stream.time_base
    if tb is not None and tb.numerator == 1 and tb.denominator >= 1000:
        return Fraction(tb)
    return FALLBACK_TIME_BASE


def _stream_facts(path: Path) -> tuple[Fraction, Fraction]:
    """Average frame rate and the time base for output timestamps of the first video stream."""
    with av.open(str(path), mode="r") as container:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate or Fraction(30)
        return Fraction(rate), _time_base(stream)


def _kept_frames(
    frames: Iterator[_SourceFrame],
    time_base: Fraction,
    start_s: float,
    duration_s: float | None,
) -> Iterator[tuple[float, tuple[int, np.ndarray]]]:
    """``(t, (pts, image))`` of the frames from ``start_s`` on, times and pts from the first."""
    source_first = first_pts = None
    for sf in frames:
        source_first = sf.pts if source_first is None else source_first
        if first_pts is None:
            if float((sf.pts - source_first) * time_base) < start_s - 1e-7:
                continue
            first_pts = sf.pts
        rel = sf.pts - first_pts
        t = float(rel * time_base)
        if duration_s is not None and t >= duration_s:
            break
        yield t, (rel, sf.image)


def _output_clock(
    rate: Fraction, time_base: Fraction, fps: float | None
) -> tuple[Fraction, Fraction]:
    """Declared frame rate and time base of the output (the source's, or for ``fps``)."""
    if fps is None:
        return rate, time_base
    new_rate = Fraction(fps).limit_denominator(1001)
    ticks = 1 / (new_rate * time_base)
    return new_rate, time_base if ticks.denominator == 1 else FALLBACK_TIME_BASE


def _resolve_camera(
    camera: CameraMove | None,
    info_duration_s: float,
    start_s: float,
    duration_s: float | None,
    rate: Fraction,
) -> CameraMove | None:
    """The camera move with ``end_s`` set to the expected last frame time when it is None."""
    if camera is None or camera.end_s is not None:
        return camera
    span = info_duration_s - start_s
    if duration_s is not None:
        span = min(span, duration_s)
    end = max(span - 1 / float(rate), camera.start_s + 1 / float(rate))
    return CameraMove(
        camera.zoom_start,
        camera.zoom_end,
        camera.centre_start,
        camera.centre_end,
        camera.start_s,
        round(end, 6),
        camera.integer_crop,
    )


def inject_video(
    source: str | Path,
    output: str | Path,
    injections: Sequence[Injection],
    shakes: Sequence[Shake] | Shake = (),
    crf: int = 18,
    preset: str = "medium",
    start_s: float = 0.0,
    duration_s: float | None = None,
    resize_to_height: int | None = None,
    interpolation: str = "sinc",
    fps: float | None = None,
    camera: CameraMove | None = None,
) -> SynthTruth:
    """Inject known motion into a real video and re-encode it.

    Parameters
    ----------
    source : str or Path
        The real clip.
    output : str or Path
        Where to write the H.264 clip (e.g. ``.mp4``).
    injections : sequence of Injection
        Regions to move, applied in order; boxes in output pixels (after rotation and resize).
    shakes : Shake or sequence of Shake
        Shift of the whole frame, applied after the regions.
    crf : int
        libx264 constant rate factor (0 lossless, 18 visually lossless, 23 default).
    preset : str
        libx264 preset.
    start_s : float
        Skip the source before this time (seconds from its first frame).
    duration_s : float, optional
        Keep frames whose time from the first kept frame is below this.
    resize_to_height : int, optional
        Resize to this height first (even, aspect kept).
    interpolation : {"sinc", "cubic"}
        Sub-pixel shift method of :func:`shift_image`; ``"cubic"`` (``cv2.warpAffine``,
        ``INTER_CUBIC``) is biased by up to 0.05 px and kept only for comparison.
    fps : float, optional
        A regular output frame rate (frames per second): the source frame nearest each time
        ``n / fps`` is kept (:func:`resample_nearest`), as ffmpeg's ``fps`` filter does, and
        the motion is applied at the grid times. None keeps every frame and its time.
    camera : CameraMove, optional
        A zoom or pan applied last, after the injections and shakes (whose boxes and shifts
        are in the pixels of the frame before it); ``end_s`` None ends it at the last frame.

    Returns
    -------
    SynthTruth
        Everything injected, with the output frame times, what each oscillation realised and
        the camera's mapping per frame.

    Raises
    ------
    InputError
        A missing or unreadable source, no video stream, no frame in the chosen span, or a box
        outside the frame.
    ValueError
        Bad crf, preset, interpolation or fps.

    """
    source, output = Path(source), Path(output)
    shakes = [shakes] if isinstance(shakes, Shake) else list(shakes)
    injections = list(injections)
    check_encoding(crf, preset)
    if interpolation not in ("sinc", "cubic"):
        raise ValueError(f"interpolation must be 'sinc' or 'cubic', not {interpolation!r}")
    if fps is not None and not fps > 0:
        raise ValueError(f"fps must be positive, not {fps}")
    info = probe_video(source)
    if output.resolve() == source.resolve():
        raise InputError(output, "output would overwrite the source")
    width, height = output_size(info.width, info.height, resize_to_height)
    for inj in injections:
        problem = check_box(inj.box, width, height)
        if problem:
            raise InputError(source, f"region {inj.name!r}: {problem}")
    regions = [prepare_region(inj, width, height) for inj in injections]
    source_rate, source_tb = _stream_facts(source)
    rate, time_base = _output_clock(source_rate, source_tb, fps)
    camera = _resolve_camera(camera, info.duration_s, start_s, duration_s, rate)
    notes: list[str] = []
    frames = _source_frames(source, source_tb, notes)
    kept = _kept_frames(frames, source_tb, start_s, duration_s)
    timed = kept if fps is None else resample_nearest(kept, fps)
    writer: H264Writer | None = None
    times: list[float] = []
    transforms: list[tuple[float, float, float, float]] = []
    try:
        for t, (rel, decoded) in timed:
            pts = rel if fps is None else round(round(t * fps) / (rate * time_base))
            image = fit_frame(decoded, width, height, resize_to_height is not None)
            if image is decoded or not image.flags.writeable:
                image = image.copy()  # a frame kept twice must not be moved twice
            for region in regions:
                dx, dy = displacement(region.injection, np.array([t]))[0]
                inject_region(image, region, float(dx), float(dy), interpolation)
            if shakes:
                sx, sy = displacement(shakes, np.array([t]))[0]
                image = shift_image(image, float(sx), float(sy), interpolation)
            if camera is not None:
                transform = camera_transform(camera, t, width, height)
                transforms.append(tuple(round(v, 9) for v in transform))
                image = apply_camera(image, transform)
            if writer is None:
                writer = H264Writer(output, width, height, rate, time_base, crf, preset)
            writer.write(image, pts)
            times.append(round(t, 9))
    finally:
        frames.close()
        if writer is not None:
            writer.close()
    if writer is None:
        raise InputError(
            source, f"no frame from {start_s:g} s on (the video lasts {info.duration_s:.2f} s)"
        )
    step = float(np.median(np.diff(times))) if len(times) > 1 else 1.0 / float(rate)
    return SynthTruth(
        source=str(source),
        output=str(output),
        width=width,
        height=height,
        fps=float(rate),
        n_frames=len(times),
        duration_s=round(times[-1] + step, 9),
        crf=int(crf),
        preset=preset,
        start_s=float(start_s),
        resize_to_height=resize_to_height,
        interpolation=interpolation,
        injections=injections,
        shakes=shakes,
        camera=camera,
        resampled_fps=None if fps is None else float(fps),
        oscillations=oscillation_truths(injections, times),
        camera_transforms=transforms,
        frame_times_s=times,
        notes=notes,
    )


def side_by_side(
    left: str | Path,
    right: str | Path,
    output: str | Path,
    height: int | None = None,
    crf: int = 18,
    duration_s: float | None = None,
    preset: str = "medium",
) -> dict:
    """Put two real clips next to each other in one clip (e.g. two people side by side).

    Parameters
    ----------
    left, right : str or Path
        The clips; frames are paired by index and the result stops with the shorter one.
    output : str or Path
        Where to write the H.264 clip.
    height : int, optional
        Common height (made even); the smaller of the two heights by default.
    crf : int
        libx264 constant rate factor.
    duration_s : float, optional
        Keep frames whose time from the first frame (of the left clip) is below this.
    preset : str
        libx264 preset.

    Returns
    -------
    dict
        ``x_offset`` (column where the right clip starts), ``width``, ``height``,
        ``left_width``, ``right_width``, ``n_frames`` and ``fps``.

    Raises
    ------
    InputError
        A missing or unreadable clip, or one without a video stream.

    """
    left, right, output = Path(left), Path(right), Path(output)
    check_encoding(crf, preset)
    infos = [probe_video(left), probe_video(right)]
    common = height if height is not None else min(i.height for i in infos)
    (wl, h), (wr, _) = (output_size(i.width, i.height, common) for i in infos)
    rate, time_base = _stream_facts(left)
    _, right_tb = _stream_facts(right)
    lefts = _source_frames(left, time_base)
    rights = _source_frames(right, right_tb)
    writer = H264Writer(output, wl + wr, h, rate, time_base, crf, preset)
    first = None
    try:
        for a, b in zip(lefts, rights, strict=False):
            first = a.pts if first is None else first
            rel = a.pts - first
            if duration_s is not None and float(rel * time_base) >= duration_s:
                break
            image = np.concatenate(
                [fit_frame(a.image, wl, h, True), fit_frame(b.image, wr, h, True)], 1
            )
            writer.write(np.ascontiguousarray(image), rel)
    finally:
        lefts.close()
        rights.close()
        writer.close()
    return {
        "x_offset": wl,
        "width": wl + wr,
        "height": h,
        "left_width": wl,
        "right_width": wr,
        "n_frames": writer.n,
        "fps": float(rate),
    }
