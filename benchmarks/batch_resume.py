"""A batch killed and resumed, and the same batch on a local Dask cluster, on real inputs.

The folder: the six real clips of ../shared/realdata (VisionMD FT_L, HM_L, HM_R; EVM baby and
face; TremAn3's hand), a real wrist IMU recording (Kiel 005), a text file named ``.mp4`` and an
mp4 cut before its index. Then:

1. ``tremorscope batch FOLDER --out OUT --jobs 1`` is killed with SIGKILL (the batch and its
   worker) once two results are in place, and run again: it must end with 7 complete results,
   both bad inputs reported with their messages, a complete ``summary.csv``, exit code 2, and
   the two results made before the kill untouched (computed once);
2. the same batch on a Dask cluster started here (``dask scheduler`` and two ``dask worker``
   processes with one thread each, loopback only): the main frequencies must equal the local
   run's within 0.01 Hz, and both workers must have worked.

Run: ``python benchmarks/batch_resume.py [--out DIR]``; about 5 min.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
CLIPS = [
    "visionmd/FT_L.mp4",
    "visionmd/HM_L.mp4",
    "visionmd/HM_R.mp4",
    "evm/baby.mp4",
    "evm/face.mp4",
    "treman3/hand.mp4",
]
TOOL = [sys.executable, "-m", "tremorscope"]


def build_folder(folder: Path) -> None:
    """The six clips, the IMU recording, a text '.mp4' and a truncated mp4."""
    folder.mkdir(parents=True, exist_ok=True)
    for clip in CLIPS:
        shutil.copy(REALDATA / clip, folder / clip.replace("/", "_"))
    shutil.copy(REALDATA / "kiel" / "imu" / "005.csv", folder / "kiel_imu_005.csv")
    (folder / "notes.mp4").write_text("Minutes of the meeting, not a video.\n" * 40)
    data = (REALDATA / "evm" / "baby.mp4").read_bytes()
    (folder / "cut.mp4").write_bytes(data[: len(data) // 3])


def results(out: Path) -> dict[str, int]:
    """Result folders in place, with the time their record was written (ns)."""
    return {p.parent.name: p.stat().st_mtime_ns for p in out.glob("*/input.json")}


def main_frequencies(out: Path) -> dict[str, float | None]:
    freqs = {}
    for path in out.glob("*/analysis.json"):
        dominant = json.loads(path.read_text())["dominant"]
        freqs[path.parent.name] = dominant["rhythmic"]["frequency_hz"] if dominant else None
    return freqs


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def killed_and_resumed(folder: Path, out: Path) -> dict[str, int]:
    command = [*TOOL, "batch", str(folder), "--out", str(out), "--jobs", "1", "--quiet"]
    process = subprocess.Popen(command, start_new_session=True)
    while len(results(out)) < 2 and process.poll() is None:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    before = results(out)
    print(f"killed with SIGKILL after {len(before)} results: {sorted(before)}")
    started = time.perf_counter()
    run = subprocess.run(command[:-1], capture_output=True, text=True)
    print(f"rerun: exit code {run.returncode} in {time.perf_counter() - started:.1f} s")
    print("  stderr: " + "\n  stderr: ".join(run.stderr.strip().splitlines()))
    after = results(out)
    statuses = {
        r["result"]: r["status"] for r in json.loads((out / "batch.json").read_text())["inputs"]
    }
    untouched = all(after.get(name) == stamp for name, stamp in before.items())
    with (out / "summary.csv").open() as handle:
        summary = {row["result"] for row in csv.DictReader(handle)}
    print(f"  statuses: {statuses}")
    print(
        f"  complete results {len(after)} (goal 7); "
        f"failed {sum(s == 'failed' for s in statuses.values())} "
        f"(goal 2); results made before the kill untouched: {untouched}; "
        f"summary.csv covers every input: {summary == set(statuses)}"
    )
    return statuses


def on_dask(folder: Path, out: Path, local: Path) -> None:
    dask = Path(sys.executable).with_name("dask")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [
        subprocess.Popen(
            [str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            **quiet,
        )
    ]
    for i in (1, 2):
        worker = [str(dask), "worker", address, "--nthreads", "1", "--nworkers", "1"]
        worker += ["--host", "127.0.0.1", "--no-dashboard", "--name", f"w{i}"]
        processes.append(subprocess.Popen(worker, **quiet))
    try:
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        started = time.perf_counter()
        run = subprocess.run(
            [*TOOL, "batch", str(folder), "--out", str(out), "--scheduler", address, "--quiet"],
            capture_output=True,
            text=True,
        )
        print(
            f"on Dask ({address}): exit code {run.returncode} "
            f"in {time.perf_counter() - started:.1f} s"
        )
        inputs = json.loads((out / "batch.json").read_text())["inputs"]
        workers = {r["worker"] for r in inputs if r["status"] == "done"}
        print(f"  workers that made results: {sorted(workers)}")
        mine, theirs = main_frequencies(local), main_frequencies(out)
        worst = max(
            (
                abs(a - b)
                for k, a in mine.items()
                if (b := theirs.get(k)) is not None and a is not None
            ),
            default=0.0,
        )
        same_keys = set(mine) == set(theirs)
        print(
            f"  main frequencies against the local run's: largest difference {worst:.4f} Hz; "
            f"same results: {same_keys}"
        )
        for name in sorted(mine):
            print(f"    {name:24} local {mine[name]}  dask {theirs.get(name)}")
    finally:
        for p in processes[::-1]:
            p.terminate()
        for p in processes:
            p.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep the inputs and results here")
    args = parser.parse_args()
    if not REALDATA.is_dir():
        sys.exit(f"{REALDATA} is not present")
    root = args.out or Path(tempfile.mkdtemp(prefix="tremorscope-batch-resume-"))
    for name in ("inputs", "local", "dask"):
        shutil.rmtree(root / name, ignore_errors=True)
    build_folder(root / "inputs")
    killed_and_resumed(root / "inputs", root / "local")
    on_dask(root / "inputs", root / "dask", root / "local")


if __name__ == "__main__":
    main()
