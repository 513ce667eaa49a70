"""Ground truth for video: inject known motion into real footage and re-encode it.

A real clip is read frame by frame with its exact container timestamps. Chosen rectangular
regions are shifted by a known displacement ``d(t)`` (oscillations with episodes, twitches), the
whole frame can be shaken by a known ``s(t)``, and the result is encoded with libx264. The truth
(every parameter, plus the output timestamps) is written as JSON, and :func:`displacement`
recomputes the exact shift at any time from it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from pydantic import BaseModel, ValidationError

from tremorscope.errors import InputError
from tremorscope.video.reader import iter_frames, probe_video
from tremorscope.video.writer import (
    FALLBACK_TIME_BASE,
    H264Writer,
    check_encoding,
    output_size,
)

#: Half length of the windowed-sinc shift filter (it has ``2 * SINC_HALF_TAPS + 1`` taps).
SINC_HALF_TAPS = 8

#: Kaiser window parameter of the shift filter.
SINC_BETA = 7.0

_IDENTITY_TAP = np.ones(1, dtype=np.float32)

#: Sinusoids per axis that make up the smooth random wander of a :class:`Shake`.
JITTER_COMPONENTS = 12

#: Sinusoids that make up a :func:`smooth_noise` process (an oscillation's frequency wander and
#: envelope).
NOISE_COMPONENTS = 32

#: Gain inside the tanh of an oscillation's envelope: ``e = 1 + m tanh(1.5 n)`` keeps the size
#: within ``1 +- m`` while spending much of the time towards either end.
ENVELOPE_GAIN = 1.5

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


@dataclass
class Oscillation:
    """A sinusoidal movement along one direction, optionally wandering in frequency and size.

    ``d(t) = A g(t) e(t) sin(phi(t))`` along ``direction_deg``, with ``g`` the episode gate,
    ``e(t) = 1 + m tanh(1.5 n_a(t))`` the slow envelope (``m = amplitude_modulation``) and
    ``phi(t) = phase_rad + 2 pi integral_0^t f(s) ds`` the phase of the instantaneous frequency
    ``f(t) = frequency_hz + frequency_sd_hz n_f(t)``. ``n_f`` and ``n_a`` are independent smooth
    random processes of unit standard deviation (see :func:`smooth_noise`) drawn from ``seed``;
    the phase integral is exact, so :func:`displacement` is the true shift at any time.

    Attributes
    ----------
    frequency_hz : float
        Frequency in Hz (the centre of the wander).
    amplitude_px : float
        Peak amplitude ``A`` in pixels (zero to peak) of the unmodulated movement; the
        modulated peak reaches up to ``A (1 + amplitude_modulation)``.
    direction_deg : float
        Direction of movement: 0 is image +x (right), 90 is image +y (down).
    episodes : list of (float, float) or None
        Intervals in seconds from the clip start when the oscillation is on; None for always.
    ramp_s : float
        Length of the raised-cosine fade in and fade out inside each episode's edges; the
        oscillation is exactly zero outside its episodes.
    phase_rad : float
        Phase at t = 0.
    frequency_sd_hz : float
        Standard deviation in Hz of the instantaneous frequency's slow random wander (0: a fixed
        frequency). Over a clip shorter than a few ``wander_time_s`` the realised spread is
        smaller; :func:`oscillation_stats` measures it.
    amplitude_modulation : float
        Depth ``m`` (0 to below 1) of the slow random envelope: the size stays within
        ``1 +- m`` times ``amplitude_px`` (0: constant size).
    wander_time_s : float
        Time constant in seconds of both random processes (their autocorrelation is
        ``exp(-lag**2 / (2 wander_time_s**2))``).
    seed : int
        Seed of the wander and the envelope (the same seed gives the same movement).

    """

    frequency_hz: float
    amplitude_px: float
    direction_deg: float = 0.0
    episodes: list[tuple[float, float]] | None = None
    ramp_s: float = 0.3
    phase_rad: float = 0.0
    frequency_sd_hz: float = 0.0
    amplitude_modulation: float = 0.0
    wander_time_s: float = 1.5
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.frequency_hz > 0:
            raise ValueError(f"frequency_hz must be positive, not {self.frequency_hz}")
        if not self.amplitude_px >= 0:
            raise ValueError(f"amplitude_px must be zero or positive, not {self.amplitude_px}")
        if not self.ramp_s >= 0:
            raise ValueError(f"ramp_s must be zero or positive, not {self.ramp_s}")
        if not 0 <= self.frequency_sd_hz <= self.frequency_hz / 5:
            raise ValueError(
                f"frequency_sd_hz must be between 0 and a fifth of frequency_hz, "
                f"not {self.frequency_sd_hz}"
            )
        if not 0 <= self.amplitude_modulation < 1:
            raise ValueError(
                f"amplitude_modulation must be from 0 to below 1, not {self.amplitude_modulation}"
            )
        if not self.wander_time_s > 0:
            raise ValueError(f"wander_time_s must be positive, not {self.wander_time_s}")
        if self.episodes is not None:
            self.episodes = [(float(a), float(b)) for a, b in self.episodes]
            for a, b in self.episodes:
                if not b > a:
                    raise ValueError(f"episode ({a}, {b}) must end after it starts")


@dataclass
class Twitch:
    """A brief jerk: a raised-cosine (Hann) bump of displacement.

    Attributes
    ----------
    t_s : float
        Time of the peak, seconds from the clip start.
    amplitude_px : float
        Peak displacement in pixels.
    direction_deg : float
        Direction: 0 is image +x (right), 90 is image +y (down).
    duration_s : float
        Total width of the bump; it is zero outside ``t_s +- duration_s / 2``.

    """

    t_s: float
    amplitude_px: float
    direction_deg: float = 90.0
    duration_s: float = 0.15

    def __post_init__(self) -> None:
        if not self.duration_s > 0:
            raise ValueError(f"duration_s must be positive, not {self.duration_s}")


@dataclass
class Injection:
    """Motion put into one rectangular region of the frame.

    Attributes
    ----------
    name : str
        Label of the region (e.g. ``"left_hand"``).
    box : tuple of int
        ``(x, y, w, h)`` in pixels of the displayed (rotated, resized) output frame.
    oscillations : list of Oscillation
        Summed sinusoidal movements.
    twitches : list of Twitch
        Summed brief jerks.
    feather_px : int
        Width of the soft edge outside the box over which the shift fades to zero.

    """

    name: str
    box: tuple[int, int, int, int]
    oscillations: list[Oscillation] = field(default_factory=list)
    twitches: list[Twitch] = field(default_factory=list)
    feather_px: int = 12

    def __post_init__(self) -> None:
        self.box = tuple(int(v) for v in self.box)  # type: ignore[assignment]
        if len(self.box) != 4:
            raise ValueError(f"box must be (x, y, w, h), not {self.box}")
        if self.box[2] <= 0 or self.box[3] <= 0:
            raise ValueError(f"box width and height must be positive, not {self.box}")
        if self.feather_px < 0:
            raise ValueError(f"feather_px must be zero or positive, not {self.feather_px}")


@dataclass
class Shake:
    """Camera shake: the whole frame moves.

    Attributes
    ----------
    frequency_hz : float
        Frequency of the sinusoidal part in Hz.
    amplitude_px : float
        Its peak amplitude in pixels (0 for none).
    direction_deg : float
        Its direction: 0 is image +x (right), 90 is image +y (down).
    jitter_px : float
        Smooth random wander added on each axis: a sum of sinusoids with random frequencies
        below ``jitter_cutoff_hz`` and random phases (low-pass noise), with this long-run RMS
        per axis in pixels.
    seed : int
        Seed of the wander (the same seed gives the same wander).
    jitter_cutoff_hz : float
        Highest frequency of the wander.
    phase_rad : float
        Phase of the sinusoidal part at t = 0.

    """

    frequency_hz: float
    amplitude_px: float
    direction_deg: float = 0.0
    jitter_px: float = 0.0
    seed: int = 0
    jitter_cutoff_hz: float = 1.0
    phase_rad: float = 0.0

    def __post_init__(self) -> None:
        if not self.frequency_hz > 0:
            raise ValueError(f"frequency_hz must be positive, not {self.frequency_hz}")
        if not self.amplitude_px >= 0 or not self.jitter_px >= 0:
            raise ValueError("amplitude_px and jitter_px must be zero or positive")
        if not self.jitter_cutoff_hz > 0:
            raise ValueError(f"jitter_cutoff_hz must be positive, not {self.jitter_cutoff_hz}")


@dataclass
class CameraMove:
    """The camera's view changes: a zoom about a centre and a pan (the centre travels).

    At time ``t`` the output shows the window of size ``(W / z, H / z)`` centred at ``c`` of
    the (injected and shaken) frame, scaled back to ``W x H``; ``z`` and ``c`` go linearly
    from their start to their end values between ``start_s`` and ``end_s`` (held before and
    after). The window is kept inside the frame. With ``integer_crop`` the window's corner and
    size are rounded to whole pixels each frame before the scaling, as ffmpeg's ``zoompan``
    filter does, which makes the view jitter by a fraction of a pixel; without it the warp is
    exact and smooth. :func:`camera_transform` gives the mapping applied at any time.

    Attributes
    ----------
    zoom_start, zoom_end : float
        Zoom factors (1 is the whole frame, 1.3 shows 1/1.3 of each side); at least 1.
    centre_start : tuple of float or None
        ``(x, y)`` in frame pixels of the window centre at the start; None for the frame
        centre.
    centre_end : tuple of float or None
        The same at the end; None for ``centre_start`` (no pan).
    start_s : float
        When the move starts, seconds from the clip start.
    end_s : float or None
        When it ends; None for the end of the clip (resolved by :func:`inject_video`).
    integer_crop : bool
        Whole-pixel crop windows (``zoompan``-like jitter) instead of an exact warp.

    """

    zoom_start: float = 1.0
    zoom_end: float = 1.0
    centre_start: tuple[float, float] | None = None
    centre_end: tuple[float, float] | None = None
    start_s: float = 0.0
    end_s: float | None = None
    integer_crop: bool = False

    def __post_init__(self) -> None:
        if not (self.zoom_start >= 1 and self.zoom_end >= 1):
            raise ValueError(f"zooms must be at least 1, not {self.zoom_start}, {self.zoom_end}")
        for name in ("centre_start", "centre_end"):
            value = getattr(self, name)
            if value is not None:
                value = tuple(float(v) for v in value)
                if len(value) != 2:
                    raise ValueError(f"{name} must be (x, y), not {value}")
                setattr(self, name, value)
        if self.end_s is not None and not self.end_s > self.start_s:
            raise ValueError(f"end_s ({self.end_s}) must be after start_s ({self.start_s})")


Motion = Injection | Shake | Oscillation | Twitch


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


# --------------------------------------------------------------------------- displacement


def _unit(direction_deg: float) -> np.ndarray:
    angle = math.radians(direction_deg)
    return np.array([math.cos(angle), math.sin(angle)])


def episode_gate(
    t: np.ndarray, episodes: list[tuple[float, float]] | None, ramp_s: float
) -> np.ndarray:
    """Gain between 0 and 1 that switches an oscillation on during its episodes.

    Parameters
    ----------
    t : ndarray
        Times in seconds.
    episodes : list of (float, float) or None
        On intervals; None means always on.
    ramp_s : float
        Raised-cosine rise after each start and fall before each end (shortened to half the
        episode when the episode is shorter than two ramps).

    Returns
    -------
    ndarray
        The gain, exactly 0 outside every episode.

    """
    t = np.asarray(t, dtype=float)
    if episodes is None:
        return np.ones_like(t)
    gate = np.zeros_like(t)
    for a, b in episodes:
        ramp = min(ramp_s, (b - a) / 2)
        inside = (t >= a) & (t <= b)
        g = inside.astype(float)
        if ramp > 0:
            rise = 0.5 - 0.5 * np.cos(np.pi * np.clip((t - a) / ramp, 0.0, 1.0))
            fall = 0.5 - 0.5 * np.cos(np.pi * np.clip((b - t) / ramp, 0.0, 1.0))
            g = g * np.minimum(rise, fall)
        gate = np.maximum(gate, g)
    return gate


def _noise_terms(seed: int, stream: int, time_s: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Frequencies (Hz), phases (rad) and common amplitude of a :func:`smooth_noise` sum."""
    rng = np.random.default_rng([int(seed), int(stream)])
    # Frequencies drawn from a Gaussian of sd 1 / (2 pi tau) give, with random phases, an
    # autocorrelation exp(-lag^2 / (2 tau^2)) in expectation.
    freqs = np.abs(rng.normal(0.0, 1.0 / (2 * np.pi * time_s), NOISE_COMPONENTS))
    phases = rng.uniform(0.0, 2 * np.pi, NOISE_COMPONENTS)
    return freqs, phases, math.sqrt(2.0 / NOISE_COMPONENTS)


def smooth_noise(t: np.ndarray, seed: int, stream: int, time_s: float) -> np.ndarray:
    """A smooth random process of unit standard deviation, defined at any time.

    A sum of :data:`NOISE_COMPONENTS` sinusoids with random phases and random frequencies
    drawn from a half-Gaussian of standard deviation ``1 / (2 pi time_s)``: a band-limited
    Gaussian-like process whose autocorrelation is ``exp(-lag**2 / (2 time_s**2))`` in
    expectation. It has an exact integral (:func:`smooth_noise_integral`).

    Parameters
    ----------
    t : ndarray
        Times in seconds.
    seed : int
        Seed; with ``stream`` it fixes the process.
    stream : int
        Which of the independent processes of one seed (e.g. frequency 1, envelope 2).
    time_s : float
        Time constant in seconds.

    Returns
    -------
    ndarray
        The process at ``t`` (dimensionless).

    """
    freqs, phases, size = _noise_terms(seed, stream, time_s)
    t = np.asarray(t, dtype=float)
    arg = 2 * np.pi * t[..., None] * freqs + phases
    return size * np.sin(arg).sum(axis=-1)


def smooth_noise_integral(t: np.ndarray, seed: int, stream: int, time_s: float) -> np.ndarray:
    """The exact integral from 0 to ``t`` of :func:`smooth_noise` (same arguments), in s."""
    freqs, phases, size = _noise_terms(seed, stream, time_s)
    t = np.asarray(t, dtype=float)[..., None]
    # integral_0^t sin(2 pi nu s + p) ds = t sin(pi nu t + p) sinc(nu t), exact also as nu -> 0
    return size * (t * np.sin(np.pi * freqs * t + phases) * np.sinc(freqs * t)).sum(axis=-1)


def instantaneous_frequency(osc: Oscillation, t: np.ndarray) -> np.ndarray:
    """The instantaneous frequency ``f(t)`` of an oscillation, in Hz."""
    t = np.asarray(t, dtype=float)
    if osc.frequency_sd_hz == 0:
        return np.full_like(t, osc.frequency_hz)
    wander = smooth_noise(t, osc.seed, 1, osc.wander_time_s)
    return osc.frequency_hz + osc.frequency_sd_hz * wander


def oscillation_phase(osc: Oscillation, t: np.ndarray) -> np.ndarray:
    """The phase ``phi(t)`` of an oscillation in radians (the exact integral of its frequency)."""
    t = np.asarray(t, dtype=float)
    phase = 2 * np.pi * osc.frequency_hz * t + osc.phase_rad
    if osc.frequency_sd_hz:
        integral = smooth_noise_integral(t, osc.seed, 1, osc.wander_time_s)
        phase = phase + 2 * np.pi * osc.frequency_sd_hz * integral
    return phase


def envelope(osc: Oscillation, t: np.ndarray) -> np.ndarray:
    """The slow size factor ``e(t) = 1 + m tanh(1.5 n_a(t))`` (1 without modulation)."""
    t = np.asarray(t, dtype=float)
    if osc.amplitude_modulation == 0:
        return np.ones_like(t)
    slow = smooth_noise(t, osc.seed, 2, osc.wander_time_s)
    return 1.0 + osc.amplitude_modulation * np.tanh(ENVELOPE_GAIN * slow)


def _oscillation(osc: Oscillation, t: np.ndarray) -> np.ndarray:
    size = osc.amplitude_px * episode_gate(t, osc.episodes, osc.ramp_s) * envelope(osc, t)
    wave = size * np.sin(oscillation_phase(osc, t))
    return wave[:, None] * _unit(osc.direction_deg)[None, :]


def oscillation_stats(osc: Oscillation, t: np.ndarray) -> dict[str, float]:
    """What an oscillation actually did at the frame times ``t`` while it was on.

    Parameters
    ----------
    osc : Oscillation
        The oscillation.
    t : ndarray
        Frame times in seconds (the times it was applied at).

    Returns
    -------
    dict
        ``mean_frequency_hz``: mean instantaneous frequency weighted by the squared size
        (what a spectral peak estimates); ``frequency_sd_hz``: its weighted standard
        deviation; ``rms_px``: RMS displacement along the direction (px), ``peak_px``: its
        largest absolute value (px), both over the frames where it is on;
        ``envelope_min``, ``envelope_max``: range of ``e(t)`` there; ``on_s``: time it is on
        (frames on times the median frame step, s).

    """
    t = np.asarray(t, dtype=float)
    size = episode_gate(t, osc.episodes, osc.ramp_s) * envelope(osc, t)
    on = size > 0
    nan = float("nan")
    if not on.any():
        keys = ("mean_frequency_hz", "frequency_sd_hz", "rms_px", "peak_px")
        return {**dict.fromkeys(keys, nan), "envelope_min": nan, "envelope_max": nan, "on_s": 0.0}
    freq = instantaneous_frequency(osc, t[on])
    weight = size[on] ** 2
    mean = float(np.sum(weight * freq) / np.sum(weight)) if weight.sum() > 0 else osc.frequency_hz
    sd = float(np.sqrt(np.sum(weight * (freq - mean) ** 2) / weight.sum())) if weight.sum() else 0.0
    along = displacement(osc, t[on]) @ _unit(osc.direction_deg)
    env = envelope(osc, t[on])
    step = float(np.median(np.diff(t))) if t.size > 1 else 0.0
    return {
        "mean_frequency_hz": round(mean, 6),
        "frequency_sd_hz": round(sd, 6),
        "rms_px": round(float(np.sqrt(np.mean(along**2))), 6),
        "peak_px": round(float(np.abs(along).max()), 6),
        "envelope_min": round(float(env.min()), 6),
        "envelope_max": round(float(env.max()), 6),
        "on_s": round(float(on.sum()) * step, 6),
    }


def _twitch(tw: Twitch, t: np.ndarray) -> np.ndarray:
    u = (t - tw.t_s) / tw.duration_s
    bump = np.where(np.abs(u) < 0.5, 0.5 + 0.5 * np.cos(2 * np.pi * u), 0.0)
    return (tw.amplitude_px * bump)[:, None] * _unit(tw.direction_deg)[None, :]


def _jitter(shake: Shake, t: np.ndarray) -> np.ndarray:
    rng = np.random.default_rng(shake.seed)
    freqs = rng.uniform(0.1, 1.0, (2, JITTER_COMPONENTS)) * shake.jitter_cutoff_hz
    phases = rng.uniform(0.0, 2 * np.pi, (2, JITTER_COMPONENTS))
    size = shake.jitter_px * math.sqrt(2.0 / JITTER_COMPONENTS)  # RMS of the sum = jitter_px
    out = np.empty((t.size, 2))
    for axis in range(2):
        arg = 2 * np.pi * t[:, None] * freqs[axis][None, :] + phases[axis][None, :]
        out[:, axis] = size * np.sin(arg).sum(axis=1)
    return out


def _shake(shake: Shake, t: np.ndarray) -> np.ndarray:
    wave = shake.amplitude_px * np.sin(2 * np.pi * shake.frequency_hz * t + shake.phase_rad)
    out = wave[:, None] * _unit(shake.direction_deg)[None, :]
    if shake.jitter_px > 0:
        out += _jitter(shake, t)
    return out


def displacement(injection_or_shakes: Motion | Sequence[Motion], t: np.ndarray) -> np.ndarray:
    """The exact shift applied at times ``t``.

    Parameters
    ----------
    injection_or_shakes : Injection, Shake, Oscillation, Twitch or a sequence of them
        One motion or several, which add up (e.g. the list of shakes of a clip).
    t : array_like, shape (n,)
        Times in seconds from the clip start.

    Returns
    -------
    ndarray, shape (n, 2)
        ``(dx, dy)`` in pixels; +x is right, +y is down.

    """
    t = np.atleast_1d(np.asarray(t, dtype=float))
    if isinstance(injection_or_shakes, Injection):
        parts: Sequence[Motion] = [*injection_or_shakes.oscillations, *injection_or_shakes.twitches]
    elif isinstance(injection_or_shakes, Shake | Oscillation | Twitch):
        parts = [injection_or_shakes]
    else:
        parts = injection_or_shakes
    out = np.zeros((t.size, 2))
    for part in parts:
        if isinstance(part, Injection):
            out += displacement(part, t)
        elif isinstance(part, Oscillation):
            out += _oscillation(part, t)
        elif isinstance(part, Twitch):
            out += _twitch(part, t)
        elif isinstance(part, Shake):
            out += _shake(part, t)
        else:
            raise TypeError(f"not a motion: {part!r}")
    return out


def max_displacement(motion: Motion | Sequence[Motion]) -> float:
    """An upper bound of ``|d(t)|`` over all times, in pixels."""
    if isinstance(motion, Injection):
        return max_displacement([*motion.oscillations, *motion.twitches])
    if isinstance(motion, Oscillation):
        return abs(motion.amplitude_px) * (1.0 + motion.amplitude_modulation)
    if isinstance(motion, Twitch):
        return abs(motion.amplitude_px)
    if isinstance(motion, Shake):
        return abs(motion.amplitude_px) + motion.jitter_px * math.sqrt(2.0 * JITTER_COMPONENTS)
    return float(sum(max_displacement(m) for m in motion))


# --------------------------------------------------------------------------- image operations


def _sinc_taps(fraction: float) -> np.ndarray:
    """Interpolation weights that delay a row of samples by ``fraction`` (-0.5 to 0.5) pixel."""
    k = np.arange(-SINC_HALF_TAPS, SINC_HALF_TAPS + 1)
    u = k + fraction
    ratio = np.clip(1.0 - (u / (SINC_HALF_TAPS + 1)) ** 2, 0.0, 1.0)
    window = np.i0(SINC_BETA * np.sqrt(ratio)) / np.i0(SINC_BETA)
    weights = np.sinc(u) * window
    # Smallest window-weighted correction that makes the taps reproduce polynomials up to
    # degree 3 exactly (sum 1, moments 1-3 zero about the sampling point).
    moments = np.vstack([u**p for p in range(4)])
    target = np.array([1.0, 0.0, 0.0, 0.0])
    gram = (moments * window) @ moments.T
    weights = weights + window * (moments.T @ np.linalg.solve(gram, target - moments @ weights))
    return weights.astype(np.float32)


def sinc_taps(fraction: float) -> np.ndarray:
    """The 1-D interpolation filter that moves content by ``fraction`` pixel.

    A Kaiser-windowed sinc of ``2 * SINC_HALF_TAPS + 1`` taps (beta :data:`SINC_BETA`),
    corrected to reproduce polynomials up to degree 3 exactly. Its effective shift is within
    0.002 px of ``fraction`` and its gain within 0.3 % for spatial frequencies up to 2 rad/px.

    Parameters
    ----------
    fraction : float
        Shift between -0.5 and 0.5 pixel (positive moves content towards higher indices).

    Returns
    -------
    ndarray, shape (2 * SINC_HALF_TAPS + 1,), float32
        Correlation weights for offsets ``-SINC_HALF_TAPS .. SINC_HALF_TAPS``.

    """
    if not -0.5 <= fraction <= 0.5:
        raise ValueError(f"fraction must be between -0.5 and 0.5, not {fraction}")
    return _sinc_taps(float(fraction))


def _integer_shift(image: np.ndarray, nx: int, ny: int) -> np.ndarray:
    """Move content by whole pixels (an exact copy), mirroring the frame edge."""
    if nx == 0 and ny == 0:
        return image
    height, width = image.shape[:2]
    matrix = np.array([[1.0, 0.0, nx], [0.0, 1.0, ny]])
    return cv2.warpAffine(
        image,
        matrix,
        (width, height),
        flags=cv2.INTER_NEAREST,
        borderMode=cv2.BORDER_REFLECT101,
    )


def shift_image(image: np.ndarray, dx: float, dy: float, method: str = "sinc") -> np.ndarray:
    """Move the content of ``image`` by ``(dx, dy)`` pixels with sub-pixel accuracy.

    Parameters
    ----------
    image : ndarray, shape (h, w) or (h, w, c)
        The image (uint8 or float32); frame edges are mirrored (``BORDER_REFLECT_101``).
    dx, dy : float
        Shift in pixels; positive moves content right and down.
    method : {"sinc", "cubic"}
        ``"sinc"``: whole pixels by copying, the fraction by the separable windowed-sinc filter
        of :func:`sinc_taps` (``cv2.sepFilter2D``); accurate to about 0.002 px.
        ``"cubic"``: ``cv2.warpAffine`` with ``cv2.INTER_CUBIC``, whose kernel (a = -0.75)
        shifts smooth content by up to 0.05 px more or less than asked (towards half pixels).

    Returns
    -------
    ndarray
        The shifted image, same shape and type.

    """
    if dx == 0 and dy == 0:
        return image
    if method == "cubic":
        matrix = np.array([[1.0, 0.0, dx], [0.0, 1.0, dy]])
        height, width = image.shape[:2]
        return cv2.warpAffine(
            image,
            matrix,
            (width, height),
            flags=cv2.INTER_CUBIC,
            borderMode=cv2.BORDER_REFLECT101,
        )
    if method != "sinc":
        raise ValueError(f"method must be 'sinc' or 'cubic', not {method!r}")
    nx, ny = round(dx), round(dy)
    fx, fy = dx - nx, dy - ny
    if fx != 0 or fy != 0:
        kx = sinc_taps(fx) if fx != 0 else _IDENTITY_TAP
        ky = sinc_taps(fy) if fy != 0 else _IDENTITY_TAP
        image = cv2.sepFilter2D(image, -1, kx, ky, borderType=cv2.BORDER_REFLECT_101)
    return _integer_shift(image, nx, ny)


def _move_at(move: CameraMove, t: float, width: int, height: int) -> tuple[float, float, float]:
    """Zoom and window centre ``(z, cx, cy)`` of a camera move at time ``t`` (s)."""
    end = move.end_s if move.end_s is not None else move.start_s + 1.0
    u = min(max((t - move.start_s) / (end - move.start_s), 0.0), 1.0)
    start = move.centre_start or ((width - 1) / 2, (height - 1) / 2)
    stop = move.centre_end or start
    zoom = move.zoom_start + u * (move.zoom_end - move.zoom_start)
    return zoom, start[0] + u * (stop[0] - start[0]), start[1] + u * (stop[1] - start[1])


def camera_transform(
    move: CameraMove, t: float, width: int, height: int
) -> tuple[float, float, float, float]:
    """The mapping a camera move applies at time ``t``.

    Parameters
    ----------
    move : CameraMove
        The move (``end_s`` None counts as one second after ``start_s``: resolve it first).
    t : float
        Time in seconds from the clip start.
    width, height : int
        Frame size in pixels.

    Returns
    -------
    tuple of float
        ``(sx, sy, tx, ty)``: the frame's point ``(x, y)`` is shown at ``(sx x + tx, sy y + ty)``
        of the output (pixel centres at whole coordinates). With ``integer_crop`` the window's
        corner and size are whole pixels, so ``sx`` and ``sy`` may differ slightly.

    """
    zoom, cx, cy = _move_at(move, t, width, height)
    if move.integer_crop:
        w, h = max(1, round(width / zoom)), max(1, round(height / zoom))
        x0 = min(max(math.floor(cx + 0.5 - w / 2), 0), width - w)
        y0 = min(max(math.floor(cy + 0.5 - h / 2), 0), height - h)
        sx, sy = width / w, height / h
        # a w x h crop at (x0, y0) resized to width x height (pixel-area alignment)
        return sx, sy, sx * (0.5 - x0) - 0.5, sy * (0.5 - y0) - 0.5
    half_w, half_h = (width / zoom) / 2, (height / zoom) / 2
    # keep the window (edges at pixel borders -0.5 .. width - 0.5) inside the frame
    cx = min(max(cx, half_w - 0.5), width - 0.5 - half_w)
    cy = min(max(cy, half_h - 0.5), height - 0.5 - half_h)
    return zoom, zoom, (width - 1) / 2 - zoom * cx, (height - 1) / 2 - zoom * cy


def apply_camera(image: np.ndarray, transform: tuple[float, float, float, float]) -> np.ndarray:
    """Show ``image`` as a camera with ``transform`` (from :func:`camera_transform`) sees it.

    Parameters
    ----------
    image : ndarray, shape (h, w) or (h, w, c)
        The frame (uint8).
    transform : tuple of float
        ``(sx, sy, tx, ty)``; identity ``(1, 1, 0, 0)`` returns the image itself.

    Returns
    -------
    ndarray
        Same size and type; bicubic interpolation, frame edges mirrored.

    """
    sx, sy, tx, ty = transform
    if (sx, sy, tx, ty) == (1.0, 1.0, 0.0, 0.0):
        return image
    height, width = image.shape[:2]
    matrix = np.array([[sx, 0.0, tx], [0.0, sy, ty]])
    return cv2.warpAffine(
        image, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101
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


def feather_mask(
    crop: tuple[int, int, int, int], box: tuple[int, int, int, int], feather_px: int
) -> np.ndarray:
    """Blending weights over a crop: 1 inside the box, a raised-cosine fall to 0 outside it.

    Parameters
    ----------
    crop : tuple of int
        ``(x0, y0, x1, y1)`` of the crop in frame pixels (end exclusive).
    box : tuple of int
        ``(x, y, w, h)`` of the box in frame pixels.
    feather_px : int
        Distance outside the box at which the weight reaches 0.

    Returns
    -------
    ndarray, shape (y1 - y0, x1 - x0), float32

    """
    x0, y0, x1, y1 = crop
    bx, by, bw, bh = box
    xs = np.arange(x0, x1, dtype=float)
    ys = np.arange(y0, y1, dtype=float)
    ddx = np.maximum(np.maximum(bx - xs, xs - (bx + bw - 1)), 0.0)
    ddy = np.maximum(np.maximum(by - ys, ys - (by + bh - 1)), 0.0)
    dist = np.hypot(ddx[None, :], ddy[:, None])
    if feather_px <= 0:
        return (dist == 0).astype(np.float32)
    weight = np.where(
        dist < feather_px, 0.5 + 0.5 * np.cos(np.pi * np.minimum(dist / feather_px, 1.0)), 0.0
    )
    return weight.astype(np.float32)


@dataclass
class _Region:
    """An injection prepared for a frame size: its static crop and blending mask."""

    injection: Injection
    crop: tuple[int, int, int, int]
    mask: np.ndarray


def _prepare_region(injection: Injection, width: int, height: int) -> _Region:
    bx, by, bw, bh = injection.box
    reach = math.ceil(max_displacement(injection)) + SINC_HALF_TAPS + 1
    margin = injection.feather_px + reach
    crop = (
        max(bx - margin, 0),
        max(by - margin, 0),
        min(bx + bw + margin, width),
        min(by + bh + margin, height),
    )
    mask = feather_mask(crop, injection.box, injection.feather_px)
    return _Region(injection, crop, mask[:, :, None])


def _inject_region(
    image: np.ndarray, region: _Region, dx: float, dy: float, method: str = "sinc"
) -> None:
    """Shift the box content of ``region`` in ``image`` (in place) by ``(dx, dy)``."""
    if dx == 0 and dy == 0:
        return
    x0, y0, x1, y1 = region.crop
    original = image[y0:y1, x0:x1]
    moved = shift_image(original, dx, dy, method).astype(np.float32)
    base = original.astype(np.float32)
    blended = base + region.mask * (moved - base)
    image[y0:y1, x0:x1] = np.clip(np.rint(blended), 0, 255).astype(np.uint8)


def check_box(box: tuple[int, int, int, int], width: int, height: int) -> str | None:
    """Why a box does not fit a ``width`` x ``height`` frame, or None when it does."""
    x, y, w, h = box
    if w <= 0 or h <= 0:
        return f"box {box} has no area"
    if x < 0 or y < 0 or x + w > width or y + h > height:
        return f"box (x, y, w, h) = {box} lies outside the {width}x{height} frame"
    return None


def _fit(image: np.ndarray, width: int, height: int, resize: bool) -> np.ndarray:
    """Resize (when asked) or crop the odd last row or column to reach ``width`` x ``height``."""
    h, w = image.shape[:2]
    if (w, h) == (width, height):
        return image
    if resize:
        shrink = width < w or height < h
        interp = cv2.INTER_AREA if shrink else cv2.INTER_CUBIC
        return cv2.resize(image, (width, height), interpolation=interp)
    if w >= width and h >= height:
        return np.ascontiguousarray(image[:height, :width])
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_CUBIC)


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


def _truth_of_oscillations(
    injections: Sequence[Injection], times: Sequence[float]
) -> list[OscillationTruth]:
    """The realised frequency and size of every injected oscillation at the frame times."""
    t = np.asarray(times, dtype=float)
    return [
        OscillationTruth(injection=inj.name, index=i, **oscillation_stats(osc, t))
        for inj in injections
        for i, osc in enumerate(inj.oscillations)
    ]


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
    regions = [_prepare_region(inj, width, height) for inj in injections]
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
            image = _fit(decoded, width, height, resize_to_height is not None)
            if image is decoded or not image.flags.writeable:
                image = image.copy()  # a frame kept twice must not be moved twice
            for region in regions:
                dx, dy = displacement(region.injection, np.array([t]))[0]
                _inject_region(image, region, float(dx), float(dy), interpolation)
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
        oscillations=_truth_of_oscillations(injections, times),
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
            image = np.concatenate([_fit(a.image, wl, h, True), _fit(b.image, wr, h, True)], 1)
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
