"""The motion put into footage: what it is, and the exact shift it makes at any time.

Oscillations (with episodes, a wandering frequency and a slow envelope), twitches, camera shake
and camera moves, as the injector (:func:`tremorscope.synth.video.inject_video`) takes them and the
truth file (:mod:`tremorscope.synth.truth`) records them. :func:`displacement` gives the exact
shift ``d(t)`` (or ``s(t)``) in pixels at any time from these parameters alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

#: Sinusoids per axis that make up the smooth random wander of a :class:`Shake`.
JITTER_COMPONENTS = 12

#: Sinusoids that make up a :func:`smooth_noise` process (an oscillation's frequency wander and
#: envelope).
NOISE_COMPONENTS = 32

#: Gain inside the tanh of an oscillation's envelope: ``e = 1 + m tanh(1.5 n)`` keeps the size
#: within ``1 +- m`` while spending much of the time towards either end.
ENVELOPE_GAIN = 1.5


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
