"""The record of an injection: the spec read from JSON, and the truth written beside each clip.

:class:`SynthSpec` is what a ``--spec`` file holds; :class:`SynthTruth` is everything injected
into a clip (with the output frame times and what each oscillation realised), written as JSON.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ValidationError

from tremorscope.errors import InputError
from tremorscope.synth.motion import CameraMove, Injection, Shake, oscillation_stats

METHOD_NOTE = (
    "Each frame is read with its container timestamp t (seconds from the first kept frame), "
    "rotated for display and optionally resized. Every region is shifted by d(t): a crop around "
    "the box is moved by whole pixels plus a sub-pixel windowed-sinc filter (17 taps, exact for "
    "polynomials up to degree 3, shift error below 0.002 px up to 2 rad/px; edges mirrored) and "
    "blended back with a mask that is 1 inside the box and falls to 0 over feather_px outside "
    "it (raised cosine), so the box content moves rigidly by d(t). Then the whole frame is "
    "shifted by the shake s(t) the same way. With fps set, only the source frame nearest each time "
    "n / fps is kept (t is then the grid time). A camera move (zoom about a centre, pan) is "
    "applied last: the frame's point p is shown at (sx px + tx, sy py + ty), bicubic, recorded "
    "per frame in camera_transforms. Frames are encoded with libx264 (yuv420p) keeping "
    "the source timestamps (or the grid's). Oscillations may wander in frequency and size "
    "(smooth seeded random processes; the phase is the exact integral of the frequency); "
    "oscillations lists what each realised over the frames. "
    "tremorscope.synth.video.displacement(injection or shakes, t) gives d(t) and s(t); "
    "positive dx is rightward, positive dy downward, in output pixels."
)


class SynthSpec(BaseModel):
    """What to inject: the content of a ``--spec`` JSON file.

    Attributes
    ----------
    injections : list of Injection
        Regions and their motion.
    shakes : list of Shake
        Camera shake of the whole frame.

    """

    injections: list[Injection] = []
    shakes: list[Shake] = []
    camera: CameraMove | None = None


class OscillationTruth(BaseModel):
    """What one injected oscillation actually did over the output frames it was on.

    Attributes
    ----------
    injection : str
        Name of the injection it belongs to.
    index : int
        Its position in that injection's ``oscillations``.
    mean_frequency_hz : float
        Mean instantaneous frequency, weighted by the squared size (Hz).
    frequency_sd_hz : float
        Weighted standard deviation of the instantaneous frequency (Hz).
    rms_px : float
        RMS displacement along its direction while on (px): what a measured RMS amplitude
        along the main direction is compared with.
    peak_px : float
        Largest absolute displacement (px).
    envelope_min, envelope_max : float
        Range of the size factor while on.
    on_s : float
        Time it was on (s).

    """

    injection: str
    index: int
    mean_frequency_hz: float
    frequency_sd_hz: float
    rms_px: float
    peak_px: float
    envelope_min: float
    envelope_max: float
    on_s: float


class SynthTruth(BaseModel):
    """What was injected into a synthetic clip, and how it was made.

    Attributes
    ----------
    source, output : str
        The real clip read and the clip written.
    width, height : int
        Output frame size (displayed orientation); boxes are in these pixels.
    fps : float
        Average frame rate of the source, or the ``fps`` asked for (declared for the output).
    n_frames : int
        Frames written.
    duration_s : float
        Last frame time plus the median frame interval.
    crf : int
        libx264 constant rate factor.
    preset : str
        libx264 preset.
    start_s : float
        Where the clip starts in the source, seconds from its first frame.
    resize_to_height : int or None
        Height the source was resized to, if it was.
    interpolation : str
        Sub-pixel shift method (see :func:`shift_image`).
    injections : list of Injection
        Regions and their motion.
    shakes : list of Shake
        Camera shake of the whole frame.
    camera : CameraMove or None
        Zoom and pan applied last (its ``end_s`` resolved).
    resampled_fps : float or None
        The regular output frame rate asked for (frames nearest its grid kept), or None when
        the source's frames and times were kept.
    oscillations : list of OscillationTruth
        What each oscillation did over the output frames (realised frequency and RMS).
    camera_transforms : list of tuple of float
        Per output frame ``(sx, sy, tx, ty)``: a point ``(x, y)`` of the frame before the camera
        move is shown at ``(sx x + tx, sy y + ty)`` (pixel centres at whole coordinates);
        empty without a camera move.
    frame_times_s : list of float
        Output frame times in seconds from the first frame (the times at which ``d(t)`` was
        applied).
    notes : list of str
        Repairs made while reading the source (timestamps, truncation).
    method : str
        How the clip was made.

    """

    source: str
    output: str
    width: int
    height: int
    fps: float
    n_frames: int
    duration_s: float
    crf: int
    preset: str
    start_s: float = 0.0
    resize_to_height: int | None = None
    interpolation: str = "sinc"
    injections: list[Injection] = []
    shakes: list[Shake] = []
    camera: CameraMove | None = None
    resampled_fps: float | None = None
    oscillations: list[OscillationTruth] = []
    camera_transforms: list[tuple[float, float, float, float]] = []
    frame_times_s: list[float] = []
    notes: list[str] = []
    method: str = METHOD_NOTE

    def to_json(self, path: str | Path) -> Path:
        """Write the truth as indented JSON and return the path."""
        path = Path(path)
        path.write_text(self.model_dump_json(indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def from_json(cls, path: str | Path) -> SynthTruth:
        """Read a truth file written by :meth:`to_json`."""
        return cls.model_validate_json(Path(path).read_text(encoding="utf-8"))


def write_truth(truth: SynthTruth, path: str | Path) -> Path:
    """Write ``truth`` as JSON to ``path``; returns the path."""
    return truth.to_json(path)


def load_spec(path: str | Path) -> SynthSpec:
    """Read injections and shakes from a JSON file.

    Parameters
    ----------
    path : str or Path
        JSON object with ``injections`` and ``shakes`` lists, their items holding the fields of
        :class:`Injection` (with :class:`Oscillation` and :class:`Twitch` items) and
        :class:`Shake`.

    Returns
    -------
    SynthSpec

    Raises
    ------
    InputError
        When the file is missing or does not hold a valid specification.

    """
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "spec file not found")
    try:
        return SynthSpec.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "top level"
        raise InputError(path, f"invalid spec at {where}: {first['msg']}") from None
    except UnicodeDecodeError:
        raise InputError(path, "spec is not a text JSON file") from None


def oscillation_truths(
    injections: Sequence[Injection], times: Sequence[float]
) -> list[OscillationTruth]:
    """The realised frequency and size of every injected oscillation at the frame times.

    Parameters
    ----------
    injections : sequence of Injection
        The regions injected, with their oscillations.
    times : sequence of float
        Output frame times in seconds (the times the motion was applied at).

    Returns
    -------
    list of OscillationTruth
        One per oscillation, in order of injection and then of its ``oscillations``
        (see :func:`~tremorscope.synth.motion.oscillation_stats`).

    """
    t = np.asarray(times, dtype=float)
    return [
        OscillationTruth(injection=inj.name, index=i, **oscillation_stats(osc, t))
        for inj in injections
        for i, osc in enumerate(inj.oscillations)
    ]
