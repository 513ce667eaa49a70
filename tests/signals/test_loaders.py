"""Unit tests of reading recordings (load_recording) and gridding them (to_uniform)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tremorscope.errors import InputError
from tremorscope.signals import SignalGroup, load_recording, to_uniform

RATE = 100.0


def write_csv(path: Path, header: list[str] | None, rows, sep: str = ",") -> Path:
    """Write rows (sequences of numbers or strings) as a delimited text file."""
    lines = [] if header is None else [sep.join(header)]
    for row in rows:
        lines.append(sep.join(v if isinstance(v, str) else repr(float(v)) for v in row))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def sine(n: int, freq: float = 5.0, rate: float = RATE) -> np.ndarray:
    return np.sin(2 * np.pi * freq * np.arange(n) / rate)


def accel_rows(n: int, gravity: float = 9.81, seed: int = 0) -> np.ndarray:
    """Accelerometer samples: a small tremor on x, gravity on z, a little noise."""
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 0.01 * gravity, (n, 3))
    values[:, 0] += 0.05 * gravity * sine(n)
    values[:, 2] += gravity
    return values


# --- time column and its unit -------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "step", "offset", "word"),
    [
        ("time_s", 0.01, 0.0, "seconds"),
        ("timestamp", 10.0, 5000.0, "milliseconds"),
        ("time_us", 10_000.0, 0.0, "microseconds"),
        # an epoch in nanoseconds: float64 keeps it to within a few hundred ns
        ("time", 10_000_000.0, 1_700_000_000_000_000_000.0, "nanoseconds"),
    ],
)
def test_time_unit_detected_from_spacing(tmp_path, column, step, offset, word):
    n = 300
    raw = [f"{int(offset + i * step)}" if step >= 1 else f"{i * step:.2f}" for i in range(n)]
    acc = accel_rows(n)
    path = write_csv(
        tmp_path / "rec.csv",
        [column, "acc_x", "acc_y", "acc_z"],
        [[t, *a] for t, a in zip(raw, acc, strict=True)],
    )
    rec = load_recording(path)
    np.testing.assert_allclose(rec.time_s, np.arange(n) / RATE, rtol=0, atol=1e-6)
    assert rec.time_s[0] == 0.0
    assert column in rec.time_source
    assert word in rec.time_source
    assert "100 Hz" in rec.time_source
    assert [g.name for g in rec.groups] == ["acc"]
    np.testing.assert_allclose(rec.groups[0].values, acc, rtol=1e-12)


def test_time_unit_override(tmp_path):
    rows = [[i * 10.0, *a] for i, a in enumerate(accel_rows(200))]
    path = write_csv(tmp_path / "rec.csv", ["t_ms", "acc_x", "acc_y", "acc_z"], rows)
    # the spacing says milliseconds; an explicit unit wins
    rec = load_recording(path, time_unit="us")
    assert "microseconds" in rec.time_source
    assert "as given" in rec.time_source
    assert rec.time_s[-1] == pytest.approx(199 * 10e-6)
    with pytest.raises(InputError, match="unknown time unit"):
        load_recording(path, time_unit="parsec")


def test_undetectable_time_unit_asks_for_one(tmp_path):
    # a step of 1e9 gives 1 Hz even in nanoseconds: no unit makes it a plausible rate
    rows = [[i * 1e9, *a] for i, a in enumerate(accel_rows(100))]
    path = write_csv(tmp_path / "rec.csv", ["time", "acc_x", "acc_y", "acc_z"], rows)
    with pytest.raises(InputError, match="give the time unit"):
        load_recording(path)


def test_rate_for_file_without_time_column(tmp_path):
    acc = accel_rows(120)
    path = write_csv(tmp_path / "rec.csv", ["acc_x", "acc_y", "acc_z"], acc)
    rec = load_recording(path, rate_hz=50)
    np.testing.assert_allclose(rec.time_s, np.arange(120) / 50.0)
    assert "50 Hz" in rec.time_source
    assert "no time column" in rec.time_source
    assert rec.groups[0].values.shape == (120, 3)
    with pytest.raises(InputError, match="no time column") as info:
        load_recording(path)
    assert info.value.path == str(path)
    with pytest.raises(InputError, match="must be positive"):
        load_recording(path, rate_hz=0)


def test_rate_ignored_when_time_column_present(tmp_path):
    rows = [[f"{i * 0.01:.2f}", *a] for i, a in enumerate(accel_rows(100))]
    path = write_csv(tmp_path / "rec.csv", ["time_s", "acc_x", "acc_y", "acc_z"], rows)
    rec = load_recording(path, rate_hz=7)
    assert rec.time_s[1] == pytest.approx(0.01)
    assert "seconds" in rec.time_source


# --- file formats --------------------------------------------------------------------------


def test_semicolon_separated_csv(tmp_path):
    acc = accel_rows(150)
    rows = [[f"{i * 0.01:.2f}", *(f"{v:.6f}" for v in a)] for i, a in enumerate(acc)]
    path = write_csv(tmp_path / "semi.csv", ["time_s", "acc_x", "acc_y", "acc_z"], rows, sep=";")
    rec = load_recording(path)
    assert [g.name for g in rec.groups] == ["acc"]
    assert rec.groups[0].channels == ["acc_x", "acc_y", "acc_z"]
    np.testing.assert_allclose(rec.groups[0].values, acc, atol=1e-6)
    assert rec.time_s[-1] == pytest.approx(1.49)
    assert "seconds" in rec.time_source


def test_headerless_csv_first_column_is_time_constant_column_dropped(tmp_path):
    n = 200
    wave = sine(n)
    rows = [[f"{i * 0.01:.2f}", f"{w:.6f}", "7", f"{-w:.6f}"] for i, w in enumerate(wave)]
    path = write_csv(tmp_path / "bare.csv", None, rows)
    rec = load_recording(path)
    assert "col1" in rec.time_source
    assert "seconds" in rec.time_source
    np.testing.assert_allclose(rec.time_s, np.arange(n) / RATE, atol=1e-9)
    assert len(rec.groups) == 1
    group = rec.groups[0]
    assert group.channels == ["col2", "col4"]
    np.testing.assert_allclose(group.values[:, 0], wave, atol=1e-6)
    assert any("col3" in note and "constant" in note for note in rec.notes)


def test_json_list_of_records(tmp_path):
    n = 200
    wave = sine(n)
    records = [
        {"timestamp": 1000 + 10 * i, "x": float(w), "y": float(-w), "z": 0.5 * float(w) + i % 2}
        for i, w in enumerate(wave)
    ]
    path = tmp_path / "rec.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    rec = load_recording(path)
    assert "timestamp" in rec.time_source
    assert "milliseconds" in rec.time_source
    np.testing.assert_allclose(rec.time_s, np.arange(n) / RATE, atol=1e-9)
    # bare x, y, z columns are the axes of one vector
    assert len(rec.groups) == 1
    assert rec.groups[0].channels == ["x", "y", "z"]
    np.testing.assert_allclose(rec.groups[0].values[:, 1], -wave)


def test_json_object_of_arrays(tmp_path):
    n = 100
    path = tmp_path / "rec.json"
    data = {"time": [i * 0.01 for i in range(n)], "gyro_x": sine(n).tolist()}
    data["gyro_y"] = (2 * sine(n)).tolist()
    path.write_text(json.dumps(data), encoding="utf-8")
    rec = load_recording(path)
    assert [g.name for g in rec.groups] == ["gyro"]
    assert rec.groups[0].kind == "angular_velocity"
    assert rec.time_s[-1] == pytest.approx(0.99)


# --- grouping, selection, kind and unit ----------------------------------------------------


def test_grouping_acc_and_gyro(tmp_path):
    n = 100
    acc = accel_rows(n)
    gyro = accel_rows(n, gravity=1.0, seed=3) * 50
    names = ["time_s", "acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"]
    rows = [[f"{i * 0.01:.2f}", *a, *g] for i, (a, g) in enumerate(zip(acc, gyro, strict=True))]
    rec = load_recording(write_csv(tmp_path / "imu.csv", names, rows))
    assert [g.name for g in rec.groups] == ["acc", "gyro"]
    acc_group, gyro_group = rec.groups
    assert acc_group.channels == ["acc_x", "acc_y", "acc_z"]
    assert gyro_group.channels == ["gyro_x", "gyro_y", "gyro_z"]
    np.testing.assert_allclose(gyro_group.values, gyro)
    assert acc_group.kind == "acceleration"
    assert acc_group.unit == "m/s^2"
    assert gyro_group.kind == "angular_velocity"


def test_grouping_marker(tmp_path):
    n = 100
    rows = [[f"{i * 0.01:.2f}", 10 + w, 20 - w, 30 + 2 * w] for i, w in enumerate(sine(n))]
    names = ["time_s", "marker4_x", "marker4_y", "marker4_z"]
    rec = load_recording(write_csv(tmp_path / "mocap.csv", names, rows))
    assert [g.name for g in rec.groups] == ["marker4"]
    assert rec.groups[0].channels == names[1:]
    assert rec.groups[0].kind == "position"


def test_landmark_vectors_merge_into_one_point_set(tmp_path):
    n = 60
    rng = np.random.default_rng(5)
    names = [f"right_lm{k}_{a}" for k in range(21) for a in "xyz"]
    values = 0.5 + 0.1 * rng.random((n, len(names)))
    rows = [[f"{i * 0.01:.2f}", *v] for i, v in enumerate(values)]
    rec = load_recording(write_csv(tmp_path / "hand.csv", ["time_s", *names], rows))
    assert [g.name for g in rec.groups] == ["right_lm"]
    group = rec.groups[0]
    assert len(group.channels) == 63
    assert group.channels[0] == "right_lm0_x"
    assert group.channels[-1] == "right_lm20_z"
    assert group.values.shape == (n, 63)
    assert group.kind == "position"
    assert group.unit == "normalised image units"


def test_few_indexed_vectors_stay_separate(tmp_path):
    names = [f"marker{k}_{a}" for k in (1, 2) for a in "xyz"]
    rows = [[f"{i * 0.01:.2f}", *(w * (j + 1) for j in range(6))] for i, w in enumerate(sine(80))]
    rec = load_recording(write_csv(tmp_path / "m.csv", ["time_s", *names], rows))
    assert [g.name for g in rec.groups] == ["marker1", "marker2"]


@pytest.fixture
def imu_file(tmp_path) -> Path:
    n = 100
    names = ["time_s", "acc_x", "acc_y", "acc_z", "gyro_x", "gyro_y", "gyro_z"]
    acc = accel_rows(n)
    rows = [[f"{i * 0.01:.2f}", *a, *(a * 2)] for i, a in enumerate(acc)]
    return write_csv(tmp_path / "imu.csv", names, rows)


def test_channels_select_vector(imu_file):
    rec = load_recording(imu_file, channels=["gyro"])
    assert [g.name for g in rec.groups] == ["gyro"]
    assert rec.groups[0].channels == ["gyro_x", "gyro_y", "gyro_z"]


def test_channels_select_columns(imu_file):
    rec = load_recording(imu_file, channels=["acc_x", "gyro_z"])
    assert [(g.name, g.channels) for g in rec.groups] == [("acc", ["acc_x"]), ("gyro", ["gyro_z"])]
    assert rec.groups[0].values.shape == (100, 1)
    # a single accelerometer axis gives no gravity magnitude to read a unit from
    assert rec.groups[0].unit == "input units"


def test_channels_unknown_names_the_available_ones(imu_file):
    with pytest.raises(InputError) as info:
        load_recording(imu_file, channels=["mag"])
    assert info.value.path == str(imu_file)
    assert "mag" in info.value.problem
    assert "acc" in info.value.problem
    assert "gyro" in info.value.problem


@pytest.mark.parametrize(
    ("gravity", "unit"),
    [(9.81, "m/s^2"), (1.0, "g"), (1000.0, "mg"), (50.0, "input units")],
)
def test_acceleration_unit_from_gravity(tmp_path, gravity, unit):
    acc = accel_rows(200, gravity=gravity)
    rows = [[f"{i * 0.01:.2f}", *a] for i, a in enumerate(acc)]
    path = write_csv(tmp_path / "acc.csv", ["time_s", "acc_x", "acc_y", "acc_z"], rows)
    group = load_recording(path).groups[0]
    assert group.kind == "acceleration"
    assert group.unit == unit


# --- dropped samples and errors ------------------------------------------------------------


def test_repeated_timestamps_dropped_with_note(tmp_path):
    times = ["0.00", "0.01", "0.02", "0.02", "0.03", "0.04", "0.04", "0.05"]
    times += [f"{0.01 * i:.2f}" for i in range(6, 50)]
    rows = [[t, float(i), float(-i)] for i, t in enumerate(times)]
    rec = load_recording(write_csv(tmp_path / "dup.csv", ["time_s", "v_x", "v_y"], rows))
    assert len(rec.time_s) == len(times) - 2
    assert np.all(np.diff(rec.time_s) > 0)
    assert rec.groups[0].values.shape == (len(times) - 2, 2)
    # the first sample of a repeated time is kept
    assert list(rec.groups[0].values[:6, 0]) == [0.0, 1.0, 2.0, 4.0, 5.0, 7.0]
    assert any("2 samples" in note and "repeated" in note for note in rec.notes)


def test_time_going_backwards_names_the_row(tmp_path):
    times = ["0.00", "0.01", "0.02", "0.015", "0.03"] + [f"{0.01 * i:.2f}" for i in range(4, 30)]
    rows = [[t, float(i % 3)] for i, t in enumerate(times)]
    path = write_csv(tmp_path / "back.csv", ["time_s", "acc_x"], rows)
    with pytest.raises(InputError, match=r"backwards at data row 4 of column 'time_s'"):
        load_recording(path)


def test_single_sample_is_refused(tmp_path):
    path = write_csv(tmp_path / "one.csv", ["time_s", "acc_x", "acc_y"], [[0.0, 1.0, 2.0]])
    with pytest.raises(InputError, match="only 1 sample"):
        load_recording(path)


# --- to_uniform ----------------------------------------------------------------------------


def _group(values: np.ndarray) -> SignalGroup:
    return SignalGroup("acc", ["acc_x", "acc_y", "acc_z"], values, "acceleration", "m/s^2")


def test_regular_sampling_is_not_resampled(tmp_path):
    n = 500
    acc = accel_rows(n)
    rows = [[f"{i * 0.01:.2f}", *a] for i, a in enumerate(acc)]
    rec = load_recording(write_csv(tmp_path / "r.csv", ["time_s", "acc_x", "acc_y", "acc_z"], rows))
    uni = to_uniform(rec.groups[0], rec.time_s)
    assert uni.resampled is False
    assert uni.rate_hz == pytest.approx(RATE)
    assert uni.segments == [(0, n)]
    assert uni.bridged_gaps == 0
    np.testing.assert_allclose(uni.values, acc, atol=1e-9)
    assert uni.unit == "m/s^2"


def test_irregular_sampling_is_resampled():
    n = 1000
    rng = np.random.default_rng(2)
    time_s = np.arange(n) / RATE + rng.uniform(-0.001, 0.001, n)
    time_s -= time_s[0]
    values = np.column_stack([np.sin(2 * np.pi * 5 * time_s)] * 3)
    uni = to_uniform(_group(values), time_s)
    assert uni.resampled is True
    assert uni.rate_hz == pytest.approx(RATE, rel=0.02)
    np.testing.assert_allclose(np.diff(uni.time_s), 1 / uni.rate_hz, rtol=1e-6)
    assert uni.segments == [(0, len(uni.time_s))]
    # interpolated onto the grid, still the same sinusoid
    np.testing.assert_allclose(uni.values[:, 0], np.sin(2 * np.pi * 5 * uni.time_s), atol=0.03)


def _file_with_gap(tmp_path: Path, start: int, stop: int) -> Path:
    """10 s at 100 Hz with empty cells in samples start..stop-1."""
    n = 1000
    acc = accel_rows(n)
    rows = []
    for i, a in enumerate(acc):
        cells = ["", "", ""] if start <= i < stop else list(a)
        rows.append([f"{i * 0.01:.2f}", *cells])
    return write_csv(tmp_path / "gap.csv", ["time_s", "acc_x", "acc_y", "acc_z"], rows)


def test_short_gap_is_bridged(tmp_path):
    rec = load_recording(_file_with_gap(tmp_path, 300, 310))  # 0.1 s missing
    assert np.isnan(rec.groups[0].values[300:310]).all()
    uni = to_uniform(rec.groups[0], rec.time_s)
    assert uni.bridged_gaps == 1
    assert uni.bridged_s == pytest.approx(0.11)
    assert uni.segments == [(0, len(uni.time_s))]
    assert np.isfinite(uni.values).all()
    assert uni.valid_duration_s == pytest.approx(10.0, abs=0.02)


def test_long_gap_splits_into_segments(tmp_path):
    rec = load_recording(_file_with_gap(tmp_path, 300, 500))  # 2 s missing
    uni = to_uniform(rec.groups[0], rec.time_s)
    assert uni.bridged_gaps == 0
    assert len(uni.segments) == 2
    (a0, b0), (a1, b1) = uni.segments
    assert a0 == 0
    assert b1 == len(uni.time_s)
    assert uni.time_s[b0 - 1] == pytest.approx(2.99, abs=1e-6)
    assert uni.time_s[a1] == pytest.approx(5.0, abs=0.011)
    inside = (uni.time_s > 2.995) & (uni.time_s < 4.995)
    assert inside.sum() >= 199
    assert np.isnan(uni.values[inside]).all()
    outside = (uni.time_s < 2.995) | (uni.time_s > 5.005)
    assert np.isfinite(uni.values[outside]).all()
    assert uni.valid_duration_s == pytest.approx(8.0, abs=0.02)


def test_unnamed_vector_near_gravity_is_an_accelerometer(tmp_path):
    rng = np.random.default_rng(0)
    n = 300
    t_ns = 1_000_000_000 + np.arange(n) * 10_000_000
    xyz = np.column_stack(
        [
            0.3 * rng.standard_normal(n),
            0.3 * rng.standard_normal(n),
            9.7 + 0.2 * rng.standard_normal(n),
        ]
    )
    path = tmp_path / "phone.csv"
    np.savetxt(path, np.column_stack([t_ns, xyz, np.full(n, 3.0)]), delimiter=",", fmt="%.6f")
    rec = load_recording(path)
    assert [(g.name, g.kind, g.unit) for g in rec.groups] == [("signal", "acceleration", "m/s^2")]
    # normalised coordinates near 0.5 stay unknown, not an accelerometer in g
    path2 = tmp_path / "coords.csv"
    np.savetxt(
        path2,
        np.column_stack([t_ns, 0.5 + 0.01 * rng.standard_normal((n, 3))]),
        delimiter=",",
        fmt="%.6f",
    )
    assert load_recording(path2).groups[0].kind == "unknown"
