"""Derivative sensors (accelerometer, gyroscope) against the truth of the position they move with.

An accelerometer's spectrum is the displacement spectrum times (2 pi f)^4, a gyroscope's the
rotation angle's times (2 pi f)^2. Over a broad or wandering tremor that tilt used to pick the
highest-frequency lump of the peak; the frequency reported must be that of the position.
"""

import numpy as np
import pytest
from scipy import signal

from tremorscope import analyze_signal
from tremorscope.analysis.spectral import largest_interior_maximum, run_around

RATE = 200.0
ACC = ["acc_x", "acc_y", "acc_z"]
GYRO = ["gyro_x", "gyro_y", "gyro_z"]


def _wandering_tremor(seed, f0=5.0, sd_hz=0.3, tau_s=0.3, duration_s=60.0):
    """Position (mm) of a tremor whose frequency wanders, and its exact velocity and acceleration.

    The instantaneous frequency is ``f0`` plus low-passed noise of standard deviation ``sd_hz``
    (correlation time about ``tau_s``); the oscillation runs along (1, 0.3, 0) with 1 mm amplitude.
    """
    rng = np.random.default_rng(seed)
    n = int(duration_s * RATE)
    t = np.arange(n) / RATE
    sos = signal.butter(2, 1 / (2 * np.pi * tau_s), fs=RATE, output="sos")
    wander = signal.sosfiltfilt(sos, rng.standard_normal(n))
    freq = f0 + (wander - wander.mean()) / wander.std() * sd_hz
    omega = 2 * np.pi * freq
    phase = np.cumsum(omega) / RATE + rng.uniform(0, 2 * np.pi)
    d_omega = np.gradient(omega, 1 / RATE)
    direction = np.array([1.0, 0.3, 0.0])
    pos = np.sin(phase)[:, None] * direction
    vel = (omega * np.cos(phase))[:, None] * direction
    acc = (-(omega**2) * np.sin(phase) + d_omega * np.cos(phase))[:, None] * direction
    return t, pos, vel, acc


def _resonant_tremor(seed, kind, f0=5.0, q=3.0, duration_s=60.0):
    """A broad, random tremor: white noise through a resonator peaking at ``f0`` in position.

    Returned as position, or its first (``angular_velocity``) or second (``acceleration``)
    derivative, taken exactly in the frequency domain.
    """
    rng = np.random.default_rng(seed)
    n = int(duration_s * RATE)
    f = np.fft.rfftfreq(n, 1 / RATE)
    b, a = signal.iirpeak(f0, q, fs=RATE)
    _, h = signal.freqz(b, a, worN=f, fs=RATE)
    spectrum = np.fft.rfft(rng.standard_normal((n, 3)), axis=0) * h[:, None]
    spectrum *= np.array([1.0, 0.4, 0.1])
    order = {"position": 0, "angular_velocity": 1, "acceleration": 2}[kind]
    x = np.fft.irfft(spectrum * (2j * np.pi * f[:, None]) ** order, n, axis=0)
    return np.arange(n) / RATE, x / x.std()


def _position_peak(pos):
    """Frequency of the largest displacement power in 2-20 Hz (8 s Hann, 8x zero padding)."""
    nper = int(8 * RATE)
    nfft = int(2 ** np.ceil(np.log2(nper * 8)))
    f, p = signal.welch(
        pos - pos.mean(axis=0), RATE, "hann", nper, nper // 2, nfft, axis=0, detrend="constant"
    )
    band = (f >= 2) & (f <= 20)
    return float(f[band][np.argmax(p.sum(axis=1)[band])])


def test_accelerometer_and_gyroscope_give_the_position_peak_of_a_wandering_tremor():
    errors_acc, errors_gyro = [], []
    for seed in range(10):
        t, pos, vel, acc = _wandering_tremor(seed)
        truth = _position_peak(pos)
        noise = np.random.default_rng(100 + seed).standard_normal((2, *pos.shape))
        in_g = acc / 9806.65 + np.array([0.0, 0.0, 1.0]) + 0.005 * noise[0]
        r_acc = analyze_signal(in_g, time_s=t, names=ACC).dominant.rhythmic
        r_gyro = analyze_signal(vel + 0.05 * noise[1], time_s=t, names=GYRO).dominant.rhythmic
        assert r_acc.detected and r_gyro.detected
        errors_acc.append(r_acc.frequency_hz - truth)
        errors_gyro.append(r_gyro.frequency_hz - truth)
    # before: up to +0.29 Hz, the accelerometer high in 9 of 10 (mean +0.05 Hz)
    assert np.max(np.abs(errors_acc)) <= 0.03
    assert np.max(np.abs(errors_gyro)) <= 0.03
    assert abs(np.mean(errors_acc)) <= 0.01


@pytest.mark.parametrize("kind, names", [("acceleration", ACC), ("angular_velocity", GYRO)])
def test_broad_random_tremor_is_reported_at_the_peak_of_its_position(kind, names):
    errors = []
    for seed in range(8):
        t, pos = _resonant_tremor(seed, "position")
        _, x = _resonant_tremor(seed, kind)
        x = x + 0.02 * np.random.default_rng(50 + seed).standard_normal(x.shape)
        rhythm = analyze_signal(x, time_s=t, names=names).dominant.rhythmic
        errors.append(rhythm.frequency_hz - _position_peak(pos))
    # before: up to +0.85 Hz (acceleration) and +0.42 Hz (angular velocity)
    assert np.max(np.abs(errors)) <= 0.03


def test_pure_tremor_frequency_unchanged_for_an_accelerometer():
    t = np.arange(int(30 * RATE)) / RATE
    rng = np.random.default_rng(4)
    for f0 in (3.3, 6.1, 11.7):
        acc = -((2 * np.pi * f0) ** 2) * np.sin(2 * np.pi * f0 * t) * 1e-3  # 1 mm, in m/s^2
        x = np.c_[acc, 0.5 * acc, 9.81 + 0 * acc] + 0.02 * rng.standard_normal((t.size, 3))
        rhythm = analyze_signal(x, time_s=t, names=ACC).dominant.rhythmic
        assert abs(rhythm.frequency_hz - f0) <= 0.01
        along = np.hypot(1.0, 0.5)  # mm along the direction of motion
        assert rhythm.displacement_rms == pytest.approx(along / np.sqrt(2), rel=0.05)


def _two_sensor_file(path, acc_noise_g, f0=5.5):
    """A wrist IMU: accelerometer in g (gravity on z) and gyroscope in deg/s, one tremor."""
    t = np.arange(int(30 * RATE)) / RATE
    rng = np.random.default_rng(7)
    omega = 2 * np.pi * f0
    size_mm = 1.0
    acc = -(omega**2) * size_mm * np.sin(omega * t) / 9806.65
    accel = np.c_[acc, 0.4 * acc, 1.0 + 0.1 * acc] + acc_noise_g * rng.standard_normal((t.size, 3))
    rate = 2.0 * omega * np.cos(omega * t)  # a 2 degree rotation, deg/s
    gyro = np.c_[0.2 * rate, rate, 0.1 * rate] + 0.05 * rng.standard_normal((t.size, 3))
    header = "time_s," + ",".join(ACC + GYRO)
    np.savetxt(path, np.c_[t, accel, gyro], delimiter=",", header=header, comments="")
    return path, f0, size_mm


def test_two_sensor_file_reports_its_main_finding_in_acceleration_units(tmp_path):
    path, f0, size_mm = _two_sensor_file(tmp_path / "wrist.csv", acc_noise_g=0.01)
    result = analyze_signal(path)
    by_name = {g.name: g for g in result.groups}
    acc, gyro = by_name["acc"].finding.rhythmic, by_name["gyro"].finding.rhythmic
    assert acc.detected and gyro.detected
    # the gyroscope's rhythm stands higher over its background: it used to be the main finding
    assert gyro.peak_to_background_db > acc.peak_to_background_db
    assert result.dominant_group == "acc"
    main = result.dominant.rhythmic
    assert main.amplitude_unit == "g"
    assert main.displacement_unit.startswith("mm")
    along = size_mm * np.linalg.norm([1.0, 0.4, 0.1])  # the tremor's amplitude in mm
    assert main.displacement_rms == pytest.approx(along / np.sqrt(2), rel=0.05)
    assert abs(main.frequency_hz - f0) <= 0.02
    assert abs(gyro.frequency_hz - main.frequency_hz) <= 0.02


def test_gyroscope_is_the_main_finding_only_when_the_accelerometer_shows_no_rhythm(tmp_path):
    path, _, _ = _two_sensor_file(tmp_path / "wrist.csv", acc_noise_g=1.0)
    result = analyze_signal(path)
    by_name = {g.name: g for g in result.groups}
    assert not by_name["acc"].finding.rhythmic.detected
    assert result.dominant_group == "gyro"


def test_run_around_and_interior_maximum():
    mask = np.array([0, 1, 1, 1, 0, 1], bool)
    assert run_around(mask, 2) == (1, 3)
    assert run_around(mask, 5) == (5, 5)
    assert run_around(mask, 0) == (0, 0)
    rising = np.array([0.0, 1, 2, 3, 4])
    assert largest_interior_maximum(rising, 0, 4) is None  # the top is the edge: no peak
    lumpy = np.array([0.0, 3, 1, 2, 5, 4, 6])
    assert largest_interior_maximum(lumpy, 0, 6) == 4
    assert largest_interior_maximum(lumpy, 0, 3) == 1
