"""The real command line on bad inputs: one line on stderr, exit code 2, never a traceback.

Each CLI run costs about two seconds of interpreter start-up and imports, so all runs of this
module are started together once (in parallel) and the tests check their recorded results.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest


def _good_csv(n: int = 2000, rate: float = 100.0, seed: int = 0) -> str:
    """20 s at 100 Hz: a 5 Hz sinusoid on x and y, gravity on z, small noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / rate
    wave = 0.5 * np.sin(2 * np.pi * 5.0 * t)
    noise = rng.normal(0.0, 0.02, (n, 3))
    lines = ["time_s,acc_x,acc_y,acc_z"]
    for i in range(n):
        x, y, z = wave[i] + noise[i, 0], 0.3 * wave[i] + noise[i, 1], 9.81 + noise[i, 2]
        lines.append(f"{t[i]:.2f},{x:.5f},{y:.5f},{z:.5f}")
    return "\n".join(lines) + "\n"


def _binary() -> bytes:
    blob = bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8))
    return b"\x00\x01" + blob + b"\x00"


def _backwards() -> str:
    times = [0.0, 0.01, 0.02, 0.03, 0.025] + [0.01 * i for i in range(4, 200)]
    return "time_s,acc_x\n" + "".join(f"{t:.3f},{i % 5}\n" for i, t in enumerate(times))


#: name -> (file name, content or None for a missing file, extra arguments, expected words)
BAD_INPUTS: dict[str, tuple[str, str | bytes | None, list[str], str]] = {
    "missing_file": ("not_there.csv", None, [], "no such file"),
    "empty_file": ("empty.csv", "", [], "empty"),
    "header_only": ("header_only.csv", "time_s,acc_x,acc_y,acc_z\n", [], "no data rows"),
    "text_only": (
        "words.csv",
        "name,comment\nalice,steady hands\nbob,shaky\ncarol,n/a\n",
        [],
        "no numeric column",
    ),
    "time_backwards": ("backwards.csv", _backwards(), [], "backwards"),
    "single_sample": ("one_row.csv", "time_s,acc_x,acc_y,acc_z\n0.0,0.1,0.2,9.8\n", [], "1 sample"),
    "channel_all_nan": (
        "all_nan.csv",
        "time_s,acc_x\n" + "".join(f"{0.01 * i:.2f},NaN\n" for i in range(500)),
        [],
        "no numeric channel",
    ),
    "binary_file": ("random.csv", _binary(), [], "binary"),
    "invalid_json": ("broken.json", '[{"timestamp": 0, "x": 1.0,}, ', [], "not valid JSON"),
    "no_time_no_rate": (
        "no_time.csv",
        "acc_x,acc_y,acc_z\n" + "".join(f"{i % 3},{i % 5},{i % 7}\n" for i in range(300)),
        [],
        "no sampling rate given",
    ),
    "unknown_channels": ("imu.csv", _good_csv(500), ["--channels", "gyro,mag"], "gyro"),
}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "TREMORSCOPE_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "tremorscope.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess[str], Path]]:
    """Write every input, run the CLI on each in parallel; name -> (result, file)."""
    folder = tmp_path_factory.mktemp("cli")
    jobs: dict[str, tuple[list[str], Path]] = {}
    for name, (file_name, content, extra, _) in BAD_INPUTS.items():
        path = folder / file_name
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif content is not None:
            path.write_text(content, encoding="utf-8")
        jobs[name] = (["signal", str(path), *extra], path)
    good = folder / "tremor_5hz.csv"
    good.write_text(_good_csv(), encoding="utf-8")
    outputs = ["--json", str(folder / "out.json"), "--csv", str(folder / "windows.csv")]
    jobs["good"] = (["signal", str(good), *outputs], good)
    jobs["bad_context"] = (["signal", str(good), "--context", "sideways", "--quiet"], good)
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {name: pool.submit(_run, args, folder) for name, (args, _) in jobs.items()}
        return {name: (futures[name].result(), jobs[name][1]) for name in jobs}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_gives_one_line_and_exit_2(runs, case):
    result, path = runs[case]
    expected = BAD_INPUTS[case][3]
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.strip()
    assert line.startswith(f"tremorscope: error: {path}: ")
    assert path.name in line
    assert expected in line
    assert result.stdout == ""


def test_bad_option_value_is_a_usage_error(runs):
    result, _ = runs["bad_context"]
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 2, result.stderr
    assert "--context" in result.stderr
    assert "internal error" not in result.stderr


def test_good_file_writes_json_and_csv(runs):
    result, path = runs["good"]
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert path.name in result.stdout
    data = json.loads((path.parent / "out.json").read_text(encoding="utf-8"))
    for key in ("schema_version", "tool", "source", "groups", "dominant"):
        assert key in data
    assert data["source"]["n_samples"] == 2000
    assert [g["name"] for g in data["groups"]] == ["acc"]
    rhythmic = data["dominant"]["rhythmic"]
    assert rhythmic["detected"] is True
    assert abs(rhythmic["frequency_hz"] - 5.0) <= 0.1
    with (path.parent / "windows.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["group", "t_start", "t_end", "peak_hz", "rhythm_rms", "present", "twitches"]
    assert len(rows) > 1
    assert all(row[0] == "acc" for row in rows[1:])
    assert abs(float(rows[1][3]) - 5.0) <= 0.2
