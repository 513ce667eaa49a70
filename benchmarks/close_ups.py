"""Only what is in the picture: people kept on real footage, none on hands filmed close up.

Every real video in ../shared/realdata is searched for people every 0.5 s with the pose
detector (:class:`tremorscope.locate.pose.PoseDetector`, which now rejects poses that are not
people: :mod:`tremorscope.locate.credibility`), and so are close-ups made from them in memory,
as a phone might film a hand: treman3's hand turned upright or flipped and enlarged, cropped and
enlarged, and VisionMD's raised hand and hand on the lap cropped and enlarged (one of them, the
hand held before the face, still shows the person's face: that person must stay).

Printed per clip: detections kept as people, poses rejected (with their reasons), and the body
parts the kept ones get regions for.

Then the whole analysis (:func:`tremorscope.api.analyze_video`) on hand close-ups written as
videos with ffmpeg (the same crops, re-encoded at crf 26): the body parts each person found
gets, with what their movement is. Expected: hands only, and a hand alone where nothing else
of its person is in view.

Run: ``python benchmarks/close_ups.py`` (needs ../shared/realdata; about 5 min).
"""

from __future__ import annotations

import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from tremorscope.api import analyze_video
from tremorscope.locate.hands import HANDS
from tremorscope.locate.pose import PoseDetector
from tremorscope.locate.regions import part_regions
from tremorscope.video import iter_frames, probe_video

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
STEP_S = 0.5

Edit = Callable[[np.ndarray], np.ndarray]


def _crop_zoom(x: int, y: int, w: int, h: int, out: tuple[int, int]) -> Edit:
    return lambda rgb: cv2.resize(rgb[y : y + h, x : x + w], out, interpolation=cv2.INTER_CUBIC)


def _turn_zoom(k: int, out: tuple[int, int]) -> Edit:
    return lambda rgb: cv2.resize(np.rot90(rgb, k), out, interpolation=cv2.INTER_CUBIC)


#: name: (video in realdata, edit of each frame or None, people expected: "keep" or "none").
CLIPS: dict[str, tuple[str, Edit | None, str]] = {
    "visionmd/FT_L": ("visionmd/FT_L.mp4", None, "keep"),
    "visionmd/HM_L": ("visionmd/HM_L.mp4", None, "keep"),
    "visionmd/HM_R": ("visionmd/HM_R.mp4", None, "keep"),
    "raga/singer": ("raga/singer.mp4", None, "keep"),
    "evm/baby": ("evm/baby.mp4", None, "keep"),
    "evm/face": ("evm/face.mp4", None, "keep"),
    "treman3/hand": ("treman3/hand.mp4", None, "none"),
    "hand upright 720x960": ("treman3/hand.mp4", _turn_zoom(1, (720, 960)), "none"),
    "hand upright other way": ("treman3/hand.mp4", _turn_zoom(3, (720, 960)), "none"),
    "hand flipped": ("treman3/hand.mp4", lambda rgb: cv2.resize(rgb[::-1], (1000, 752)), "none"),
    "hand portrait crop": ("treman3/hand.mp4", _crop_zoom(109, 0, 282, 376, (1080, 1440)), "none"),
    "hand zoomed 4x": ("treman3/hand.mp4", _crop_zoom(100, 75, 300, 226, (1280, 964)), "none"),
    "FT_L raised hand": ("visionmd/FT_L.mp4", _crop_zoom(590, 560, 270, 360, (1080, 1440)), "none"),
    "HM_L hand on lap": ("visionmd/HM_L.mp4", _crop_zoom(270, 930, 300, 300, (1080, 1080)), "none"),
    "HM_R hand before face": (
        "visionmd/HM_R.mp4",
        _crop_zoom(340, 570, 270, 360, (1080, 1440)),
        "keep",
    ),
}


#: name: (video in realdata, ffmpeg filter making the close-up, seconds of it).
CLOSE_UP_VIDEOS: dict[str, tuple[str, str, float]] = {
    "treman3 hand upright": ("treman3/hand.mp4", "transpose=1,scale=720:960", 10.0),
    "treman3 hand flipped": ("treman3/hand.mp4", "vflip,scale=1000:752", 10.0),
    "treman3 hand zoomed 4x": ("treman3/hand.mp4", "crop=300:226:100:75,scale=1280:964", 10.0),
    "FT_L tapping hand": ("visionmd/FT_L.mp4", "crop=270:360:590:560,scale=720:960", 8.0),
    "HM_L hand on lap": ("visionmd/HM_L.mp4", "crop=300:300:270:930,scale=720:720", 8.0),
}


def analyse_close_up(source: Path, video_filter: str, seconds: float, folder: Path) -> str:
    """One close-up through the whole analysis: each person's parts and their movement."""
    clip = folder / "clip.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(source),
            "-t",
            str(seconds),
            "-vf",
            video_filter,
            "-an",
            "-c:v",
            "libx264",
            "-crf",
            "26",
            "-pix_fmt",
            "yuv420p",
            str(clip),
        ],
        check=True,
    )
    analysis = analyze_video(clip)
    lines = []
    for person in analysis.people:
        parts = []
        for part, finding in person.body_parts.items():
            r = finding.rhythmic
            said = f"{r.kind} {r.frequency_hz:.2f} Hz ({r.kind_confidence})" if r.detected else "-"
            if not r.detected and r.kind != "none":
                said = f"{r.kind}, no rhythm ({r.kind_confidence})"
            parts.append(f"{part}: {said}")
        alone = " (a hand alone)" if "only as a hand" in person.identity_note else ""
        lines.append(f"person {person.id}{alone}: " + "; ".join(parts))
    only_hands = all(set(p.body_parts) <= set(HANDS) for p in analysis.people)
    found_hand = any(set(p.body_parts) & set(HANDS) for p in analysis.people)
    verdict = "ok  " if only_hands and found_hand else "FAIL"
    return verdict + "\n       " + ("\n       ".join(lines) or "nobody, no hand")


def check(
    video: Path, edit: Edit | None, detector: PoseDetector
) -> tuple[int, int, Counter, Counter]:
    """Frames searched, people kept, their body parts, and the reasons poses were rejected."""
    info = probe_video(video)
    frames = kept = 0
    parts: Counter = Counter()
    reasons: Counter = Counter()
    next_t = 0.0
    for frame in iter_frames(video, info, threads=1):
        if frame.t < next_t:
            continue
        next_t = frame.t + STEP_S
        rgb = frame.rgb()
        if edit is not None:
            rgb = np.ascontiguousarray(edit(rgb))
        frames += 1
        for person in detector.detect(rgb):
            kept += 1
            parts.update(part_regions(person, rgb.shape[:2]).keys())
        for _, why in detector.rejected:
            reasons[" + ".join(why)] += 1
    return frames, kept, parts, reasons


def main() -> int:
    if not REALDATA.exists():
        print(f"skipped: {REALDATA} not found")
        return 0
    failures = 0
    with PoseDetector() as detector:
        for name, (video, edit, expect) in CLIPS.items():
            frames, kept, parts, reasons = check(REALDATA / video, edit, detector)
            ok = kept >= 0.9 * frames if expect == "keep" else kept == 0
            failures += not ok
            short = ", ".join(f"{p}:{n}" for p, n in sorted(parts.items()))
            print(
                f"{'ok  ' if ok else 'FAIL'} {name:24s} {kept:3d} people in {frames:3d} frames"
                f"  parts [{short}]"
            )
            for why, n in reasons.most_common():
                print(f"       rejected {n:2d}x: {why}")
    print(f"{len(CLIPS) - failures} of {len(CLIPS)} clips as expected")
    print("\nThe whole analysis on close-ups written as videos (hands only expected):")
    passed = 0
    with tempfile.TemporaryDirectory() as folder:
        for name, (video, video_filter, seconds) in CLOSE_UP_VIDEOS.items():
            said = analyse_close_up(REALDATA / video, video_filter, seconds, Path(folder))
            passed += said.startswith("ok")
            print(f"{said[:4]} {name}{said[4:]}")
    print(f"{passed} of {len(CLOSE_UP_VIDEOS)} close-ups give hands only")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
