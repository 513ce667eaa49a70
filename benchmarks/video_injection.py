"""Injected ground truth in real footage: is the right person and body part found, how exactly?

Reads the VisionMD clips in ../shared/realdata/visionmd (a seated woman, whole body in view,
1080x1920 at 59.94 fps), injects a known oscillation into one body part per case (3-12 Hz,
0.5-3 px peak, several directions), with and without a camera shake of a similar frequency,
encodes with libx264 at crf 18 and 23, runs ``analyze_video`` and prints one row per case:

- found: the injected part reports a tremor-like rhythm (not camera, not passed on)
- df: measured minus true frequency (Hz); goal |df| <= 0.1
- amp: measured RMS over true RMS (A / sqrt 2); goal within 20 %
- still: other body parts that report a tremor-like rhythm of their own (goal: none); the
  voluntarily moving hand of each clip and rhythms passed on from it are not counted as still
- cm: each clip is analysed with a known scale (``KNOWN_PX_PER_CM``): amplitude_cm over the
  true cm (goal within 20 %) and whether ``amplitude_cm_ci`` covers the truth (goal >= 90 %
  of cases); the same for the largest peak-to-peak (``amplitude_peak_to_peak_max_cm``)
- shoulders: the scale each clip's shoulders give without ``--scale`` (same woman, same
  camera in all three clips: its spread is the estimator's precision, not its accuracy)

It then builds a two-person composite (two real clips side by side), injects a tremor into one
foot of the right-hand person, and checks it is reported for that person and foot alone.

Run: ``python benchmarks/video_injection.py [--quick] [--out DIR] [--reuse]``; about 1 min per
case (25 s with ``--reuse``).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tremorscope.api import analyze_video
from tremorscope.errors import InputError
from tremorscope.locate.pose import PoseDetector
from tremorscope.locate.regions import grow_box, part_regions
from tremorscope.results import Analysis
from tremorscope.synth.motion import Injection, Oscillation, Shake
from tremorscope.synth.video import inject_video, side_by_side
from tremorscope.video import iter_frames, probe_video

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata" / "visionmd"
#: The hand each clip moves on purpose (finger tapping, hand opening and closing).
VOLUNTARY_HAND = {"FT_L": "left_hand", "HM_L": "left_hand", "HM_R": "right_hand"}
#: Clip used for each injected part: never the hand that clip moves on purpose.
SOURCE_FOR_PART = {
    "head": "FT_L",
    "left_hand": "HM_R",
    "right_hand": "HM_L",
    "left_foot": "HM_L",
    "right_foot": "FT_L",
}
#: Analyse clips left in --out by an earlier run instead of injecting them again.
REUSE = False
FREQS = [3.0, 4.5, 6.0, 8.0, 10.0, 12.0, 5.0, 7.0, 3.5, 11.0]
AMPS = [0.5, 1.0, 2.0, 3.0, 1.5]
DIRECTIONS = [0.0, 90.0, 45.0, 135.0]
#: The scale the clips are analysed with, as if measured with a ruler in the picture.
KNOWN_PX_PER_CM = 10.0


@dataclass
class Case:
    part: str
    source: str
    freq: float
    amp: float
    direction: float
    crf: int
    shake: bool


def cases(quick: bool) -> list[Case]:
    out = []
    i = 0
    for part, source in SOURCE_FOR_PART.items():
        for crf in (18, 23):
            for shake in (False, True):
                out.append(
                    Case(part, source, FREQS[i % len(FREQS)], AMPS[i % len(AMPS)],
                         DIRECTIONS[i % len(DIRECTIONS)], crf, shake)
                )
                i += 1
    return out[::4] if quick else out


def first_frame_people(path: Path, max_people: int = 1) -> tuple[list, tuple[int, int]]:
    """The people the pose model finds on the first frame, left to right, and its shape."""
    frame = next(iter_frames(path, probe_video(path)))
    with PoseDetector(max_people=max_people) as detector:
        people = detector.detect(frame.rgb())
    people.sort(key=lambda p: p.box[0])
    return people, frame.gray.shape


def first_frame_regions(path: Path, max_people: int = 1) -> list[dict[str, tuple]]:
    people, shape = first_frame_people(path, max_people)
    return [part_regions(p, shape) for p in people]


def shake_for(case: Case) -> list[Shake]:
    if not case.shake:
        return []
    # a camera shake of a similar frequency (15 % above the tremor), plus a slow wander
    return [Shake(case.freq * 1.15, 1.0, 30.0, jitter_px=0.3, seed=7)]


def judge(analysis: Analysis, person: int, part: str, freq: float, amp: float,
          ignore: set[str]) -> dict:
    people = {p.id: p for p in analysis.people}
    target = people.get(person)
    row = {"found": False, "df": None, "amp_ratio": None, "flags": [], "still_false": [],
           "cm_ratio": None, "cm_covered": None, "p2p_ratio": None, "p2p_covered": None}
    if target is not None and part in target.body_parts:
        f = target.body_parts[part]
        r = f.rhythmic
        row["flags"] = f.quality.flags
        if r.detected and r.kind == "tremor" and "transmitted" not in f.quality.flags:
            row["found"] = True
            row["df"] = round(r.frequency_hz - freq, 3)
            row["amp_ratio"] = round(r.amplitude / (amp / np.sqrt(2)), 3)
            if r.amplitude_cm is not None and target.scale.source == "given":
                true_cm = amp / np.sqrt(2) / target.scale.px_per_cm
                lo, hi = r.amplitude_cm_ci
                row["cm_ratio"] = round(r.amplitude_cm / true_cm, 3)
                row["cm_covered"] = bool(lo <= true_cm <= hi)
                true_p2p = 2 * amp / target.scale.px_per_cm
                lo, hi = r.amplitude_peak_to_peak_max_cm_ci
                row["p2p_ratio"] = round(r.amplitude_peak_to_peak_max_cm / true_p2p, 3)
                row["p2p_covered"] = bool(lo <= true_p2p <= hi)
    for p in analysis.people:
        for name, f in p.body_parts.items():
            if (p.id, name) == (person, part) or (p.id, name) in ignore:
                continue
            r = f.rhythmic
            if r.detected and r.kind == "tremor" and "transmitted" not in f.quality.flags:
                row["still_false"].append(f"P{p.id}.{name} {r.frequency_hz:.2f}Hz")
    return row


def run_case(case: Case, work: Path, regions: dict[str, dict]) -> dict:
    src = REALDATA / f"{case.source}.mp4"
    info = probe_video(src)
    box = grow_box(regions[case.source][case.part], 1.5, (info.height, info.width))
    out = work / f"{case.part}_{case.freq:g}Hz_{case.amp:g}px_crf{case.crf}_{int(case.shake)}.mp4"
    injection = Injection(case.part, box, [Oscillation(case.freq, case.amp, case.direction)], [])
    if not reusable(out):
        inject_video(src, out, [injection], shake_for(case), crf=case.crf, preset="fast")
    t0 = time.perf_counter()
    analysis = analyze_video(out, px_per_cm=KNOWN_PX_PER_CM)
    elapsed = time.perf_counter() - t0
    ignore = {(1, VOLUNTARY_HAND[case.source])}
    row = judge(analysis, 1, case.part, case.freq, case.amp, ignore)
    row.update(case.__dict__, people=len(analysis.people), seconds=round(elapsed, 1),
               bpp=analysis.source.bits_per_pixel)
    return row


def reusable(path: Path, reuse: bool | None = None) -> bool:
    """Whether ``--reuse`` (or ``reuse``) may take this clip: it exists and opens (an
    interrupted run can leave a half-written one behind)."""
    if not ((REUSE if reuse is None else reuse) and path.exists()):
        return False
    try:
        probe_video(path)
    except InputError:
        return False
    return True


def run_two_people(work: Path, crf: int) -> dict:
    left, right = REALDATA / "HM_L.mp4", REALDATA / "FT_L.mp4"
    composite = work / "two_people.mp4"
    facts = {"x_offset": None}
    if not reusable(composite):
        facts = side_by_side(left, right, composite, height=960, crf=12, preset="fast")
    regions = first_frame_regions(composite, max_people=2)
    info = probe_video(composite)
    if len(regions) < 2:
        return {"case": "two people", "error": f"found {len(regions)} person(s) on frame 0"}
    box = grow_box(regions[1]["left_foot"], 1.5, (info.height, info.width))
    out = work / f"two_people_P2_left_foot_crf{crf}.mp4"
    injection = Injection("P2 left foot", box, [Oscillation(6.0, 1.5, 0.0)], [])
    if not reusable(out):
        inject_video(composite, out, [injection], crf=crf, preset="fast")
    analysis = analyze_video(out)
    ignore = {(1, "left_hand"), (2, "left_hand")}  # each person's voluntary hand
    row = judge(analysis, 2, "left_foot", 6.0, 1.5, ignore)
    row.update(case="two people", x_offset=facts["x_offset"], people=len(analysis.people), crf=crf)
    return row


def print_cm_summary(rows: list[dict]) -> None:
    """Centimetres with the known scale: accuracy and how often the interval covers the truth."""
    if not rows:
        return
    for key, name in (("cm", "amplitude_cm (RMS)"), ("p2p", "largest peak-to-peak cm")):
        ratios = np.array([r[f"{key}_ratio"] for r in rows], float)
        covered = sum(bool(r[f"{key}_covered"]) for r in rows)
        print(f"{name}: within 20 % {int(np.sum(np.abs(ratios - 1) <= 0.2))}/{len(rows)}, "
              f"ratio {np.nanmin(ratios):.3f}-{np.nanmax(ratios):.3f}, interval covers the "
              f"truth {covered}/{len(rows)}")


def print_shoulder_scales() -> None:
    """The shoulder-width scale of each original clip (same woman, same camera)."""
    scales = {}
    for name in VOLUNTARY_HAND:
        analysis = analyze_video(REALDATA / f"{name}.mp4")
        scale = analysis.people[0].scale if analysis.people else None
        scales[name] = scale.px_per_cm if scale else float("nan")
        if scale:
            print(f"{name}: shoulders give {scale.px_per_cm:.2f} px/cm "
                  f"({scale.px_per_cm_ci[0]:.2f}-{scale.px_per_cm_ci[1]:.2f})")
    values = np.array(list(scales.values()))
    print(f"shoulder scale across the three clips: spread {np.ptp(values):.2f} px/cm "
          f"({100 * np.ptp(values) / np.mean(values):.1f} % of the mean)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every fourth case only")
    parser.add_argument("--out", type=Path, help="keep the clips and results here")
    parser.add_argument(
        "--reuse", action="store_true", help="analyse clips already in --out again (same truth)"
    )
    args = parser.parse_args()
    global REUSE
    REUSE = args.reuse
    if not REALDATA.exists():
        print(f"skipped: {REALDATA} not found")
        return 0
    work = args.out or Path(tempfile.mkdtemp(prefix="tremorscope-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    regions = {name: first_frame_regions(REALDATA / f"{name}.mp4")[0] for name in VOLUNTARY_HAND}
    rows = []
    header = (f"{'part':<11}{'clip':<6}{'Hz':>5}{'px':>5}{'dir':>5}{'crf':>4}{'shake':>6}"
              f"{'found':>7}{'df':>8}{'amp':>7}  still / flags")
    print(header)
    for case in cases(args.quick):
        row = run_case(case, work, regions)
        rows.append(row)
        amp = f"{row['amp_ratio']:.2f}" if row["amp_ratio"] is not None else "-"
        df = f"{row['df']:+.3f}" if row["df"] is not None else "-"
        flags = [f for f in row["flags"] if f in ("compression_limits_amplitude", "weak_rhythm")]
        print(f"{case.part:<11}{case.source:<6}{case.freq:>5g}{case.amp:>5g}{case.direction:>5g}"
              f"{case.crf:>4}{'yes' if case.shake else 'no':>6}{row['found']!s:>7}{df:>8}"
              f"{amp:>7}  {', '.join(row['still_false']) or 'none'} {' '.join(flags)}",
              flush=True)
    for crf in (18, 23):
        two = run_two_people(work, crf)
        rows.append(two)
        print(f"two people, tremor in P2 left foot, crf {crf}: {two}", flush=True)
    found = [r for r in rows if "part" in r]
    ok_f = [r for r in found if r["found"] and abs(r["df"]) <= 0.1]
    ok_a = [r for r in found if r["found"] and abs(r["amp_ratio"] - 1) <= 0.2]
    false = sum(len(r["still_false"]) for r in found)
    print(f"\nfound {sum(r['found'] for r in found)}/{len(found)}; frequency within 0.1 Hz "
          f"{len(ok_f)}/{len(found)}; amplitude within 20 % {len(ok_a)}/{len(found)}; "
          f"false rhythms on still parts: {false}")
    print_cm_summary([r for r in found if r["found"]])
    print_shoulder_scales()
    (work / "results.json").write_text(json.dumps(rows, indent=1, default=str))
    print(f"clips and results.json in {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
