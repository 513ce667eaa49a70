"""Accuracy of the analysis engine on synthetic signals of known truth."""

import numpy as np
import pytest

from tremorscope import analyze_signal
from tremorscope.synth import synthetic_signal


def _sine_at_snr(freq, snr_db, duration=10.0, rate=100.0, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration * rate)) / rate
    amplitude = 1.0
    noise_sd = np.sqrt(amplitude**2 / 2 / 10 ** (snr_db / 10))
    x = amplitude * np.sin(
        2 * np.pi * freq * t + rng.uniform(0, 6)
    ) + noise_sd * rng.standard_normal(t.size)
    return t, x


@pytest.mark.parametrize("freq", [2.7, 4.15, 5.5, 7.33, 9.8, 12.6, 16.4])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_frequency_within_005_hz_at_10_db_over_10_s(freq, seed):
    t, x = _sine_at_snr(freq, 10.0, seed=seed)
    result = analyze_signal(x, time_s=t)
    rhythm = result.dominant.rhythmic
    assert rhythm.detected
    assert abs(rhythm.frequency_hz - freq) <= 0.05
    lo, hi = rhythm.frequency_ci_hz
    assert lo <= rhythm.frequency_hz <= hi


def test_interval_covers_truth_in_most_noisy_cases():
    covered = 0
    for seed in range(20):
        t, x = _sine_at_snr(6.1, 3.0, duration=20.0, seed=seed)
        r = analyze_signal(x, time_s=t).dominant.rhythmic
        covered += r.frequency_ci_hz[0] <= 6.1 <= r.frequency_ci_hz[1]
    assert covered >= 17


@pytest.mark.parametrize(
    "episodes",
    [
        [(5.0, 15.0), (20.0, 25.0)],
        [(0.0, 12.0)],
        [(3.0, 6.0), (10.0, 14.0), (18.0, 29.0)],
    ],
)
@pytest.mark.parametrize("freq", [4.5, 8.0])
def test_constancy_within_5_points_for_known_episodes(episodes, freq):
    t, v, truth = synthetic_signal(
        duration_s=30.0, frequency_hz=freq, amplitude=1.0, episodes=episodes, noise=0.1, seed=3
    )
    r = analyze_signal(v, time_s=t).dominant.rhythmic
    assert r.detected
    assert abs(r.constancy - truth.constancy) <= 0.05
    assert len(r.episodes) == len(episodes)
    for (a, b), (ta, tb) in zip(r.episodes, episodes, strict=True):
        assert abs(a - ta) < 0.5 and abs(b - tb) < 0.5


@pytest.mark.parametrize("with_tremor", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_exact_twitch_count_for_isolated_jerks(with_tremor, seed):
    rng = np.random.default_rng(seed)
    times = np.sort(rng.choice(np.arange(2.0, 38.0, 2.5), size=7, replace=False)).tolist()
    t, v, _ = synthetic_signal(
        duration_s=40.0,
        frequency_hz=5.0 if with_tremor else None,
        amplitude=0.5,
        noise=0.05,
        twitch_times=times,
        twitch_size=3.0,
        seed=seed,
    )
    tw = analyze_signal(v, time_s=t).dominant.twitches
    assert tw.count == len(times)
    found = np.array([e.t for e in tw.events])
    assert np.all(np.abs(found - np.array(times)) < 0.1)
    assert tw.rate_per_min == pytest.approx(len(times) * 60 / 40.0, rel=0.02)
    if with_tremor:
        assert analyze_signal(v, time_s=t).dominant.rhythmic.detected


@pytest.mark.parametrize("color", ["white", "pink"])
def test_no_rhythm_in_noise_for_99_of_100_seeds(color):
    false_alarms = 0
    for seed in range(100):
        t, v, _ = synthetic_signal(
            duration_s=20.0, frequency_hz=None, noise=1.0, noise_color=color, seed=seed
        )
        false_alarms += analyze_signal(v, time_s=t).dominant.rhythmic.detected
    assert false_alarms <= 1


def test_gravity_and_drift_do_not_hide_or_fake_a_rhythm():
    t, v, _ = synthetic_signal(
        duration_s=30.0, frequency_hz=6.2, amplitude=0.3, noise=0.05, gravity=True, drift=2.0
    )
    r = analyze_signal(v, time_s=t, names=["acc_x", "acc_y", "acc_z"]).dominant.rhythmic
    assert r.detected and abs(r.frequency_hz - 6.2) < 0.05
    assert r.amplitude == pytest.approx(0.3 / np.sqrt(2), rel=0.1)
    t, v, _ = synthetic_signal(
        duration_s=30.0, frequency_hz=None, noise=0.05, gravity=True, drift=2.0
    )
    assert not analyze_signal(v, time_s=t).dominant.rhythmic.detected


def test_harmonics_resolve_to_the_fundamental():
    rate, f0 = 100.0, 4.6
    t = np.arange(int(30 * rate)) / rate
    rng = np.random.default_rng(5)
    # an accelerometer sees the second harmonic of a slightly skewed tremor 16 times stronger
    x = 0.4 * np.sin(2 * np.pi * f0 * t) + 0.6 * np.sin(2 * np.pi * 2 * f0 * t + 0.3)
    x = x + 0.02 * rng.standard_normal(t.size)
    r = analyze_signal(x, time_s=t, names=["acc"]).dominant.rhythmic
    assert r.detected and abs(r.frequency_hz - f0) < 0.05
    assert any("harmonic" in reason for reason in r.kind_reasons)


def _voluntary_movement(rate, duration, f_move, seed):
    t = np.arange(int(duration * rate)) / rate
    rng = np.random.default_rng(seed)
    # rounded square wave: a repetitive, forceful movement rich in odd harmonics
    move = np.tanh(4 * np.sin(2 * np.pi * f_move * t)) * 20.0
    return t, move[:, None] * np.array([[1.0, 0.3, 0.0]]) + 0.05 * rng.standard_normal((t.size, 3))


def test_large_voluntary_movement_is_not_called_tremor():
    t, v = _voluntary_movement(100.0, 30.0, 1.1, 0)
    r = analyze_signal(v, time_s=t, names=["marker_x", "marker_y", "marker_z"]).dominant.rhythmic
    assert not (r.detected and r.kind == "tremor")


def test_tremor_during_voluntary_movement_is_still_found():
    t, v = _voluntary_movement(100.0, 30.0, 0.7, 1)
    v[:, 2] += 0.4 * np.sin(2 * np.pi * 7.3 * t)
    r = analyze_signal(v, time_s=t, names=["marker_x", "marker_y", "marker_z"]).dominant
    assert r.rhythmic.detected and r.rhythmic.kind == "tremor"
    assert abs(r.rhythmic.frequency_hz - 7.3) < 0.05
    assert "voluntary_movement_present" in r.quality.flags


def test_direction_and_axes_combined_along_motion():
    t, v, _ = synthetic_signal(
        duration_s=20.0, frequency_hz=5.0, amplitude=2.0, direction=(0.0, 0.6, 0.8), noise=0.05
    )
    r = analyze_signal(v, time_s=t, names=["marker_x", "marker_y", "marker_z"]).dominant.rhythmic
    assert np.allclose(np.abs(r.direction), [0.0, 0.6, 0.8], atol=0.03)
    # a position: the amplitude is a displacement, RMS and peak-to-peak of a sinusoid
    assert r.displacement_rms == pytest.approx(2.0 / np.sqrt(2), rel=0.05)
    assert r.amplitude_peak_to_peak == pytest.approx(4.0, rel=0.05)
    assert r.linearity > 0.95


def test_nyquist_caps_the_band_and_says_so():
    t, v, _ = synthetic_signal(duration_s=20.0, rate_hz=30.0, frequency_hz=5.0, noise=0.05)
    result = analyze_signal(v, time_s=t)
    q = result.dominant.quality
    assert q.band_hz[1] == pytest.approx(0.9 * 15.0)
    assert "band_capped_by_sampling_rate" in q.flags
    assert "orthostatic_band_not_visible" in q.flags
    assert result.dominant.rhythmic.detected


def test_regularity_and_stability_separate_steady_from_wandering_rhythm():
    t, steady, _ = synthetic_signal(duration_s=30.0, frequency_hz=5.5, noise=0.05, seed=1)
    t, wander, _ = synthetic_signal(
        duration_s=30.0, frequency_hz=5.5, noise=0.05, frequency_wobble_hz=0.8, seed=1
    )
    a = analyze_signal(steady, time_s=t).dominant.rhythmic
    b = analyze_signal(wander, time_s=t).dominant.rhythmic
    assert a.regularity > b.regularity
    assert a.stability_index_hz < b.stability_index_hz


def test_signature_wording_is_resemblance_not_diagnosis():
    t, v, _ = synthetic_signal(duration_s=30.0, frequency_hz=15.5, noise=0.05, rate_hz=200.0)
    sig = analyze_signal(v, time_s=t, context="standing").dominant.signature
    assert sig.closest == "orthostatic tremor"
    assert "not a diagnosis" in sig.statement
    assert any("standing" in reason for reason in sig.matches[0].reasons)
