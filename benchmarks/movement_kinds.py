"""What kind of movement is each body part making, on footage as people have it?

Builds (once, into ``--out DIR``) and analyses:

- real clips (../shared/realdata: VisionMD FT_L, HM_L, HM_R; TremAn3 hand; the singer; EVM
  baby and face) at their original encoding and at everyday ones (720p 30 fps crf 23 and 28,
  540p 25 fps crf 28, 240p crf 32, with ffmpeg) and as three trims (0-6 s, 1-7 s or to the
  end, the last 5 s; 720p crf 23);
- the same clips at 540p seen through a camera that moves: a smooth zoom 1.0 -> 1.3x and a
  pan (``tremorscope.synth`` camera moves, exact) and ffmpeg's ``zoompan`` (whole-pixel crop
  windows, its usual jitter);
- two people side by side (FT_L and HM_R, ffmpeg ``hstack``);
- an injection suite: realistic tremor (frequency wandering with an SD of 0.2-0.3 Hz over the
  clip about a mean within 0.15 Hz of the nominal 3-11.5 Hz, kept below 0.8 x Nyquist; size
  modulated within +-40 %; 1-3 px peak; seeds chosen so that each realisation does this over
  its own frames; the truth is what it realised) in a resting hand, a foot or the
  head of the VisionMD clips (HM_R: a knee instead of the head, which its moving hand covers)
  while the other hand moves on purpose, including cases where only the back of the hand
  moves (wrist to knuckles; the fingers stay still), at 720p 30 fps crf 23 and 28 and 540p
  25 fps crf 28 (``tremorscope.synth.inject_video``).

Truth per body part: the hand each VisionMD clip moves on purpose is ``voluntary`` (FT_L left,
HM_L left, HM_R right), the TremAn3 hand rocked at about 1.3 Hz is ``voluntary`` (an imitation
below the tremor band), the singer's hands keep the rhythm (``voluntary`` or ``none``), every
other body part ``none``; an injected body part is ``tremor`` with the frequency and RMS the
truth file records. A reported ``transmitted`` (or the flag), ``none``, ``camera`` or a rhythm
under the measurement floor all count as no tremor.

It prints (and writes as ``movement_kinds.json`` in ``--out``): the confusion table of true by
reported kind over every body part of every clip; every rating (3.15/3.17/3.18) above 0 on a
healthy person; every tremor reported in a zoomed or panned clip; the injected suite's hit rate,
frequency (within 0.3 Hz) and RMS amplitude (within 20 %) and share undetermined; the counts of
voluntary movement called tremor and false tremor on healthy people; and every failing case on
its own line. It asserts nothing.

Run: ``python benchmarks/movement_kinds.py --out /tmp/kinds [--reuse] [--reuse-results]
[--only SUBSTRING] [--quick]`` (needs ../shared/realdata and the ffmpeg command).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import shutil
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path

import numpy as np

import tremorscope
from tremorscope.api import analyze_video
from tremorscope.locate.pose import LANDMARK_NAMES
from tremorscope.locate.regions import grow_box, part_regions
from tremorscope.results import Analysis
from tremorscope.synth.motion import (
    CameraMove,
    Injection,
    Oscillation,
    instantaneous_frequency,
    oscillation_stats,
)
from tremorscope.synth.video import inject_video
from tremorscope.video import probe_video
from video_injection import first_frame_people, reusable

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"

#: Real clips: name -> path under REALDATA.
SOURCES = {
    "FT_L": "visionmd/FT_L.mp4",
    "HM_L": "visionmd/HM_L.mp4",
    "HM_R": "visionmd/HM_R.mp4",
    "treman3_hand": "treman3/hand.mp4",
    "singer": "raga/singer.mp4",
    "baby": "evm/baby.mp4",
    "face": "evm/face.mp4",
}
#: True kind of the body parts of each real clip's person that are not "none".
MOVING_PARTS = {
    "FT_L": {"left_hand": "voluntary"},
    "HM_L": {"left_hand": "voluntary"},
    "HM_R": {"right_hand": "voluntary"},
    # one hand rocked side to side at ~1.3 Hz; which side the pose model calls it is unknown
    "treman3_hand": {"left_hand": "voluntary", "right_hand": "voluntary"},
    "singer": {"left_hand": "voluntary_or_none", "right_hand": "voluntary_or_none"},
    "baby": {},
    "face": {},
}
#: Clips with one hand in view, of either side (both hand truths name it).
ONE_HAND = {"treman3_hand"}
TRUE_KINDS = ("tremor", "voluntary", "voluntary_or_none", "none")
REPORTED_KINDS = (
    "tremor",
    "voluntary",
    "transmitted",
    "camera",
    "undetermined",
    "twitch",
    "none",
    "missing",
)
NO_TREMOR = {"transmitted", "camera", "none", "twitch", "missing"}
RATING_ITEMS = ("3.15", "3.17", "3.18")
#: Injection suite goals.
FREQ_TOL_HZ = 0.3
AMP_TOL = 0.2


# --------------------------------------------------------------------------- the clips


@dataclass(frozen=True)
class Encoding:
    """An everyday encoding: short side (px, never enlarged), frame rate (never raised), crf."""

    name: str
    short_side: int
    fps: float
    crf: int


ENCODINGS = (
    Encoding("720p30_crf23", 720, 30, 23),
    Encoding("720p30_crf28", 720, 30, 28),
    Encoding("540p25_crf28", 540, 25, 28),
    Encoding("240p30_crf32", 240, 30, 32),
)
TRIM_ENCODING = ENCODINGS[0]
CAMERA_SIDE, CAMERA_FPS, CAMERA_CRF = 540, 30, 23
INJECT_ENCODINGS = ENCODINGS[:3]


@dataclass
class Clip:
    """One clip to analyse and the truth of every body part that is not ``none``.

    Attributes
    ----------
    name : str
        ``source/variant``, unique.
    source, variant, group : str
        Real clip, how it was made, and ``real``, ``camera``, ``pair`` or ``inject``.
    path : str
        The file analysed.
    people : list of dict
        One per true person, left to right: ``{"x_range": [x0, x1], "parts": {part: kind}}``
        (output pixels; a detected person belongs to the true person whose range holds its
        box centre).
    injected : dict or None
        ``{"person": index, "part", "mean_frequency_hz", "rms_px", "peak_px", "box"}``.

    """

    name: str
    source: str
    variant: str
    group: str
    path: str
    people: list[dict] = field(default_factory=list)
    injected: dict | None = None


def run(cmd: list[str]) -> None:
    """Run a command, raising with its last error lines when it fails."""
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])}...: {done.stderr.strip()[-600:]}")


def target_size(width: int, height: int, short_side: int) -> tuple[int, int]:
    """Even size with the short side ``short_side`` (never enlarged), aspect kept (px)."""
    short = min(width, height)
    scale = min(1.0, short_side / short)
    w, h = width * scale, height * scale
    return max(2, round(w / 2) * 2), max(2, round(h / 2) * 2)


def ffmpeg_encode(
    src: Path,
    out: Path,
    size: tuple[int, int],
    fps: float,
    crf: int,
    start_s: float = 0.0,
    duration_s: float | None = None,
) -> None:
    """Re-encode with the ffmpeg command: scale, fps filter, libx264 (preset medium), no audio."""
    cmd = ["ffmpeg", "-v", "error", "-y", "-i", str(src), "-ss", f"{start_s:g}"]
    if duration_s is not None:
        cmd += ["-t", f"{duration_s:g}"]
    vf = f"fps={fps:g},scale={size[0]}:{size[1]}"
    cmd += ["-vf", vf, "-c:v", "libx264", "-crf", str(crf), "-pix_fmt", "yuv420p", "-an"]
    run([*cmd, str(out)])


def ffmpeg_zoompan(src: Path, out: Path, size: tuple[int, int], fps: float, crf: int) -> None:
    """ffmpeg's zoompan on the source: 1.0 -> 1.3x about the centre, output ``size``."""
    info = probe_video(src)
    n = max(2, math.floor(info.duration_s * min(fps, info.fps)))
    zoom = f"1+0.3*min(on/{n - 1},1)"
    zp = (
        f"zoompan=z='{zoom}':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)':d=1"
        f":s={size[0]}x{size[1]}:fps={fps:g}"
    )
    cmd = ["ffmpeg", "-v", "error", "-y", "-i", str(src), "-vf", f"fps={fps:g},{zp}"]
    cmd += ["-c:v", "libx264", "-crf", str(crf), "-pix_fmt", "yuv420p", "-an", str(out)]
    run(cmd)


def ffmpeg_hstack(left: Path, right: Path, out: Path, height: int, fps: float, crf: int) -> int:
    """Two clips side by side at a common height; returns the left clip's width (px)."""
    info = probe_video(left)
    left_w = round(info.width * height / info.height / 2) * 2
    graph = (
        f"[0:v]fps={fps:g},scale={left_w}:{height}[a];[1:v]fps={fps:g},scale=-2:{height}[b];"
        "[a][b]hstack=inputs=2:shortest=1[v]"
    )
    cmd = ["ffmpeg", "-v", "error", "-y", "-i", str(left), "-i", str(right)]
    cmd += ["-filter_complex", graph, "-map", "[v]", "-c:v", "libx264", "-crf", str(crf)]
    run([*cmd, "-pix_fmt", "yuv420p", "-an", str(out)])
    return left_w


def one_person(source: str, width: int) -> list[dict]:
    """The truth of a one-person clip ``width`` pixels wide."""
    return [{"x_range": [0, width], "parts": dict(MOVING_PARTS[source])}]


def trims(duration_s: float) -> list[tuple[str, float, float]]:
    """``(name, start, length)`` of 0-6 s, 1-7 s (or to the end) and the last 5 s; trims that
    would be the whole clip are left out."""
    out = []
    for name, start, stop in (
        ("trim0-6", 0.0, 6.0),
        ("trim1-7", 1.0, 7.0),
        ("trim_last5", max(0.0, duration_s - 5.0), duration_s),
    ):
        stop = min(stop, duration_s)
        if start <= 0.0 and stop >= duration_s - 0.05:
            continue
        out.append((f"{name}", start, round(stop - start, 3)))
    return out


Plan = list[tuple[Clip, Callable[[], object] | None]]


def real_clips(source: str, out: Path) -> Plan:
    """The original, the everyday encodings and the trims of one real clip, with builders."""
    src = REALDATA / SOURCES[source]
    info = probe_video(src)
    plan: Plan = [
        (
            Clip(
                f"{source}/original",
                source,
                "original",
                "real",
                str(src),
                one_person(source, info.width),
            ),
            None,
        )
    ]
    for enc in ENCODINGS:
        size = target_size(info.width, info.height, enc.short_side)
        fps = min(enc.fps, round(info.fps, 3))
        path = out / "real" / f"{source}_{enc.name}.mp4"
        clip = Clip(
            f"{source}/{enc.name}", source, enc.name, "real", str(path), one_person(source, size[0])
        )
        plan.append((clip, partial(ffmpeg_encode, src, path, size, fps, enc.crf)))
    enc = TRIM_ENCODING
    size = target_size(info.width, info.height, enc.short_side)
    fps = min(enc.fps, round(info.fps, 3))
    for name, start, length in trims(info.duration_s):
        path = out / "real" / f"{source}_{name}.mp4"
        variant = f"{name}_{enc.name}"
        clip = Clip(
            f"{source}/{variant}", source, variant, "real", str(path), one_person(source, size[0])
        )
        plan.append((clip, partial(ffmpeg_encode, src, path, size, fps, enc.crf, start, length)))
    return plan


def camera_moves(width: int, height: int) -> dict[str, CameraMove]:
    """The synth camera moves for a frame: a smooth zoom and a pan (a 1.15x view whose centre
    travels at constant speed across the room the zoom leaves, about a ninth of the width)."""
    zoom = 1.15
    half = width / zoom / 2
    lo, hi = half + 2, width - half - 3
    cy = (height - 1) / 2
    return {
        "zoom1.0-1.3": CameraMove(1.0, 1.3),
        "pan": CameraMove(zoom, zoom, (lo, cy), (hi, cy)),
    }


def synth_camera(
    src: Path, path: Path, size: tuple[int, int], fps: float, move: CameraMove
) -> None:
    """A camera move made by ``tremorscope.synth`` (exact warp), with its truth file."""
    truth = inject_video(
        src,
        path,
        [],
        crf=CAMERA_CRF,
        preset="medium",
        resize_to_height=size[1],
        fps=fps,
        camera=move,
    )
    truth.to_json(path.with_suffix(".truth.json"))


def camera_clips(source: str, out: Path) -> Plan:
    """A smooth zoom, a pan and ffmpeg's zoompan of one real clip at 540p."""
    src = REALDATA / SOURCES[source]
    info = probe_video(src)
    size = target_size(info.width, info.height, CAMERA_SIDE)
    fps = min(CAMERA_FPS, round(info.fps, 3))
    plan: Plan = []
    for name, move in camera_moves(*size).items():
        path = out / "camera" / f"{source}_{name}.mp4"
        clip = Clip(
            f"{source}/{name}", source, name, "camera", str(path), one_person(source, size[0])
        )
        plan.append((clip, partial(synth_camera, src, path, size, fps, move)))
    path = out / "camera" / f"{source}_zoompan.mp4"
    clip = Clip(
        f"{source}/zoompan", source, "zoompan", "camera", str(path), one_person(source, size[0])
    )
    plan.append((clip, partial(ffmpeg_zoompan, src, path, size, fps, CAMERA_CRF)))
    return plan


def pair_clips(out: Path) -> Plan:
    """FT_L (left) and HM_R (right) side by side at 960 and 720 high (30 fps)."""
    left, right = REALDATA / SOURCES["FT_L"], REALDATA / SOURCES["HM_R"]
    li, ri = probe_video(left), probe_video(right)
    plan: Plan = []
    for height, crf in ((960, 23), (720, 28)):
        variant = f"hstack{height}_crf{crf}"
        path = out / "pair" / f"FT_L+HM_R_{variant}.mp4"
        left_w = round(li.width * height / li.height / 2) * 2
        right_w = round(ri.width * height / ri.height / 2) * 2
        people = [
            {"x_range": [0, left_w], "parts": dict(MOVING_PARTS["FT_L"])},
            {"x_range": [left_w, left_w + right_w], "parts": dict(MOVING_PARTS["HM_R"])},
        ]
        clip = Clip(f"FT_L+HM_R/{variant}", "FT_L+HM_R", variant, "pair", str(path), people)
        plan.append((clip, partial(ffmpeg_hstack, left, right, path, height, 30, crf)))
    return plan


# --------------------------------------------------------------------------- injection suite


@dataclass(frozen=True)
class InjectCase:
    """One injected tremor: where, how, and at which encoding."""

    source: str
    part: str
    wrist_half: bool
    encoding: Encoding
    freq: float
    amp: float
    freq_sd: float
    modulation: float
    direction: float
    seed: int

    @property
    def variant(self) -> str:
        where = f"{self.part}_wrist" if self.wrist_half else self.part
        return f"inject_{where}_{self.freq:g}Hz_{self.amp:g}px_{self.encoding.name}"


VISIONMD = ("FT_L", "HM_L", "HM_R")
RESTING = {
    "FT_L": ("right_hand", "head", "left_foot", "right_foot"),
    "HM_L": ("right_hand", "head", "left_foot", "right_foot"),
    # HM_R's right hand opens and closes in front of the face: a head box would shake it too
    "HM_R": ("left_hand", "left_knee", "left_foot", "right_foot"),
}
FREQS = (3.5, 4.5, 5.5, 6.5, 8.0, 10.0, 12.0, 3.0, 7.0, 9.0, 11.0, 5.0, 4.0)
AMPS = (1.0, 1.5, 2.0, 2.5, 3.0)
#: SD of the frequency wander as a process (Hz); over a 5-7 s clip the realised SD is
#: smaller or larger, and seeds are chosen so that it lies in REALISED_SD.
FREQ_SD = 0.3
REALISED_SD = (0.2, 0.3)
#: Largest distance of the realised mean frequency from the nominal one (Hz).
MEAN_TOL = 0.15
#: Smallest range (max - min) of the envelope over the clip (0.4: at least +-20 %).
ENVELOPE_SPAN = 0.4
DIRECTIONS = (0.0, 90.0, 45.0, 135.0, 20.0)
MODULATION = 0.4
#: Time constant of the frequency wander and the envelope (s): their autocorrelation falls to
#: 1/e in 1.4 s, so a 6 s clip holds a few independent stretches.
WANDER_TIME_S = 1.0


def allowed_frequency(freq: float, fps: float) -> float:
    """``freq`` capped 0.5 Hz below 0.8 x the Nyquist frequency (Hz), so that its wander stays
    below that too."""
    return min(freq, 0.8 * fps / 2 - 0.5)


def output_times(source: str, fps: float) -> np.ndarray:
    """The frame times (s) a clip resampled to ``fps`` will have."""
    info = probe_video(REALDATA / SOURCES[source])
    last = (info.n_frames - 1) / info.fps
    return np.arange(math.floor(last * fps + 1e-9) + 1) / fps


def realistic(osc: Oscillation, times: np.ndarray, fps: float) -> bool:
    """Whether a seeded oscillation does over ``times`` what the suite asks of a realistic
    tremor: its frequency wanders with an SD in :data:`REALISED_SD` about a mean within
    :data:`MEAN_TOL` of the nominal one, stays between 2.5 Hz and 0.8 x Nyquist, and its size
    changes by at least :data:`ENVELOPE_SPAN` (max - min of the envelope)."""
    stats = oscillation_stats(osc, times)
    freq = instantaneous_frequency(osc, times)
    return (
        REALISED_SD[0] <= stats["frequency_sd_hz"] <= REALISED_SD[1]
        and abs(stats["mean_frequency_hz"] - osc.frequency_hz) <= MEAN_TOL
        and freq.min() >= 2.5
        and freq.max() <= 0.8 * fps / 2
        and stats["envelope_max"] - stats["envelope_min"] >= ENVELOPE_SPAN
    )


def pick_seed(
    freq: float, amp: float, direction: float, times: np.ndarray, fps: float, first: int
) -> int:
    """The first seed from ``first`` on whose wander and envelope are :func:`realistic`."""
    for seed in range(first, first + 2000):
        osc = tremor(freq, amp, direction, seed)
        if realistic(osc, times, fps):
            return seed
    raise RuntimeError(f"no realistic seed for {freq} Hz from {first}")


def tremor(freq: float, amp: float, direction: float, seed: int) -> Oscillation:
    """The suite's realistic tremor: wandering frequency, size modulated +-40 %."""
    return Oscillation(
        freq,
        amp,
        direction,
        frequency_sd_hz=FREQ_SD,
        amplitude_modulation=MODULATION,
        wander_time_s=WANDER_TIME_S,
        seed=seed,
    )


def inject_cases() -> list[InjectCase]:
    """Every resting part of every VisionMD clip at each encoding, plus a back-of-the-hand
    case per clip (39 cases), each with a seed whose realisation is :func:`realistic`."""
    spots = [(s, p, False, e) for s in VISIONMD for p in RESTING[s] for e in INJECT_ENCODINGS]
    spots += [(s, RESTING[s][0], True, INJECT_ENCODINGS[i]) for i, s in enumerate(VISIONMD)]
    cases = []
    for i, (source, part, wrist, enc) in enumerate(spots):
        freq = allowed_frequency(FREQS[i % len(FREQS)], enc.fps)
        amp, direction = AMPS[i % len(AMPS)], DIRECTIONS[i % len(DIRECTIONS)]
        times = output_times(source, enc.fps)
        seed = pick_seed(freq, amp, direction, times, enc.fps, 1000 * (i + 1))
        cases.append(
            InjectCase(source, part, wrist, enc, freq, amp, FREQ_SD, MODULATION, direction, seed)
        )
    return cases


def back_of_hand(
    box: tuple[int, int, int, int], wrist: np.ndarray, knuckles: np.ndarray
) -> tuple[int, int, int, int]:
    """The part of a hand box from the wrist to the knuckles: the back of the hand, no fingers.

    Parameters
    ----------
    box : tuple of int
        ``(x, y, w, h)`` around the hand (px).
    wrist, knuckles : ndarray, shape (2,)
        The wrist landmark and the mean of the index and pinky landmarks (the pose model's
        first knuckles), px.

    Returns
    -------
    tuple of int
        ``(x, y, w, h)``: the box cut, along the axis the hand points along (x or y, whichever
        the wrist-to-knuckle vector is closer to), to the span from a quarter of that vector
        behind the wrist to a tenth beyond the knuckles; across it the box is kept. The
        fingers, beyond the knuckles, stay still while this part moves.

    """
    x, y, w, h = box
    step = knuckles - wrist
    axis = 0 if abs(step[0]) >= abs(step[1]) else 1
    ends = sorted((wrist[axis] - 0.25 * step[axis], knuckles[axis] + 0.1 * step[axis]))
    lo, hi = (x, x + w) if axis == 0 else (y, y + h)
    start, stop = max(lo, round(ends[0])), min(hi, round(ends[1]))
    return (start, y, stop - start, h) if axis == 0 else (x, start, w, stop - start)


def _landmark(pose, name: str) -> np.ndarray:
    return pose.points[LANDMARK_NAMES.index(name)]


#: How much the body-part region is grown to make the injection box: hands 1.5x as
#: ``video_injection`` does, the head and legs less (less wall moves with the head, a foot's
#: box does not reach the other foot, a knee's not the hand resting above it).
GROW = {"head": 1.1, "left_foot": 1.2, "right_foot": 1.2, "left_knee": 1.2, "right_knee": 1.2}


def injection_box(
    pose, shape: tuple[int, int], part: str, wrist: bool, scale: float
) -> tuple[int, int, int, int]:
    """The box to move for ``part``, from the pose on the original frame, in output pixels.

    The body-part region grown by :data:`GROW` (default 1.5x); ``wrist``: only its back of
    the hand (:func:`back_of_hand`).
    """
    region = part_regions(pose, shape)[part]
    box = grow_box(region, GROW.get(part, 1.5), shape)
    if wrist:
        side = part.split("_")[0]
        knuckles = np.mean([_landmark(pose, f"{side}_{n}") for n in ("index", "pinky")], axis=0)
        box = back_of_hand(box, _landmark(pose, f"{side}_wrist"), knuckles)
    x, y, w, h = (round(v * scale) for v in box)
    return x, y, max(w, 8), max(h, 8)


def build_injection(
    src: Path, path: Path, case: InjectCase, box: tuple[int, int, int, int], size: tuple[int, int]
) -> None:
    """Inject one case's realistic tremor with ``tremorscope.synth``; writes the truth file."""
    osc = tremor(case.freq, case.amp, case.direction, case.seed)
    truth = inject_video(
        src,
        path,
        [Injection(case.part, box, [osc])],
        crf=case.encoding.crf,
        preset="medium",
        resize_to_height=size[1],
        fps=case.encoding.fps,
    )
    truth.to_json(path.with_suffix(".truth.json"))


def inject_plan(case: InjectCase, out: Path, poses: dict) -> tuple[Clip, Callable[[], object]]:
    """One injected clip (its truth filled in by :func:`read_injected` once built)."""
    src = REALDATA / SOURCES[case.source]
    info = probe_video(src)
    size = target_size(info.width, info.height, case.encoding.short_side)
    pose, shape = poses[case.source]
    box = injection_box(pose, shape, case.part, case.wrist_half, size[1] / info.height)
    path = out / "inject" / f"{case.source}_{case.variant}.mp4"
    people = one_person(case.source, size[0])
    people[0]["parts"][case.part] = "tremor"
    injected = {
        "person": 0,
        "part": case.part,
        "box": list(box),
        "wrist_half": case.wrist_half,
        "frequency_hz": case.freq,
        "amplitude_px": case.amp,
        "frequency_sd_hz": case.freq_sd,
        "amplitude_modulation": case.modulation,
        "seed": case.seed,
        "direction_deg": case.direction,
    }
    clip = Clip(
        f"{case.source}/{case.variant}",
        case.source,
        case.variant,
        "inject",
        str(path),
        people,
        injected,
    )
    return clip, partial(build_injection, src, path, case, box, size)


def truth_matches(clip: Clip) -> bool:
    """Whether an injected clip's truth file is there and describes the planned injection."""
    path = Path(clip.path).with_suffix(".truth.json")
    if not path.exists():
        return False
    injection = json.loads(path.read_text())["injections"][0]
    osc = injection["oscillations"][0]
    planned = clip.injected
    return (
        list(injection["box"]) == planned["box"]
        and osc["frequency_hz"] == planned["frequency_hz"]
        and osc["amplitude_px"] == planned["amplitude_px"]
        and osc["frequency_sd_hz"] == planned["frequency_sd_hz"]
        and osc["direction_deg"] == planned["direction_deg"]
        and osc.get("wander_time_s") == WANDER_TIME_S
        and osc.get("seed") == planned["seed"]
    )


def read_injected(clip: Clip) -> None:
    """Add what the injected oscillation realised (from the truth file) to ``clip.injected``."""
    truth = json.loads(Path(clip.path).with_suffix(".truth.json").read_text())
    realised = truth["oscillations"][0]
    clip.injected.update(
        mean_frequency_hz=realised["mean_frequency_hz"],
        realised_frequency_sd_hz=realised["frequency_sd_hz"],
        rms_px=realised["rms_px"],
        peak_px=realised["peak_px"],
    )


# --------------------------------------------------------------------------- judging


def reported_kind(finding: dict | None) -> str:
    """The kind a FINDING reports (``missing`` for None).

    Its derived ``kind`` where the result has one (a part at a voluntary task can be
    ``voluntary`` without a measured rhythm), else the rhythm's kind when a rhythm was detected,
    else ``twitch`` or ``none``; the flag ``transmitted`` counts as kind ``transmitted`` and a
    rhythm withdrawn under the measurement floor as no rhythm.
    """
    if finding is None:
        return "missing"
    rhythm, flags = finding["rhythmic"], finding["quality"]["flags"]
    fallback = "twitch" if finding["twitches"]["count"] else "none"
    if "below_measurement_floor" in flags and not rhythm["detected"]:
        return fallback
    kind = finding.get("kind")
    if kind is None:  # results of older versions
        kind = rhythm["kind"] if rhythm["detected"] else fallback
    if "transmitted" in flags and kind not in ("none", "twitch"):
        return "transmitted"
    return kind


def assign_people(clip: Clip, people: list[dict]) -> dict[int, int | None]:
    """Detected person id -> index of the true person (the largest detection per true person;
    other detections get None: a spurious or second person, whose every part is ``none``)."""
    best: dict[int, tuple[float, int]] = {}
    for person in people:
        x, _, w, h = person["box"]
        centre = x + w / 2
        for i, truth in enumerate(clip.people):
            lo, hi = truth["x_range"]
            if lo <= centre < hi and (i not in best or w * h > best[i][0]):
                best[i] = (w * h, person["id"])
    owner = {pid: i for i, (_, pid) in best.items()}
    return {p["id"]: owner.get(p["id"]) for p in people}


def part_rows(clip: Clip, result: dict) -> list[dict]:
    """One row per body part: true kind, reported kind and the measurement.

    Every reported body part gets a row; a true ``tremor`` or ``voluntary`` part that was not
    reported at all gets one with reported kind ``missing``.
    """
    people = result.get("people", [])
    owner = assign_people(clip, people)
    rows = []
    for person in people:
        index = owner[person["id"]]
        truth_parts = clip.people[index]["parts"] if index is not None else {}
        for part, finding in person["body_parts"].items():
            true = truth_parts.get(part, "none")
            rows.append(finding_row(clip, person["id"], index, part, true, finding))
    if clip.source in ONE_HAND:
        rows = one_hand(clip, rows)
    seen = {(r["person_index"], r["part"]) for r in rows}
    for index, truth in enumerate(clip.people):
        for part, true in truth["parts"].items():
            if (index, part) not in seen and true != "none" and clip.source not in ONE_HAND:
                rows.append(finding_row(clip, None, index, part, true, None))
    return rows


def one_hand(clip: Clip, rows: list[dict]) -> list[dict]:
    """A clip with one hand in view whose side is unknown: of the person's two hand regions,
    the one with a rhythm (the larger, if both) is the moving hand, the other ``none``; with
    no hand reported, one ``missing`` row."""
    hands = [r for r in rows if r["person_index"] == 0 and r["true"] != "none"]
    if not hands:
        part, true = next(iter(clip.people[0]["parts"].items()))
        return [*rows, finding_row(clip, None, 0, part, true, None)]
    moving = max(hands, key=lambda r: (r["reported"] != "none", r["px"] or 0.0))
    for r in hands:
        if r is not moving:
            r["true"] = "none"
    return rows


def finding_row(
    clip: Clip, pid: int | None, index: int | None, part: str, true: str, finding: dict | None
) -> dict:
    """The row of one body part (``finding`` None: not reported)."""
    rhythm = (finding or {}).get("rhythmic", {})
    row = {
        "clip": clip.name,
        "group": clip.group,
        "person": pid,
        "person_index": index,
        "part": part,
        "true": true,
        "reported": reported_kind(finding),
        "hz": rhythm.get("frequency_hz"),
        "px": rhythm.get("amplitude"),
        "confidence": rhythm.get("kind_confidence"),
        "reasons": rhythm.get("kind_reasons", []),
        "flags": (finding or {}).get("quality", {}).get("flags", []),
    }
    inj = clip.injected
    if inj and true == "tremor" and index == inj["person"] and part == inj["part"]:
        row["true_hz"] = inj["mean_frequency_hz"]
        row["true_px"] = inj["rms_px"]
        row["back_of_hand"] = inj["wrist_half"]
    return row


def rating_violations(clip: Clip, result: dict) -> list[dict]:
    """Every assessable 3.15/3.17/3.18 score above 0 (a healthy clip must have none)."""
    out = []
    for person in result.get("people", []):
        for rating in person.get("ratings", []):
            if rating["item"] in RATING_ITEMS and rating["assessable"] and rating["score"]:
                out.append(
                    {
                        "clip": clip.name,
                        "person": person["id"],
                        "item": rating["item"],
                        "part": rating.get("body_part"),
                        "score": rating["score"],
                        "evidence": rating.get("evidence"),
                    }
                )
    return out


def failure(row: dict) -> str | None:
    """Why a body part's result is wrong, or None."""
    true, got = row["true"], row["reported"]
    if true == "tremor":
        if got != "tremor":
            return "missed tremor" if got != "undetermined" else "tremor undetermined"
        problems = []
        if abs(row["hz"] - row["true_hz"]) > FREQ_TOL_HZ:
            problems.append(f"frequency off ({row['true_hz']:.2f} Hz true)")
        if abs(row["px"] / row["true_px"] - 1) > AMP_TOL:
            problems.append(f"amplitude off ({row['true_px']:.2f} px true)")
        return "; ".join(problems) or None
    if got == "tremor":
        return "voluntary called tremor" if true.startswith("voluntary") else "false tremor"
    if true == "voluntary" and got != "voluntary":
        return f"voluntary reported {got}"
    if got == "undetermined":
        return "undetermined"
    return None


# --------------------------------------------------------------------------- reporting


def confusion(rows: list[dict]) -> dict[str, dict[str, int]]:
    """Counts of true kind x reported kind."""
    table = {t: dict.fromkeys(REPORTED_KINDS, 0) for t in TRUE_KINDS}
    for r in rows:
        table[r["true"]][r["reported"]] += 1
    return table


def print_confusion(title: str, table: dict[str, dict[str, int]]) -> None:
    print(f"\n{title}")
    head = "true \\ reported"
    print(f"{head:<19}" + "".join(f"{k:>13}" for k in REPORTED_KINDS) + f"{'total':>8}")
    for true, counts in table.items():
        total = sum(counts.values())
        if total:
            print(
                f"{true:<19}" + "".join(f"{counts[k]:>13}" for k in REPORTED_KINDS) + f"{total:>8}"
            )


def describe(row: dict) -> str:
    hz = f"{row['hz']:.2f} Hz" if row["hz"] is not None else "- Hz"
    px = f"{row['px']:.2f} px" if row["px"] is not None else "- px"
    who = f"P{row['person']}" if row["person"] is not None else "P-"
    reasons = "; ".join(row["reasons"])[:240]
    conf = f" conf {row['confidence']:.2f}" if row["confidence"] is not None else ""
    flags = [
        f
        for f in row["flags"]
        if f
        in ("transmitted", "below_measurement_floor", "voluntary_movement_present", "weak_rhythm")
    ]
    return (
        f"{row['clip']:<44} {who}.{row['part']:<11} true {row['true']:<9} got "
        f"{row['reported']:<12} {hz:>9} {px:>9}{conf}  {' '.join(flags)}  {reasons}"
    )


def injected_summary(clips: list[Clip], rows: list[dict], only: str | None = None) -> dict:
    """Hit rate, frequency and amplitude accuracy and undetermined share of the suite.

    ``only``: ``"full"`` for the cases whose whole body-part box moved, ``"back"`` for the
    back-of-the-hand cases, a substring of the clip name (an encoding), or None for all.
    """

    def chosen(name: str, back: bool) -> bool:
        if only == "full":
            return not back
        if only == "back":
            return back
        return only is None or only in name

    targets = [
        r
        for r in rows
        if r["group"] == "inject" and r["true"] == "tremor" and chosen(r["clip"], r["back_of_hand"])
    ]
    n = len([c for c in clips if c.group == "inject" and chosen(c.name, c.injected["wrist_half"])])
    hits = [r for r in targets if r["reported"] == "tremor"]
    freq_ok = [r for r in hits if abs(r["hz"] - r["true_hz"]) <= FREQ_TOL_HZ]
    amp_ok = [r for r in hits if abs(r["px"] / r["true_px"] - 1) <= AMP_TOL]
    undetermined = [r for r in targets if r["reported"] == "undetermined"]
    ratios = [r["px"] / r["true_px"] for r in hits]
    errors = [r["hz"] - r["true_hz"] for r in hits]
    return {
        "cases": n,
        "tremor_on_right_part": len(hits),
        "frequency_within_0.3_hz": len(freq_ok),
        "rms_within_20_percent": len(amp_ok),
        "undetermined": len(undetermined),
        "frequency_error_hz": [round(min(errors), 3), round(max(errors), 3)] if errors else None,
        "rms_ratio": [round(min(ratios), 3), round(max(ratios), 3)] if ratios else None,
    }


def print_injected(clips: list[Clip], rows: list[dict]) -> dict:
    """Section (4): the suite's figures, its subsets, and one line per case."""
    summary = injected_summary(clips, rows)
    n = summary["cases"]
    print(f"\n(4) injected tremor ({n} cases)")
    print(
        f"    called tremor on the right person and part: "
        f"{share(summary['tremor_on_right_part'], n)} (target >= 95 %)"
    )
    print(
        f"    frequency within {FREQ_TOL_HZ} Hz of the realised mean: "
        f"{share(summary['frequency_within_0.3_hz'], n)}  errors {summary['frequency_error_hz']}"
    )
    print(
        f"    RMS amplitude within 20 % of the injected RMS: "
        f"{share(summary['rms_within_20_percent'], n)}  ratios {summary['rms_ratio']}"
    )
    print(f"    undetermined: {share(summary['undetermined'], n)} (target <= 10 %)")
    subsets = {"whole box moved": "full", "back of the hand only": "back"}
    subsets.update({enc.name: enc.name for enc in INJECT_ENCODINGS})
    print(
        f"    {'subset':<24}{'cases':>6}{'tremor':>8}{'Hz ok':>7}{'RMS ok':>8}{'undet.':>7}"
        f"  {'Hz error':<18}RMS ratio"
    )
    by_subset = {}
    for label, key in subsets.items():
        sub = by_subset[label] = injected_summary(clips, rows, key)
        print(
            f"    {label:<24}{sub['cases']:>6}{sub['tremor_on_right_part']:>8}"
            f"{sub['frequency_within_0.3_hz']:>7}{sub['rms_within_20_percent']:>8}"
            f"{sub['undetermined']:>7}  {sub['frequency_error_hz']!s:<18}{sub['rms_ratio']}"
        )
    print(
        f"    {'case':<58}{'true Hz':>8}{'got Hz':>8}{'true px':>8}{'got px':>8}{'ratio':>7}  kind"
    )
    for r in rows:
        if r["group"] == "inject" and r["true"] == "tremor":
            hz = f"{r['hz']:.2f}" if r["hz"] is not None else "-"
            px = f"{r['px']:.2f}" if r["px"] is not None else "-"
            ratio = f"{r['px'] / r['true_px']:.2f}" if r["px"] is not None else "-"
            print(
                f"    {r['clip']:<58}{r['true_hz']:>8.2f}{hz:>8}{r['true_px']:>8.2f}{px:>8}"
                f"{ratio:>7}  {r['reported']}"
            )
    return {**summary, "subsets": by_subset}


def share(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.0f} %)" if n else "0/0"


def report(
    clips: list[Clip],
    rows: list[dict],
    ratings: list[dict],
    out: Path,
    elapsed: dict[str, float],
    name: str = "movement_kinds.json",
) -> dict:
    """Print every table and write them as JSON; returns what was written."""
    print_confusion("(1) true kind x reported kind, every body part of every clip", confusion(rows))
    for group in ("real", "camera", "pair", "inject"):
        part = [r for r in rows if r["group"] == group]
        if part:
            print_confusion(f"    ... {group} clips only", confusion(part))
    healthy = {c.name for c in clips if c.group != "inject"}
    print(f"\n(2) ratings above 0 on healthy clips ({len(healthy)} clips): {len(ratings)}")
    for v in ratings:
        print(
            f"    {v['clip']:<44} P{v['person']} {v['part'] or '-':<11} item {v['item']} "
            f"score {v['score']}  {v['evidence'] or ''}"
        )
    zoom_tremor = [r for r in rows if r["group"] == "camera" and r["reported"] == "tremor"]
    n_cam = len([c for c in clips if c.group == "camera"])
    print(f"\n(3) tremor reported in zoomed/panned clips ({n_cam} clips): {len(zoom_tremor)}")
    for r in zoom_tremor:
        print(f"    {describe(r)}")
    summary = print_injected(clips, rows)
    voluntary_tremor = [
        r for r in rows if r["true"].startswith("voluntary") and r["reported"] == "tremor"
    ]
    false_healthy = [
        r
        for r in rows
        if r["true"] == "none" and r["reported"] == "tremor" and r["group"] != "inject"
    ]
    false_injected = [
        r
        for r in rows
        if r["true"] == "none" and r["reported"] == "tremor" and r["group"] == "inject"
    ]
    print(f"\n(5) voluntary movement called tremor: {len(voluntary_tremor)} (target 0)")
    print(
        f"    false tremor on a healthy person (clips without injection): "
        f"{len(false_healthy)} (target 0)"
    )
    print(f"    false tremor on other body parts of injected clips: {len(false_injected)}")
    failing = [(f, r) for r in rows if (f := failure(r))]
    print(f"\n    failing body parts: {len(failing)}")
    for why, r in sorted(failing, key=lambda x: (x[0], x[1]["clip"])):
        print(f"    [{why}] {describe(r)}")
    counts = Counter(why.split(" (")[0] for why, _ in failing)
    print(f"    by reason: {dict(counts)}")
    written = {
        "confusion": confusion(rows),
        "confusion_by_group": {
            g: confusion([r for r in rows if r["group"] == g])
            for g in ("real", "camera", "pair", "inject")
        },
        "rating_violations": ratings,
        "camera_tremor": zoom_tremor,
        "injected": summary,
        "voluntary_called_tremor": len(voluntary_tremor),
        "false_tremor_healthy": len(false_healthy),
        "false_tremor_injected_clips": len(false_injected),
        "failing": [{"why": why, **r} for why, r in failing],
        "rows": rows,
        "analysis_seconds": elapsed,
        "source_digest_at_end": source_digest(),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    (out / name).write_text(json.dumps(written, indent=1, default=str))
    return written


# --------------------------------------------------------------------------- main


def plan_all(out: Path, quick: bool) -> Plan:
    """Every clip of the benchmark with its builder, in the order they are analysed."""
    sources = ["FT_L", "HM_R", "face"] if quick else list(SOURCES)
    plan: Plan = []
    for source in sources:
        made = real_clips(source, out)
        plan += made[:3] if quick else made
    for source in sources:
        made = camera_clips(source, out)
        plan += made[::2] if quick else made
    plan += pair_clips(out)[:1] if quick else pair_clips(out)
    cases = inject_cases()[::6] if quick else inject_cases()
    poses = {}
    for source in sorted({c.source for c in cases}):
        people, shape = first_frame_people(REALDATA / SOURCES[source])
        poses[source] = (people[0], shape)
    plan += [inject_plan(case, out, poses) for case in cases]
    return plan


def build(out: Path, reuse: bool, only: str | None, quick: bool) -> list[Clip]:
    """Build (where needed) the clips whose name contains ``only``; write ``manifest.json``."""
    t0 = time.perf_counter()
    clips = []
    for clip, builder in plan_all(out, quick):
        if only is not None and only not in clip.name:
            continue
        path = Path(clip.path)
        stale = clip.group == "inject" and not truth_matches(clip)
        if builder is not None and (stale or not reusable(path, reuse)):
            path.parent.mkdir(parents=True, exist_ok=True)
            t1 = time.perf_counter()
            builder()
            print(
                f"built {clip.name:<52} {time.perf_counter() - t1:6.1f} s  "
                f"total {time.perf_counter() - t0:6.0f} s",
                flush=True,
            )
        if clip.group == "inject":
            read_injected(clip)
        clips.append(clip)
    if only is None and not quick:  # a subset leaves the full run's manifest alone
        (out / "manifest.json").write_text(json.dumps([asdict(c) for c in clips], indent=1))
    return clips


def source_digest() -> str:
    """A short digest of the imported package's source files: which code made the results
    (the judgement changes while this benchmark is used; to measure one state of it, run on a
    copy: ``PYTHONPATH=/tmp/snap/src``)."""
    root = Path(tremorscope.__file__).resolve().parent  # the package this run imports
    digest = hashlib.sha1()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def analyse(clip: Clip, out: Path, reuse_results: bool) -> tuple[dict, float]:
    """The analysis of a clip as JSON (cached in ``out/results``) and the seconds it took."""
    path = out / "results" / (clip.name.replace("/", "__") + ".json")
    if reuse_results and path.exists():
        result = json.loads(path.read_text())
        return result, result.get("benchmark_seconds", 0.0)
    t0 = time.perf_counter()
    try:
        analysis: Analysis = analyze_video(clip.path)
    except Exception as exc:  # one failing clip must not end the benchmark
        print(f"    analysis failed: {type(exc).__name__}: {exc}", flush=True)
        return {"people": [], "error": f"{type(exc).__name__}: {exc}"}, 0.0
    seconds = time.perf_counter() - t0
    result = analysis.model_dump(mode="json")
    result["benchmark_seconds"] = round(seconds, 2)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result))
    return result, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("/tmp/kinds"),
        help="where the clips, results and tables go",
    )
    parser.add_argument("--reuse", action="store_true", help="keep clips already built in --out")
    parser.add_argument(
        "--reuse-results", action="store_true", help="also keep analyses already in --out/results"
    )
    parser.add_argument("--only", help="only clips whose name (SOURCE/VARIANT) contains this")
    parser.add_argument("--quick", action="store_true", help="a small subset for a first look")
    parser.add_argument("--build-only", action="store_true", help="build the clips and stop")
    args = parser.parse_args()
    if not REALDATA.exists():
        print(f"skipped: {REALDATA} not found")
        return 0
    if shutil.which("ffmpeg") is None:
        print("skipped: the ffmpeg command is not installed")
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    digest = source_digest()
    clips = build(args.out, args.reuse, args.only, args.quick)
    print(f"{len(clips)} clips in {args.out} ({time.perf_counter() - start:.0f} s)", flush=True)
    if args.build_only:
        return 0
    rows: list[dict] = []
    ratings: list[dict] = []
    elapsed: dict[str, float] = {}
    for i, clip in enumerate(clips, 1):
        result, seconds = analyse(clip, args.out, args.reuse_results)
        elapsed[clip.name] = round(seconds, 1)
        clip_rows = part_rows(clip, result)
        rows += clip_rows
        if clip.group != "inject":
            ratings += rating_violations(clip, result)
        bad = [f"{r['part']}:{r['reported']}" for r in clip_rows if failure(r)]
        print(
            f"[{i:>3}/{len(clips)}] {clip.name:<52} {seconds:6.1f} s  "
            f"total {time.perf_counter() - start:7.0f} s  "
            f"{'ok' if not bad else 'FAIL ' + ' '.join(bad)}",
            flush=True,
        )
    subset = args.only is not None or args.quick
    name = "movement_kinds_subset.json" if subset else "movement_kinds.json"
    report(clips, rows, ratings, args.out, elapsed, name)
    changed = "" if source_digest() == digest else f", CHANGED during the run to {source_digest()}"
    print(
        f"\nwhole run {time.perf_counter() - start:.0f} s (source digest {digest}{changed}); "
        f"tables in {args.out / name}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
