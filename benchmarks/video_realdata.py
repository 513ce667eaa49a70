"""Real footage without injection: voluntary movements and still controls.

- VisionMD ``FT_L.mp4`` (finger tapping, left hand, roughly 3-4 Hz) and ``HM_L.mp4`` /
  ``HM_R.mp4`` (hand opening and closing, roughly 2.5-3 Hz): the moving hand should be reported as
  voluntary rhythmic movement at that frequency, not tremor.
- EVM ``baby.mp4`` (a sleeping infant breathing) and ``face.mp4`` (a still face): nothing
  rhythmic in the tremor band.

Run: ``python benchmarks/video_realdata.py`` (needs ../shared/realdata; about 2 min).
"""

from __future__ import annotations

import sys
from pathlib import Path

from tremorscope.api import analyze_video

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
EXPECT = {
    "visionmd/FT_L.mp4": ("left_hand", "voluntary", (3.0, 4.5)),
    "visionmd/HM_L.mp4": ("left_hand", "voluntary", (2.3, 3.3)),
    "visionmd/HM_R.mp4": ("right_hand", "voluntary", (2.3, 3.3)),
    "evm/baby.mp4": (None, None, None),
    "evm/face.mp4": (None, None, None),
}


def describe(finding) -> str:
    r = finding.rhythmic
    if not r.detected:
        return "-"
    extra = " (passed on)" if "transmitted" in finding.quality.flags else ""
    return f"{r.kind} {r.frequency_hz:.2f} Hz {r.amplitude:.2g} px{extra}"


def main() -> int:
    if not REALDATA.exists():
        print(f"skipped: {REALDATA} not found")
        return 0
    passed = 0
    for name, (part, kind, band) in EXPECT.items():
        result = analyze_video(REALDATA / name)
        rows = [
            (f"P{p.id}.{n}", f) for p in result.people for n, f in p.body_parts.items()
        ]
        own = [
            (where, f) for where, f in rows
            if f.rhythmic.detected and "transmitted" not in f.quality.flags
        ]
        if part is None:
            ok = not own
            verdict = "nothing rhythmic" if ok else f"rhythm in {[w for w, _ in own]}"
        else:
            target = result.people[0].body_parts.get(part) if result.people else None
            r = target.rhythmic if target else None
            ok = bool(
                r and r.detected and r.kind == kind and band[0] <= r.frequency_hz <= band[1]
                and all(w == f"P1.{part}" for w, _ in own)
            )
            verdict = f"{part}: {describe(target) if target else 'not found'}"
        passed += ok
        print(f"{name:<20} {'ok ' if ok else 'OFF'} {verdict}")
        for where, f in rows:
            print(f"    {where:<16} {describe(f)}")
        print(f"    {result.processing.frames} frames, {result.processing.frames_per_s} frames/s")
    print(f"\n{passed}/{len(EXPECT)} as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
