"""Synthetic movement signals with known truth, for tests, benchmarks and the demo."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

GRAVITY = 9.80665


@dataclass
class SyntheticTruth:
    """What was put into a synthetic signal.

    Attributes
    ----------
    frequency_hz : float or None
        Tremor frequency (None: no tremor).
    amplitude : float
        Tremor amplitude (zero to peak) along its direction, in the signal's unit.
    episodes : list of (float, float)
        When the tremor is on, seconds.
    twitch_times : list of float
        When each twitch peaks, seconds.
    twitch_size : float
        Twitch peak size.
    constancy : float
        Share of the duration with tremor on.

    """

    frequency_hz: float | None
    amplitude: float
    episodes: list[tuple[float, float]]
    twitch_times: list[float] = field(default_factory=list)
    twitch_size: float = 0.0
    constancy: float = 0.0

    def as_dict(self) -> dict:
        """The truth as a JSON-ready dictionary."""
        return asdict(self)


def synthetic_signal(
    duration_s: float = 30.0,
    rate_hz: float = 100.0,
    frequency_hz: float | None = 5.0,
    amplitude: float = 1.0,
    episodes: list[tuple[float, float]] | None = None,
    noise: float = 0.1,
    noise_color: str = "white",
    twitch_times: list[float] | None = None,
    twitch_size: float = 0.0,
    direction: tuple[float, float, float] = (0.6, 0.8, 0.0),
    gravity: bool = False,
    drift: float = 0.0,
    frequency_wobble_hz: float = 0.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, SyntheticTruth]:
    """A three-axis signal with a known tremor, twitches, noise and nuisances.

    Parameters
    ----------
    duration_s, rate_hz : float
        Length and sampling rate.
    frequency_hz : float or None
        Tremor frequency; None for no tremor.
    amplitude : float
        Tremor amplitude (zero to peak) along ``direction``.
    episodes : list of (float, float), optional
        When the tremor is on (with 0.2 s raised-cosine edges); the whole record by default.
    noise : float
        Standard deviation of the noise on each axis.
    noise_color : {"white", "pink"}
        Flat or 1/f noise.
    twitch_times : list of float, optional
        Peak times of brief jerks (a 0.15 s smooth biphasic pulse along the third axis).
    twitch_size : float
        Their peak size.
    direction : tuple of float
        Direction of the tremor (normalised here).
    gravity : bool
        Add 1 g along the third axis (an accelerometer in m/s^2).
    drift : float
        Amplitude of a slow 0.1 Hz postural drift.
    frequency_wobble_hz : float
        Slow random variation of the tremor frequency (standard deviation).
    seed : int
        Random seed.

    Returns
    -------
    time_s : ndarray, shape (n,)
    values : ndarray, shape (n, 3)
    truth : SyntheticTruth

    """
    rng = np.random.default_rng(seed)
    n = round(duration_s * rate_hz)
    t = np.arange(n) / rate_hz
    values = np.zeros((n, 3))
    episodes = [(0.0, duration_s)] if episodes is None else episodes
    if frequency_hz is not None:
        gate = _gate(t, episodes, rate_hz)
        inst = frequency_hz + frequency_wobble_hz * _smooth_noise(rng, n, rate_hz, 0.3)
        phase = 2 * np.pi * np.cumsum(inst) / rate_hz + rng.uniform(0, 2 * np.pi)
        unit = np.asarray(direction, float) / np.linalg.norm(direction)
        values += (amplitude * gate * np.sin(phase))[:, None] * unit[None, :]
    twitch_times = twitch_times or []
    for t0 in twitch_times:
        values[:, 2] += twitch_size * _biphasic(t - t0, 0.15)
    values += noise * _noise(rng, (n, 3), noise_color)
    if gravity:
        values[:, 2] += GRAVITY
    if drift:
        phases = rng.uniform(0, 2 * np.pi, 3)
        values += drift * np.sin(2 * np.pi * 0.1 * t[:, None] + phases[None, :])
    on = sum(min(b, duration_s) - max(a, 0.0) for a, b in episodes) if frequency_hz else 0.0
    truth = SyntheticTruth(
        frequency_hz,
        amplitude,
        list(episodes) if frequency_hz else [],
        list(twitch_times),
        twitch_size,
        round(on / duration_s, 4),
    )
    return t, values, truth


def write_signal_csv(
    path: str | Path, time_s: np.ndarray, values: np.ndarray, prefix: str = "acc"
) -> Path:
    """Write a three-axis signal as CSV with columns ``time_s, PREFIX_x, PREFIX_y, PREFIX_z``."""
    path = Path(path)
    header = "time_s," + ",".join(f"{prefix}_{a}" for a in "xyz")
    np.savetxt(
        path,
        np.column_stack([time_s, values]),
        delimiter=",",
        header=header,
        comments="",
        fmt="%.6f",
    )
    return path


def _gate(t: np.ndarray, episodes: list[tuple[float, float]], rate_hz: float) -> np.ndarray:
    gate = np.zeros_like(t)
    for a, b in episodes:
        gate[(t >= a) & (t < b)] = 1.0
    ramp = int(0.2 * rate_hz)
    if ramp > 1:
        kernel = np.hanning(2 * ramp + 1)
        gate = np.convolve(gate, kernel / kernel.sum(), mode="same")
    return gate


def _biphasic(dt: np.ndarray, width_s: float) -> np.ndarray:
    """Smooth biphasic pulse (derivative of a Gaussian), peak magnitude 1."""
    sigma = width_s / 4
    pulse = -dt / sigma * np.exp(0.5 - dt**2 / (2 * sigma**2))
    return pulse


def _noise(rng: np.random.Generator, shape: tuple[int, int], color: str) -> np.ndarray:
    white = rng.standard_normal(shape)
    if color == "white":
        return white
    if color != "pink":
        raise ValueError("noise_color must be 'white' or 'pink'")
    spectrum = np.fft.rfft(white, axis=0)
    f = np.fft.rfftfreq(shape[0])
    f[0] = f[1]
    pink = np.fft.irfft(spectrum / np.sqrt(f)[:, None], n=shape[0], axis=0)
    return pink / pink.std(axis=0)


def _smooth_noise(rng: np.random.Generator, n: int, rate_hz: float, cutoff_hz: float) -> np.ndarray:
    width = max(1, int(rate_hz / cutoff_hz))
    kernel = np.hanning(2 * width + 1)
    smooth = np.convolve(rng.standard_normal(n + 2 * width), kernel, mode="same")[width:-width]
    return smooth / (smooth.std() or 1.0)
