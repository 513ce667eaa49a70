"""Batch against a loop: 12 clips analysed by ``tremorscope batch`` and by one ``analyze`` each.

Builds 12 clips of 10 s at 720x1280 and 30 fps from the real footage in ../shared/realdata
(the VisionMD and EVM clips, 1080x1920 portrait; each looped to 10 s, two start points per
source, re-encoded with libx264 crf 23), then in one run:

- **loop**: ``tremorscope analyze CLIP --out DIR --quiet`` once per clip, one after the other
  (what a shell loop does: every file pays the start-up and the finish);
- **batch**: ``tremorscope batch CLIPS --out DIR --quiet`` with the default workers, and with
  ``--jobs 2``.

It prints each run's wall time, its ratio to the loop's (goal: at most 0.6 for the default),
and the per-file overhead beyond the analysis pass (wall time times the workers running, minus
the passes' own seconds, ``processing.elapsed_s`` of every result, over the files), and checks
that every clip's main finding is the same in the loop and the batch (within 0.01 Hz).

Run: ``python benchmarks/batch.py [--out DIR] [--reuse]``; about 6 min.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
SOURCES = [
    "visionmd/FT_L.mp4",
    "visionmd/HM_L.mp4",
    "visionmd/HM_R.mp4",
    "evm/baby.mp4",
    "evm/face.mp4",
    "visionmd/FT_L.mp4",
]
STARTS_S = (0.0, 2.5)
CLIP_S = 10.0
TOOL = [sys.executable, "-m", "tremorscope"]


def build_clips(folder: Path, reuse: bool) -> list[Path]:
    """The 12 clips (made with ffmpeg: looped, trimmed, scaled to 720x1280, 30 fps, crf 23)."""
    folder.mkdir(parents=True, exist_ok=True)
    clips = []
    for i, source in enumerate(SOURCES):
        for j, start in enumerate(STARTS_S):
            clip = folder / f"clip{2 * i + j + 1:02d}.mp4"
            clips.append(clip)
            if reuse and clip.exists():
                continue
            subprocess.run(
                [
                    "ffmpeg",
                    "-v",
                    "error",
                    "-y",
                    "-stream_loop",
                    "-1",
                    "-ss",
                    str(start),
                    "-i",
                    str(REALDATA / source),
                    "-t",
                    str(CLIP_S),
                    "-vf",
                    "scale=720:1280,fps=30" + (",hflip" if i == 5 else ""),
                    "-an",
                    "-c:v",
                    "libx264",
                    "-crf",
                    "23",
                    "-preset",
                    "veryfast",
                    "-pix_fmt",
                    "yuv420p",
                    str(clip),
                ],
                check=True,
            )
    return clips


def timed(command: list[str]) -> float:
    """Wall time of a command (s); it must succeed."""
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def pass_seconds(results: list[Path]) -> float:
    """The analysis passes' own seconds, summed over the results' ``analysis.json``."""
    return sum(json.loads(p.read_text())["processing"]["elapsed_s"] for p in results)


def main_frequencies(results: dict[str, Path]) -> dict[str, float | None]:
    out = {}
    for name, path in results.items():
        dominant = json.loads(path.read_text())["dominant"]
        out[name] = dominant["rhythmic"]["frequency_hz"] if dominant else None
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="keep the clips and results here")
    parser.add_argument("--reuse", action="store_true", help="use clips already in --out")
    args = parser.parse_args()
    if not REALDATA.is_dir():
        sys.exit(f"{REALDATA} is not present")
    root = args.out or Path(tempfile.mkdtemp(prefix="tremorscope-batch-bench-"))
    clips = build_clips(root / "clips", args.reuse)
    runs: dict[str, tuple[float, dict[str, Path], int]] = {}

    loop_out = root / "loop"
    shutil.rmtree(loop_out, ignore_errors=True)
    started = time.perf_counter()
    for clip in clips:
        subprocess.run(
            [*TOOL, "analyze", str(clip), "--out", str(loop_out / clip.name), "--quiet"], check=True
        )
    runs["loop (analyze per clip)"] = (
        time.perf_counter() - started,
        {c.name: loop_out / c.name / "analysis.json" for c in clips},
        1,
    )
    from tremorscope.batch import default_jobs

    for label, extra, workers in (
        ("batch (default workers)", [], default_jobs()),
        ("batch --jobs 2", ["--jobs", "2"], 2),
    ):
        out = root / label.split()[0] / ("jobs2" if extra else "default")
        shutil.rmtree(out, ignore_errors=True)
        seconds = timed([*TOOL, "batch", str(root / "clips"), "--out", str(out), "--quiet", *extra])
        runs[label] = (seconds, {c.name: out / c.name / "analysis.json" for c in clips}, workers)

    loop_s = runs["loop (analyze per clip)"][0]
    reference = main_frequencies(runs["loop (analyze per clip)"][1])
    print(f"{len(clips)} clips of {CLIP_S:g} s, 720x1280, 30 fps, in {root}")
    print(
        f"{'run':26} {'wall s':>8} {'x loop':>7} {'pass s':>8} {'overhead s/file':>16}  "
        "same findings"
    )
    for label, (seconds, results, workers) in runs.items():
        passes = pass_seconds(list(results.values()))
        freqs = main_frequencies(results)
        same = all(
            (a is None and b is None) or (a is not None and b is not None and abs(a - b) <= 0.01)
            for a, b in ((reference[k], freqs[k]) for k in reference)
        )
        overhead = (seconds * workers - passes) / len(clips)  # worker-seconds beyond the pass
        print(
            f"{label:26} {seconds:8.1f} {seconds / loop_s:7.2f} {passes:8.1f} {overhead:16.2f}  "
            f"{'yes' if same else 'NO'}"
        )
    print("goal: the default batch at most 0.6x the loop's wall time")


if __name__ == "__main__":
    main()
