"""People over a whole clip (issue 15): cuts between framings, one person across shots, people
who walk in and move, a hand seen on its own, and centimetres that survive the view.

Builds (once, into ``--out DIR``; ``--reuse`` keeps what is there) from the real footage in
../shared/realdata, with ffmpeg and ``tremorscope synth``, and analyses with ``tremorscope
analyze`` (the command line, in a child process: the code that ``python -m tremorscope`` imports
is what is measured; its source folder and a digest of it are printed):

1. **Montages** of a televised meeting: two real clips side by side (the VisionMD woman,
   1080x1920 59.94 fps, and the raga singer, 1920x1080 25 fps, cropped to herself) as the wide
   shot, cut to a 2x close-up of one person's upper body (crop and scale), to the wide shot
   reframed (scaled 1.2-1.3x, offset, bottom-aligned so the feet stay in view), and back to the
   first framing; each shot 4-5 s taken from the middle stretch of the clips (a shot's time in
   the source is not the previous shot's: a cut is a cut), encoded at everyday settings (H.264,
   libx264 preset medium, 25/30 fps, crf 23-28). One person's foot carries a realistic tremor
   injected with ``tremorscope synth`` into the source clip (resized to what the most zoomed
   wide shot needs; the close-ups show the original footage, no foot in view) (frequency
   wandering with an SD of 0.3 Hz and a 1.5 s time constant, size changing by +-40 %; the seed
   is the first whose realisation over the wide shots' frames wanders by 0.15-0.4 Hz SD about a
   mean within 0.15 Hz of the nominal and changes size by at least 0.4 of its mean): it is seen
   in every wide shot, never in the close-ups. Four montages: different pairs, orders, sizes,
   crf, one at 25 fps 720p, one with two 0.6-0.8 s dissolves (ffmpeg ``xfade=fade``); in the
   two VisionMD pairs both people are the same woman in the same clothes (only their places
   tell them apart), the two with the singer show two people who look different. The truth
   (cut times, dissolve spans, shots, people, who has the tremor, its realised frequency and
   size per wide shot) is written beside each montage as ``NAME.truth.json``.

   Printed per montage: cuts found against true (a true cut is found when a shot of
   ``source.shots`` starts within 0.1 s of it; shot starts that match no cut or dissolve are
   extra), dissolves found (a ``source.transitions`` span overlapping the true one, when the
   result has that field; a shot start inside the dissolve is listed apart), people found
   against true (and ``people[].shots`` / ``identity_uncertain`` where the result has them),
   and the tremor: which person (identified by position in the first wide shot) has a foot
   finding of kind tremor, its frequency against the realised mean over the wide shots, its
   constancy, the seconds it was measured over against the wide shots' total, the share of
   each wide shot its episodes cover, and every other tremor anywhere. Then one line of
   targets: every cut, the right number of people, the tremor on one person over every wide
   shot (its person seen in every wide shot and its episodes covering at least half of each).

2. **A hand seen on its own**: the VisionMD woman's raised, tapping left hand cropped so that
   only the hand, wrist and forearm (and a little sleeve) are in view (as is, and with a 6 Hz
   tremor injected into the hand), and two film-like crops/encodings of the TremAn3 hand
   (a 3:4 portrait crop scaled to 540x720 at crf 28, and a 25 fps trim at crf 26). Target: only
   hand findings, no other body part. Printed: every body part reported, its kind and rhythm.

3. **The Sports2D demo** (``Demo/demo.mp4`` of the ``sports2d`` wheel; not downloaded here:
   ``--sports2d PATH``, default the first ``Demo/demo.mp4`` under /tmp/sports2d; how to get it
   is printed when it is missing). Truth read by hand from its frames (see ``SPORTS2D_*``).
   Printed: each true person's first detection against when they appear (target within 1 s),
   every twitch or tremor on the walking and jumping people (target none), and centimetres:
   each person's ``scale.px_per_cm``, median landmark-box height / px_per_cm (plausible: 120 to
   210 cm; the landmarks run from about the eyes to the heels of a standing adult, about 0.9 of
   the stature, raised arms lengthen and a crouch shortens it) and every ``amplitude_cm``
   (plausible: at most 10 cm).

Everything is also written to ``--out/people_over_time.json``. It asserts nothing and exits 0.

Run: ``python benchmarks/people_over_time.py --out /tmp/people_over_time [--reuse]
[--reuse-results] [--only SUBSTRING] [--sports2d PATH]`` (needs ../shared/realdata and the
ffmpeg command; on two cores shared with other work about 5 min to build the first time, then
about 4 min).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from tremorscope.locate.regions import grow_box, part_regions
from tremorscope.synth.motion import Oscillation, instantaneous_frequency, oscillation_stats
from tremorscope.video import probe_video
from video_injection import first_frame_people, reusable

REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
TOOL = [sys.executable, "-m", "tremorscope"]
SOURCES = {
    "FT_L": "visionmd/FT_L.mp4",
    "HM_L": "visionmd/HM_L.mp4",
    "HM_R": "visionmd/HM_R.mp4",
    "singer": "raga/singer.mp4",
    "treman3": "treman3/hand.mp4",
}
#: Part of a source frame a panel shows (x, y, w, h in source pixels); None: all of it. The
#: singer sits in the middle of a 1920x1080 frame with black cloth and carpet either side.
PANEL_CROP: dict[str, tuple[int, int, int, int] | None] = {
    "FT_L": None,
    "HM_L": None,
    "HM_R": None,
    "singer": (470, 0, 900, 1080),
}
#: Share of a panel's height its picture fills (bottom-aligned, black above): the singer sits
#: on the floor in front of a dark cloth and fills her frame; shown at 0.62 of the height she
#: is about as large as the woman on the chair beside her.
PANEL_FILL = {"FT_L": 1.0, "HM_L": 1.0, "HM_R": 1.0, "singer": 0.62}
#: What fills the panel above the singer: her cloth's colour (median RGB 32, 29, 35 over the
#: top 200 rows of her crop).
PAD_COLOUR = "0x201D23"
#: Source frame size (w, h) of each panel source.
SOURCE_SIZE = {
    "FT_L": (1080, 1920),
    "HM_L": (1080, 1920),
    "HM_R": (1080, 1920),
    "singer": (1920, 1080),
}

#: Changed whenever the way a montage is built changes (a kept montage is rebuilt).
BUILD_VERSION = 2
#: Tolerances of the targets.
CUT_TOL_S = 0.1
FREQ_TOL_HZ = 0.3
#: A wide shot counts as measured when the tremor's episodes cover this share of it.
SHOT_COVER = 0.5
#: The tremor of the montages: wander SD, size modulation (the synth command's defaults give
#: the 1.5 s time constant), and what a realisation must do over the wide shots.
FREQ_SD, AMP_MOD = 0.3, 0.4
REALISED_SD, MEAN_TOL, ENVELOPE_SPAN = (0.15, 0.4), 0.15, 0.4


def even(v: float) -> int:
    """The nearest even integer of at least 2."""
    return max(2, int(v / 2 + 0.5) * 2)


def run(cmd: list[str]) -> str:
    """Run a command; raise with its last error lines when it fails; return its stdout."""
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd[:8]))}...: {done.stderr.strip()[-800:]}")
    return done.stdout


# --------------------------------------------------------------------------- montage plans


@dataclass(frozen=True)
class Framing:
    """A view of the wide scene: ``zoom`` (1: the wide shot) and the view's centre as fractions
    of the wide scene's width and height."""

    name: str
    zoom: float
    cx: float
    cy: float


WIDE = Framing("wide", 1.0, 0.5, 0.5)


def closeup(panel: int, cx: float, cy: float = 0.47) -> Framing:
    """A 2x close-up of one person's upper body (head, shoulders, hands; the feet not in view)."""
    return Framing(f"closeup_person{panel}", 2.0, cx, cy)


def reframed(zoom: float, cx: float) -> Framing:
    """The wide shot scaled by ``zoom``, offset, bottom-aligned (the feet stay in view)."""
    return Framing(f"reframed{zoom:g}", zoom, cx, 1 - 1 / (2 * zoom))


@dataclass(frozen=True)
class Shot:
    """One shot: its framing, where it starts in the sources (s), its length (s), and how it
    begins: ``cut`` or ``dissolve`` (a crossfade of ``dissolve_s`` from the previous shot)."""

    framing: Framing
    source_start_s: float
    duration_s: float
    enter: str = "cut"
    dissolve_s: float = 0.0


@dataclass(frozen=True)
class Tremor:
    """The injected tremor: which panel (0 left), which of that person's feet, nominal Hz, peak
    px in the source frame (1920 high), direction (degrees, 0 right, 90 down)."""

    panel: int
    part: str
    freq: float
    amp_src_px: float
    direction: float
    first_seed: int


@dataclass(frozen=True)
class Montage:
    name: str
    panels: tuple[str, str]
    height: int
    fps: int
    crf: int
    tremor: Tremor
    shots: tuple[Shot, ...]


def panel_widths(panels: tuple[str, ...], height: int) -> list[int]:
    """Each panel's width (px, even) at a scene height."""
    out = []
    for source in panels:
        crop = PANEL_CROP[source]
        w, h = (crop[2], crop[3]) if crop else SOURCE_SIZE[source]
        out.append(even(height * PANEL_FILL[source] * w / h))
    return out


def centre_of_panel(panels: tuple[str, ...], index: int, within: float = 0.5) -> float:
    """The x fraction of the wide scene at ``within`` of panel ``index``."""
    widths = panel_widths(panels, 1000)
    return (sum(widths[:index]) + within * widths[index]) / sum(widths)


def montages() -> list[Montage]:
    """The four montages (see the module's docstring)."""
    vv = ("FT_L", "HM_R")
    m1 = Montage(
        "ftl_hmr_1080p30_crf23",
        vv,
        1080,
        30,
        23,
        Tremor(0, "right_foot", 5.0, 4.0, 0.0, 100),
        (
            Shot(WIDE, 0.5, 5.0),
            Shot(closeup(0, centre_of_panel(vv, 0)), 1.5, 4.0),
            Shot(reframed(1.25, 0.49), 0.8, 5.0),
            Shot(WIDE, 1.2, 4.0),
        ),
    )
    sf = ("singer", "FT_L")
    m2 = Montage(
        "singer_ftl_720p30_crf28",
        sf,
        720,
        30,
        28,
        Tremor(1, "left_foot", 5.5, 5.0, 20.0, 200),
        (
            Shot(WIDE, 0.4, 4.4),
            Shot(reframed(1.25, 0.47), 0.6, 4.2),
            Shot(closeup(0, centre_of_panel(sf, 0, 0.52), 0.66), 0.5, 4.0),
            Shot(WIDE, 0.7, 4.2),
        ),
    )
    hs = ("HM_R", "singer")
    m3 = Montage(
        "hmr_singer_720p25_crf26",
        hs,
        720,
        25,
        26,
        Tremor(0, "right_foot", 4.5, 5.0, 0.0, 300),
        (
            Shot(WIDE, 0.3, 4.4),
            Shot(closeup(1, centre_of_panel(hs, 1, 0.52), 0.66), 0.4, 4.0),
            Shot(reframed(1.2, 0.53), 0.5, 4.4),
            Shot(WIDE, 0.2, 4.0),
        ),
    )
    fh = ("FT_L", "HM_L")
    m4 = Montage(
        "ftl_hml_dissolves_864p30_crf23",
        fh,
        864,
        30,
        23,
        Tremor(1, "right_foot", 6.0, 4.0, 0.0, 400),
        (
            Shot(WIDE, 0.3, 4.5),
            Shot(closeup(1, centre_of_panel(fh, 1)), 0.5, 4.5, "dissolve", 0.8),
            Shot(reframed(1.3, 0.51), 0.4, 4.5),
            Shot(WIDE, 0.6, 4.5, "dissolve", 0.6),
        ),
    )
    return [m1, m2, m3, m4]


def timeline(m: Montage) -> list[dict]:
    """Each shot's place in the montage (s): ``start_s`` (the cut, or the dissolve's end),
    ``end_s``, the clean span in which it alone is shown, the dissolve span that leads into it,
    and its frames."""
    out: list[dict] = []
    t = 0.0
    for i, shot in enumerate(m.shots):
        n = round(shot.duration_s * m.fps)
        if shot.enter == "dissolve" and i:
            d = round(shot.dissolve_s * m.fps) / m.fps
            begin = t - d  # the previous shot's last d seconds are blended with this one's first
            start = t
            end = begin + n / m.fps
            out[-1]["clean_end_s"] = round(begin, 4)
            dissolve = [round(begin, 4), round(start, 4)]
        else:
            begin = start = t
            end = t + n / m.fps
            dissolve = None
        out.append(
            {
                "index": i,
                "framing": shot.framing.name,
                "zoom": shot.framing.zoom,
                "enter": shot.enter if i else "start",
                "dissolve_s": dissolve,
                "start_s": round(start, 4),
                "end_s": round(end, 4),
                "clean_start_s": round(start, 4),
                "clean_end_s": round(end, 4),
                "frames": n,
                "source_start_s": shot.source_start_s,
                "wide": not shot.framing.name.startswith("closeup"),
                "in_view": (
                    [int(shot.framing.name[-1])]
                    if shot.framing.name.startswith("closeup")
                    else [0, 1]
                ),
            }
        )
        t = end
    return out


# --------------------------------------------------------------------------- building


def source_path(name: str) -> Path:
    return REALDATA / SOURCES[name]


def foot_box(source: str, part: str) -> tuple[int, int, int, int]:
    """The box to move for a foot: its region from the pose on the source's first frame, grown
    1.2x (as ``movement_kinds`` does: the box does not reach the other foot), source pixels."""
    people, shape = first_frame_people(source_path(source))
    region = part_regions(people[0], shape)[part]
    x, y, w, h = grow_box(region, 1.2, shape)
    return int(x), int(y), int(w), int(h)


def oscillation(t: Tremor, seed: int) -> Oscillation:
    """The oscillation the synth command makes of these flags (its time constant: 1.5 s)."""
    return Oscillation(
        t.freq,
        t.amp_src_px,
        t.direction,
        frequency_sd_hz=FREQ_SD,
        amplitude_modulation=AMP_MOD,
        seed=seed,
    )


def wide_times(m: Montage) -> np.ndarray:
    """The source times (s, from the injected clip's first frame) of the wide shots' clean
    frames: where the tremor is seen."""
    times = []
    for shot, place in zip(m.shots, timeline(m), strict=True):
        if not place["wide"]:
            continue
        skip = place["clean_start_s"] - (place["end_s"] - place["frames"] / m.fps)
        keep = place["clean_end_s"] - place["clean_start_s"]
        k0 = round(skip * m.fps)
        k1 = k0 + round(keep * m.fps)
        times.append(shot.source_start_s + np.arange(k0, k1) / m.fps)
    return np.concatenate(times)


def pick_seed(m: Montage) -> int:
    """The first seed from the tremor's ``first_seed`` whose realisation over the wide shots'
    frames is realistic (module docstring)."""
    t = wide_times(m)
    for seed in range(m.tremor.first_seed, m.tremor.first_seed + 3000):
        osc = oscillation(m.tremor, seed)
        stats = oscillation_stats(osc, t)
        freq = instantaneous_frequency(osc, t)
        if (
            REALISED_SD[0] <= stats["frequency_sd_hz"] <= REALISED_SD[1]
            and abs(stats["mean_frequency_hz"] - m.tremor.freq) <= MEAN_TOL
            and freq.min() >= 2.5
            and stats["envelope_max"] - stats["envelope_min"] >= ENVELOPE_SPAN
        ):
            return seed
    raise RuntimeError(f"{m.name}: no realistic seed")


def injected_height(m: Montage) -> int:
    """The height of the tremor person's injected clip: what the widest zoom of a wide shot
    shows (px, at most the source's 1920)."""
    zoom = max(s.framing.zoom for s in m.shots if not s.framing.name.startswith("closeup"))
    return min(1920, even(m.height * zoom))


def injected_source(
    m: Montage, seed: int, box: tuple[int, int, int, int], out: Path, reuse: bool
) -> Path:
    """The tremor person's clip with the tremor in one foot (``tremorscope synth`` at the
    montage's frame rate, resized to :func:`injected_height`, as long as the wide shots need,
    crf 12: the montage's encode is the everyday one). Box and amplitude are given in source
    pixels and scaled to that height."""
    t = m.tremor
    source = m.panels[t.panel]
    height = injected_height(m)
    k = height / SOURCE_SIZE[source][1]
    length = max(s.source_start_s + s.duration_s for s in m.shots) + 0.2
    path = (
        out
        / "sources"
        / (
            f"{source}_{t.part}_{t.freq:g}Hz_{t.amp_src_px:g}px_{t.direction:g}deg_s{seed}"
            f"_{height}p{m.fps}_{length:g}s.mp4"
        )
    )
    truth = path.with_suffix(".truth.json")
    if reusable(path, reuse) and truth.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    x, y, w, h = (round(v * k) for v in box)
    cmd = [*TOOL, "synth", str(source_path(source)), str(path), "--height", str(height)]
    cmd += ["--duration", f"{length:g}", "--region", f"{x},{y},{w},{h}:{t.part}"]
    cmd += ["--freq", f"{t.freq:g}", "--amp", f"{t.amp_src_px * k:.4f}"]
    cmd += ["--direction", f"{t.direction:g}", "--freq-sd", f"{FREQ_SD:g}"]
    cmd += ["--amp-mod", f"{AMP_MOD:g}", "--seed", str(seed), "--fps", str(m.fps)]
    cmd += ["--crf", "12", "--preset", "veryfast", "--truth", str(truth)]
    run(cmd)
    return path


def montage_graph(m: Montage, injected: Path) -> tuple[list[str], str]:
    """ffmpeg input arguments and filter graph of a montage. Its wide shots show the tremor
    person from ``injected``, its close-ups (no foot in view) both people from the originals."""
    widths = panel_widths(m.panels, m.height)
    width = sum(widths)
    args: list[str] = []
    parts: list[str] = []
    k = 0
    for i, shot in enumerate(m.shots):
        fr = shot.framing
        h = even(m.height * fr.zoom)
        ws = panel_widths(m.panels, h)
        labels = []
        wide = not fr.name.startswith("closeup")
        for p, source in enumerate(m.panels):
            path = injected if wide and p == m.tremor.panel else source_path(source)
            args += ["-ss", f"{shot.source_start_s:g}", "-i", str(path)]
            crop = PANEL_CROP[source]
            chain = f"[{k}:v]"
            if crop:
                chain += f"crop={crop[2]}:{crop[3]}:{crop[0]}:{crop[1]},"
            n = round(shot.duration_s * m.fps)
            sh = even(h * PANEL_FILL[source])
            chain += (
                f"fps={m.fps},trim=end_frame={n},setpts=PTS-STARTPTS,"
                f"scale={ws[p]}:{sh}:flags=bicubic"
            )
            if sh != h:
                chain += f",pad={ws[p]}:{h}:0:{h - sh}:{PAD_COLOUR}"
            chain += f",setsar=1[s{i}p{p}]"
            parts.append(chain)
            labels.append(f"[s{i}p{p}]")
            k += 1
        zw, zh = sum(ws), h
        x = min(max(0, round(fr.cx * zw - width / 2)), zw - width)
        y = min(max(0, round(fr.cy * zh - m.height / 2)), zh - m.height)
        parts.append(
            f"{''.join(labels)}hstack=inputs={len(labels)},crop={width}:{m.height}:{x}:{y},"
            f"format=yuv420p,settb=1/{m.fps}[shot{i}]"
        )
    acc, length = "[shot0]", round(m.shots[0].duration_s * m.fps) / m.fps
    for i, shot in enumerate(m.shots[1:], start=1):
        n = round(shot.duration_s * m.fps) / m.fps
        if shot.enter == "dissolve":
            d = round(shot.dissolve_s * m.fps) / m.fps
            parts.append(
                f"{acc}[shot{i}]xfade=transition=fade:duration={d:g}:offset={length - d:.4f},"
                f"settb=1/{m.fps}[acc{i}]"
            )
            length += n - d
        else:
            parts.append(f"{acc}[shot{i}]concat=n=2:v=1:a=0,settb=1/{m.fps}[acc{i}]")
            length += n
        acc = f"[acc{i}]"
    return args, ";".join(parts) + f";{acc}null[v]"


def build_montage(m: Montage, out: Path, reuse: bool) -> tuple[Path, dict]:
    """The montage and its truth (built, or kept with ``reuse`` when the truth still matches)."""
    path = out / "montages" / f"{m.name}.mp4"
    truth_path = path.with_suffix(".truth.json")
    plan = {
        "montage": asdict(m),
        "build": BUILD_VERSION,
        "crop": PANEL_CROP,
        "fill": PANEL_FILL,
        "pad": PAD_COLOUR,
    }
    plan_key = hashlib.sha1(json.dumps(plan, sort_keys=True).encode()).hexdigest()[:12]
    if reusable(path, reuse) and truth_path.exists():
        truth = json.loads(truth_path.read_text())
        if truth.get("plan_key") == plan_key:
            return path, truth
    t0 = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    seed = pick_seed(m)
    tremor_source = m.panels[m.tremor.panel]
    box = foot_box(tremor_source, m.tremor.part)
    injected = injected_source(m, seed, box, out, reuse)
    args, graph = montage_graph(m, injected)
    cmd = ["ffmpeg", "-v", "error", "-y", *args, "-filter_complex", graph, "-map", "[v]"]
    cmd += ["-c:v", "libx264", "-preset", "medium", "-crf", str(m.crf), "-pix_fmt", "yuv420p"]
    cmd += ["-r", str(m.fps), "-an", str(path)]
    run(cmd)
    truth = montage_truth(m, seed, box, plan_key)
    info = probe_video(path)
    truth["frames_built"] = info.n_frames
    if info.n_frames != truth["frames"]:
        print(f"    note: {m.name} has {info.n_frames} frames, planned {truth['frames']}")
    truth_path.write_text(json.dumps(truth, indent=1))
    print(f"built {m.name:<40} {time.perf_counter() - t0:6.1f} s", flush=True)
    return path, truth


def montage_truth(m: Montage, seed: int, box: tuple[int, int, int, int], plan_key: str) -> dict:
    """Everything the montage's judgement needs, as written beside it."""
    shots = timeline(m)
    widths = panel_widths(m.panels, m.height)
    width = sum(widths)
    t = m.tremor
    osc = oscillation(t, seed)
    per_shot = []
    for shot, place in zip(m.shots, shots, strict=True):
        if not place["wide"]:
            continue
        skip = place["clean_start_s"] - (place["end_s"] - place["frames"] / m.fps)
        k0 = round(skip * m.fps)
        k1 = k0 + round((place["clean_end_s"] - place["clean_start_s"]) * m.fps)
        times = shot.source_start_s + np.arange(k0, k1) / m.fps
        stats = oscillation_stats(osc, times)
        scale = m.height * shot.framing.zoom / 1920  # output px per source px (VisionMD)
        per_shot.append(
            {
                "shot": place["index"],
                "mean_frequency_hz": round(stats["mean_frequency_hz"], 3),
                "frequency_sd_hz": round(stats["frequency_sd_hz"], 3),
                "rms_px": round(stats["rms_px"] * scale, 3),
                "peak_px": round(stats["peak_px"] * scale, 3),
                "seconds": round(place["clean_end_s"] - place["clean_start_s"], 3),
            }
        )
    overall = oscillation_stats(osc, wide_times(m))
    return {
        "plan_key": plan_key,
        "name": m.name,
        "size": [width, m.height],
        "fps": m.fps,
        "crf": m.crf,
        "frames": round(shots[-1]["end_s"] * m.fps),
        "duration_s": shots[-1]["end_s"],
        "cuts_s": [s["start_s"] for s in shots[1:] if s["enter"] == "cut"],
        "dissolves_s": [s["dissolve_s"] for s in shots if s["dissolve_s"]],
        "shots": shots,
        "people": [
            {
                "index": p,
                "source": s,
                "x_range_first_wide": [sum(widths[:p]), sum(widths[: p + 1])],
            }
            for p, s in enumerate(m.panels)
        ],
        "tremor": {
            "person": t.panel,
            "part": t.part,
            "nominal_frequency_hz": t.freq,
            "mean_frequency_hz": round(overall["mean_frequency_hz"], 3),
            "frequency_sd_hz": round(overall["frequency_sd_hz"], 3),
            "amplitude_peak_px_source": t.amp_src_px,
            "direction_deg": t.direction,
            "wander_sd_hz": FREQ_SD,
            "amplitude_modulation": AMP_MOD,
            "seed": seed,
            "box_source_px": list(box),
            "wide_shots": per_shot,
            "wide_seconds": round(sum(s["seconds"] for s in per_shot), 3),
            "constancy_over_wide_shots": 1.0,
            "wide_share_of_clip": round(
                sum(s["seconds"] for s in per_shot) / shots[-1]["end_s"], 3
            ),
        },
    }


# --------------------------------------------------------------------------- hand clips


#: The VisionMD woman's raised left hand (FT_L, she taps her fingers): the part of the frame
#: with the hand, wrist, forearm and a little sleeve over the whole clip (read from frames at
#: 0.2, 3.5 and 6.5 s), source px; shown 1.5x (570x630).
HAND_CROP = (630, 520, 380, 420)
HAND_SCALE = 1.5
#: The hand and wrist in that output (px): the box the hand-tremor case moves.
HAND_BOX = (15, 150, 270, 345)


@dataclass
class HandClip:
    name: str
    path: str
    what: str
    tremor_hz: float | None = None
    tremor_truth: dict = field(default_factory=dict)


def ffmpeg_variant(
    src: Path,
    out: Path,
    vf: str,
    fps: float,
    crf: int,
    start: float = 0.0,
    duration: float | None = None,
) -> None:
    """A re-encode with the ffmpeg command: ``vf`` then the fps filter, libx264 medium."""
    cmd = ["ffmpeg", "-v", "error", "-y", "-ss", f"{start:g}", "-i", str(src)]
    if duration is not None:
        cmd += ["-t", f"{duration:g}"]
    cmd += ["-vf", f"{vf},fps={fps:g}", "-c:v", "libx264", "-preset", "medium", "-crf", str(crf)]
    run([*cmd, "-pix_fmt", "yuv420p", "-an", str(out)])


def build_hands(out: Path, reuse: bool) -> list[HandClip]:
    folder = out / "hands"
    folder.mkdir(parents=True, exist_ok=True)
    x, y, w, h = HAND_CROP
    size = f"{even(w * HAND_SCALE)}:{even(h * HAND_SCALE)}"
    crop = f"crop={w}:{h}:{x}:{y},scale={size}:flags=bicubic"
    clips = []
    built = []
    plain = folder / "FT_L_left_hand_closeup_30fps_crf23.mp4"
    if not reusable(plain, reuse):
        ffmpeg_variant(source_path("FT_L"), plain, crop, 30, 23)
        built.append(plain.name)
    clips.append(
        HandClip(
            "FT_L hand close-up",
            str(plain),
            "raised tapping left hand, forearm, a little sleeve; 570x630 30 fps crf 23",
        )
    )
    base = folder / "FT_L_left_hand_closeup_30fps_crf12.mp4"
    shaky = folder / "FT_L_left_hand_closeup_tremor6Hz_30fps_crf23.mp4"
    truth = shaky.with_suffix(".truth.json")
    if not (reusable(shaky, reuse) and truth.exists()):
        if not reusable(base, reuse):
            ffmpeg_variant(source_path("FT_L"), base, crop, 30, 12)
        bx, by, bw, bh = HAND_BOX
        cmd = [*TOOL, "synth", str(base), str(shaky), "--region", f"{bx},{by},{bw},{bh}:hand"]
        cmd += ["--freq", "6", "--amp", "2", "--direction", "30", "--freq-sd", "0.3"]
        cmd += ["--amp-mod", "0.4", "--seed", "7", "--crf", "23", "--truth", str(truth)]
        run(cmd)
        built.append(shaky.name)
    osc = json.loads(truth.read_text())["oscillations"][0]
    clips.append(
        HandClip(
            "FT_L hand close-up + 6 Hz tremor",
            str(shaky),
            "same, the hand and wrist moved by a 6 Hz tremor (2 px peak)",
            6.0,
            {"mean_frequency_hz": osc["mean_frequency_hz"], "rms_px": osc["rms_px"]},
        )
    )
    treman = source_path("treman3")
    portrait = folder / "treman3_portrait540x720_30fps_crf28.mp4"
    if not reusable(portrait, reuse):
        ffmpeg_variant(treman, portrait, "crop=282:376:70:0,scale=540:720:flags=bicubic", 30, 28)
        built.append(portrait.name)
    clips.append(
        HandClip(
            "TremAn3 portrait crop",
            str(portrait),
            "3:4 crop (282x376 at x 70) scaled to 540x720, 30 fps crf 28",
        )
    )
    trim = folder / "treman3_trim1.5-7.5_25fps_crf26.mp4"
    if not reusable(trim, reuse):
        ffmpeg_variant(treman, trim, "scale=500:376", 25, 26, 1.5, 6.0)
        built.append(trim.name)
    clips.append(HandClip("TremAn3 25 fps trim", str(trim), "1.5-7.5 s, 500x376, 25 fps crf 26"))
    for name in built:
        print(f"built hands/{name}", flush=True)
    return clips


# --------------------------------------------------------------------------- Sports2D

#: Truth of the Sports2D demo (``Demo/demo.mp4``, 1768x994, 30 fps VP9, 7.73 s, a handheld
#: view of a lawn, a grey box, a tree at the right edge), read by hand from its frames
#: (ffmpeg ``select``/``tile`` sheets at 2 and 10 frames a second and frame by frame at the
#: edges; frame 0 with a 10x10 grid). Two people, not three: the "runner" is the man from the
#: box after his back flip (same bare torso and dark shorts; he lands where he flew).
#:
#: - the man: standing on top of the box from the first frame (x about 0.33-0.41 of the width,
#:   y 0.08-0.46: the upper half, backlit by the low sun), waving his arms and jumping on the
#:   spot; back flip off the box from about 5.6 s (in the air against the tree's crown until
#:   about 6.2 s), lands on the lawn at about 6.25 s at about 0.6 of the width, crouches, runs
#:   to the right from about 6.9 s and is behind the tree at the right edge by 7.5-7.6 s;
#: - the woman: comes from behind the tree at the right edge (her hand at frame 34, 1.13 s; head
#:   and body from frame 37, 1.23 s), walks right to left along the lawn in front of the box and
#:   leaves at the left edge at about 6.7 s (her box: the lower half, y about 0.45-0.95).
#:
#: A passer-by far in the background (about 25 px tall, by the shop at x 0.84, y 0.62) is not
#: counted: no pose model is expected to find him.
SPORTS2D_PEOPLE = [
    {"name": "man on the box (flips, lands, runs)", "appears_s": 0.0, "leaves_s": 7.55},
    {"name": "woman walking across", "appears_s": 1.2, "leaves_s": 6.7},
]
#: The man seen again after his flip (a re-identifier keeps his id; a new id should start here).
SPORTS2D_MAN_LANDS_S = 6.25
FIRST_SEEN_TOL_S = 1.0
HEIGHT_CM = (120.0, 210.0)
MAX_AMPLITUDE_CM = 10.0


def find_sports2d(given: Path | None) -> Path | None:
    if given is not None:
        return given if given.exists() else None
    root = Path("/tmp/sports2d")
    hits = sorted(root.rglob("Demo/demo.mp4")) if root.exists() else []
    return hits[0] if hits else None


def sports2d_person(person: dict, width: int, height: int) -> str:
    """Which true person a detection is: the man while he is on the box (box centre in the
    upper half, left half), or once he has landed (first seen from 5.75 s on, lower half); the
    woman otherwise (the lower half, before the landing)."""
    x, y, w, h = person["box"]
    cx, cy = (x + w / 2) / width, (y + h / 2) / height
    if cy < 0.5 and cx < 0.5:
        return "man"
    if person["first_seen_s"] >= SPORTS2D_MAN_LANDS_S - 0.5:
        return "man (flip, landing, run)"
    return "woman"


# --------------------------------------------------------------------------- analysing


def analyse(path: Path, out: Path, name: str, reuse_results: bool) -> tuple[dict, float]:
    """``tremorscope analyze PATH --json`` in a child process; the result and the seconds."""
    result_path = out / "results" / f"{name}.json"
    if reuse_results and result_path.exists():
        result = json.loads(result_path.read_text())
        return result, result.get("benchmark_seconds", 0.0)
    result_path.parent.mkdir(parents=True, exist_ok=True)
    result_path.unlink(missing_ok=True)
    t0 = time.perf_counter()
    done = subprocess.run(
        [*TOOL, "analyze", str(path), "--json", str(result_path), "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - t0
    if not result_path.exists():
        print(f"    analysis failed (exit {done.returncode}): {done.stderr.strip()[-600:]}")
        return {"people": [], "error": done.stderr.strip()[-600:]}, seconds
    result = json.loads(result_path.read_text())
    result["benchmark_seconds"] = round(seconds, 2)
    result["benchmark_exit_code"] = done.returncode
    result_path.write_text(json.dumps(result))
    return result, seconds


def kind_of(finding: dict) -> str:
    """A body part's reported kind (``movement_kinds.reported_kind``'s rule): a rhythm withdrawn
    under the measurement floor is none, the flag ``transmitted`` makes it transmitted."""
    rhythm, flags = finding["rhythmic"], finding["quality"]["flags"]
    fallback = "twitch" if finding["twitches"]["count"] else "none"
    if "below_measurement_floor" in flags and not rhythm["detected"]:
        return fallback
    kind = finding.get("kind") or (rhythm["kind"] if rhythm["detected"] else fallback)
    if "transmitted" in flags and kind not in ("none", "twitch"):
        return "transmitted"
    return kind


def measured_seconds(finding: dict) -> tuple[float | None, str]:
    """The seconds a body part was measured over, and the field it came from: a per-part
    visible/analysed time where the result has one (issue 15), else
    ``quality.analysed_duration_s``."""
    for key in ("analysed_s", "visible_s", "seconds_analysed", "seconds_visible"):
        for holder in (finding, finding.get("quality", {})):
            if isinstance(holder.get(key), int | float):
                return float(holder[key]), key
    q = finding.get("quality", {})
    return q.get("analysed_duration_s"), "quality.analysed_duration_s"


def overlap(a: tuple[float, float], b: tuple[float, float]) -> float:
    return max(0.0, min(a[1], b[1]) - max(a[0], b[0]))


def shots_of(person: dict) -> list[int] | None:
    """The shot indices of ``people[].shots`` (issue 15), None when the result has none."""
    shots = person.get("shots")
    if not isinstance(shots, list):
        return None
    out = []
    for s in shots:
        if isinstance(s, dict):
            idx = s.get("shot", s.get("index"))
            if idx is not None:
                out.append(int(idx))
        elif isinstance(s, int):
            out.append(s)
    return out


def seen_in(person: dict, span: tuple[float, float], shot_index: int | None = None) -> bool:
    """Whether a person is seen in a span (a true shot): from ``people[].shots`` with times
    where the result has them, else from first/last seen."""
    shots = person.get("shots")
    if isinstance(shots, list) and shots and isinstance(shots[0], dict):
        for s in shots:
            first = s.get("first_seen_s", s.get("start_s"))
            last = s.get("last_seen_s", s.get("end_s"))
            if (
                first is not None
                and last is not None
                and overlap((first, last), span) >= 0.5 * (span[1] - span[0])
            ):
                return True
        return False
    first, last = person.get("first_seen_s", 0.0), person.get("last_seen_s", 0.0)
    return overlap((first, last), span) >= 0.5 * (span[1] - span[0])


def judge_cuts(truth: dict, result: dict) -> dict:
    """Cuts and dissolves found against the truth."""
    starts = [s["start_s"] for s in result.get("source", {}).get("shots", [])][1:]
    transitions = result.get("source", {}).get("transitions")
    found, used = [], set()
    for cut in truth["cuts_s"]:
        near = [(abs(s - cut), i) for i, s in enumerate(starts) if abs(s - cut) <= CUT_TOL_S]
        if near:
            _, i = min(near)
            used.add(i)
            found.append({"true_s": cut, "found_s": starts[i]})
        else:
            found.append({"true_s": cut, "found_s": None})
    dissolves = []
    for span in truth["dissolves_s"]:
        spans = []
        if isinstance(transitions, list):
            for tr in transitions:
                a = tr.get("start_s") if isinstance(tr, dict) else tr[0]
                b = tr.get("end_s") if isinstance(tr, dict) else tr[1]
                if a is not None and b is not None and overlap((a, b), span) > 0:
                    spans.append([round(a, 3), round(b, 3)])
        # a shot start inside the dissolve (a cut found there), or where a found transition
        # overlapping it ends (the next shot begins after the span in which nothing is measured)
        lo, hi = span[0] - CUT_TOL_S, span[1] + CUT_TOL_S
        inside = [i for i, s in enumerate(starts) if lo <= s <= hi]
        after = [
            i
            for i, s in enumerate(starts)
            if i not in inside and any(abs(s - b) <= CUT_TOL_S for _, b in spans)
        ]
        used.update(inside + after)
        dissolves.append(
            {
                "true_s": span,
                "transitions": spans,
                "shot_starts_inside": [starts[i] for i in inside],
                "shot_starts_after_transition": [starts[i] for i in after],
            }
        )
    extra = [s for i, s in enumerate(starts) if i not in used]
    return {
        "cuts": found,
        "n_found": sum(f["found_s"] is not None for f in found),
        "n_true": len(found),
        "extra": extra,
        "dissolves": dissolves,
        "transitions_field": transitions is not None,
        "shot_starts": starts,
    }


def first_wide_people(truth: dict, people: list[dict]) -> dict[int, int]:
    """True person index -> detected id, by position in the first wide shot: among the people
    seen during it, the one whose box centre lies in each panel's x range (the largest if
    several)."""
    first = truth["shots"][0]
    span = (first["clean_start_s"], first["clean_end_s"])
    present = [p for p in people if seen_in(p, span, 0)]
    owner: dict[int, tuple[float, int]] = {}
    for p in present:
        x, _, w, h = p["box"]
        cx = x + w / 2
        for truth_person in truth["people"]:
            lo, hi = truth_person["x_range_first_wide"]
            i = truth_person["index"]
            if lo <= cx < hi and (i not in owner or w * h > owner[i][0]):
                owner[i] = (w * h, p["id"])
    return {i: pid for i, (_, pid) in owner.items()}


def judge_montage(truth: dict, result: dict) -> dict:
    people = result.get("people", [])
    cuts = judge_cuts(truth, result)
    ids = first_wide_people(truth, people)
    tr = truth["tremor"]
    target_id = ids.get(tr["person"])
    wide = [s for s in truth["shots"] if s["wide"]]
    tremors = []
    for p in people:
        for part, finding in p.get("body_parts", {}).items():
            if kind_of(finding) != "tremor":
                continue
            r = finding["rhythmic"]
            seconds, field_used = measured_seconds(finding)
            cover = []
            for s in wide:
                span = (s["clean_start_s"], s["clean_end_s"])
                on = sum(overlap(tuple(e), span) for e in r.get("episodes", []))
                cover.append(round(on / (span[1] - span[0]), 2))
            tremors.append(
                {
                    "person": p["id"],
                    "part": part,
                    "hz": r.get("frequency_hz"),
                    "px": r.get("amplitude"),
                    "constancy": r.get("constancy"),
                    "seconds": seconds,
                    "seconds_field": field_used,
                    "episodes": r.get("episodes", []),
                    "wide_cover": cover,
                    "target": p["id"] == target_id and part.endswith("foot"),
                }
            )
    uncertain = {p["id"]: p.get("identity_uncertain") for p in people}
    per_shot = []
    for k, s in enumerate(wide):
        holders = [
            f"P{t['person']}.{t['part']} {fmt(t['hz'])} Hz"
            + (" (identity_uncertain)" if uncertain.get(t["person"]) else "")
            for t in tremors
            if t["part"].endswith("foot") and t["wide_cover"][k] >= SHOT_COVER
        ]
        per_shot.append({"shot": s["index"], "holders": holders})
    on_target = [t for t in tremors if t["target"]]
    best = max(on_target, key=lambda t: sum(t["wide_cover"]), default=None)
    others = [t for t in tremors if t is not best]
    target_person = next((p for p in people if p["id"] == target_id), None)
    seen_every_wide = target_person is not None and all(
        seen_in(target_person, (s["clean_start_s"], s["clean_end_s"]), s["index"]) for s in wide
    )
    tremor_ok = (
        best is not None
        and seen_every_wide
        and all(c >= SHOT_COVER for c in best["wide_cover"])
        and best["hz"] is not None
        and abs(best["hz"] - tr["mean_frequency_hz"]) <= FREQ_TOL_HZ
        and not others
    )
    return {
        "cuts": cuts,
        "people_found": len(people),
        "people_true": len(truth["people"]),
        "people": [
            {
                "id": p["id"],
                "box": p["box"],
                "first_seen_s": p["first_seen_s"],
                "last_seen_s": p["last_seen_s"],
                "shots": p.get("shots"),
                "identity_uncertain": p.get("identity_uncertain"),
                "parts": {k: kind_of(f) for k, f in p.get("body_parts", {}).items()},
            }
            for p in people
        ],
        "first_wide_ids": ids,
        "tremor_person_id": target_id,
        "tremor_person_seen_in_every_wide_shot": seen_every_wide,
        "tremor": best,
        "other_tremors": others,
        "foot_tremor_by_wide_shot": per_shot,
        "targets": {
            "every_cut": cuts["n_found"] == cuts["n_true"]
            and all(d["transitions"] or d["shot_starts_inside"] for d in cuts["dissolves"]),
            "no_extra_cut": not cuts["extra"],
            "right_number_of_people": len(people) == len(truth["people"]),
            "tremor_on_one_person_over_every_wide_shot": tremor_ok,
        },
    }


# --------------------------------------------------------------------------- printing


def fmt(v: float | None, spec: str = ".2f", none: str = "-") -> str:
    return none if v is None else format(v, spec)


def print_montage(name: str, truth: dict, j: dict, seconds: float) -> None:
    tr = truth["tremor"]
    w, h = truth["size"]
    print(
        f"\n== {name}  ({w}x{h} {truth['fps']} fps crf {truth['crf']}, "
        f"{truth['duration_s']:.1f} s, analysed in {seconds:.0f} s)"
    )
    shots = "  ".join(
        f"{s['index']}:{s['framing']} {s['start_s']:.2f}-{s['end_s']:.2f}"
        + (
            f" (dissolve {s['dissolve_s'][0]:.2f}-{s['dissolve_s'][1]:.2f})"
            if s["dissolve_s"]
            else ""
        )
        for s in truth["shots"]
    )
    print(f"   true shots: {shots}")
    c = j["cuts"]
    cuts = ", ".join(f"{x['true_s']:.2f}->{fmt(x['found_s'])}" for x in c["cuts"])
    print(
        f"   cuts found {c['n_found']}/{c['n_true']}  [{cuts}]  extra {len(c['extra'])}"
        f"{' ' + str([round(x, 2) for x in c['extra']]) if c['extra'] else ''}"
        f"  (result's shot starts: {[round(x, 2) for x in c['shot_starts']]})"
    )
    for d in c["dissolves"]:
        field_note = "" if c["transitions_field"] else " (no source.transitions in the result)"
        print(
            f"   dissolve {d['true_s'][0]:.2f}-{d['true_s'][1]:.2f}: transitions {d['transitions']}"
            f"{field_note}, shot starts inside {[round(x, 2) for x in d['shot_starts_inside']]}"
            f", at a transition's end {[round(x, 2) for x in d['shot_starts_after_transition']]}"
        )
    print(
        f"   people found {j['people_found']} (true {j['people_true']}); first wide shot: "
        f"left = P{j['first_wide_ids'].get(0, '-')}, right = P{j['first_wide_ids'].get(1, '-')}"
    )
    for p in j["people"]:
        extra = ""
        if p["shots"] is not None:
            extra += f" shots {p['shots']}"
        if p["identity_uncertain"] is not None:
            extra += f" identity_uncertain={p['identity_uncertain']}"
        moving = {k: v for k, v in p["parts"].items() if v != "none"}
        print(
            f"     P{p['id']}: box {p['box']} seen {p['first_seen_s']:.2f}-{p['last_seen_s']:.2f}"
            f"{extra}  {moving or 'nothing moving'}"
        )
    side = "left" if tr["person"] == 0 else "right"
    wides = "  ".join(
        f"shot {s['shot']}: {s['mean_frequency_hz']:.2f} Hz {s['rms_px']:.2f} px RMS "
        f"{s['seconds']:.1f} s"
        for s in tr["wide_shots"]
    )
    print(
        f"   truth: {side} person ({truth['people'][tr['person']]['source']}) {tr['part']}, "
        f"{tr['mean_frequency_hz']:.2f} Hz over the wide shots ({tr['wide_seconds']:.1f} s, "
        f"{100 * tr['wide_share_of_clip']:.0f} % of the clip); {wides}"
    )
    b = j["tremor"]
    if b is None:
        print(f"   tremor on P{j['tremor_person_id'] or '-'}'s foot: NOT FOUND")
    else:
        error = fmt(b["hz"] - tr["mean_frequency_hz"], "+.2f") if b["hz"] is not None else "-"
        print(
            f"   tremor on P{b['person']}.{b['part']}: {fmt(b['hz'])} Hz (error {error}), "
            f"{fmt(b['px'])} px, constancy {fmt(b['constancy'])} (truth 1.00 over the wide shots, "
            f"{tr['wide_share_of_clip']:.2f} of the clip), measured {fmt(b['seconds'], '.1f')} s "
            f"[{b['seconds_field']}] of {tr['wide_seconds']:.1f} s wide; episodes cover the wide "
            f"shots {b['wide_cover']}; person seen in every wide shot: "
            f"{j['tremor_person_seen_in_every_wide_shot']}"
        )
    holders = "  ".join(
        f"shot {x['shot']}: {', '.join(x['holders']) or 'none'}"
        for x in j["foot_tremor_by_wide_shot"]
    )
    print(f"   foot tremor covering each wide shot: {holders}")
    for o in j["other_tremors"]:
        print(
            f"   other tremor: P{o['person']}.{o['part']} {fmt(o['hz'])} Hz {fmt(o['px'])} px "
            f"constancy {fmt(o['constancy'])} covers wide {o['wide_cover']}"
        )
    if not j["other_tremors"]:
        print("   other tremor: none")
    t = j["targets"]
    print(
        f"   TARGETS {name}: every cut {yes(t['every_cut'])} (extra cuts {len(c['extra'])}) | "
        f"right number of people {yes(t['right_number_of_people'])} ({j['people_found']}/"
        f"{j['people_true']}) | tremor on one person over every wide shot "
        f"{yes(t['tremor_on_one_person_over_every_wide_shot'])}"
    )


def yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def judge_hand(clip: HandClip, result: dict) -> dict:
    parts = []
    for p in result.get("people", []):
        for part, finding in p.get("body_parts", {}).items():
            r = finding["rhythmic"]
            parts.append(
                {
                    "person": p["id"],
                    "part": part,
                    "kind": kind_of(finding),
                    "hz": r.get("frequency_hz") if r.get("detected") else None,
                    "px": r.get("amplitude") if r.get("detected") else None,
                    "twitches": finding["twitches"]["count"],
                }
            )
    hand_parts = ("left_hand", "right_hand")
    hand_found = any(x["part"] in hand_parts for x in parts)
    others = sorted({x["part"] for x in parts if x["part"] not in hand_parts})
    hands_only = hand_found and not others
    tremor_found = None
    if clip.tremor_hz is not None:
        hits = [x for x in parts if x["part"].endswith("hand") and x["kind"] == "tremor"]
        tremor_found = bool(hits) and any(
            abs(x["hz"] - clip.tremor_truth["mean_frequency_hz"]) <= FREQ_TOL_HZ for x in hits
        )
    return {
        "people": len(result.get("people", [])),
        "parts": parts,
        "hands_only": hands_only,
        "hand_found": hand_found,
        "other_parts": others,
        "dominant_group": result.get("dominant_group"),
        "tremor_found": tremor_found,
    }


def print_hand(clip: HandClip, j: dict, seconds: float) -> None:
    print(f"\n== {clip.name}: {clip.what} (analysed in {seconds:.0f} s)")
    print(f"   people {j['people']}, main finding {j['dominant_group']}")
    for x in j["parts"]:
        rhythm = f" {fmt(x['hz'])} Hz {fmt(x['px'])} px" if x["hz"] is not None else ""
        twitch = f" twitches {x['twitches']}" if x["twitches"] else ""
        print(f"     P{x['person']}.{x['part']:<11} {x['kind']}{rhythm}{twitch}")
    line = (
        f"   TARGETS {clip.name}: only hand findings {yes(j['hands_only'])} (a hand "
        f"{'found' if j['hand_found'] else 'NOT found'}; other body parts: "
        f"{', '.join(j['other_parts']) or 'none'})"
    )
    if j["tremor_found"] is not None:
        line += (
            f" | hand tremor at {clip.tremor_truth['mean_frequency_hz']:.2f} Hz found "
            f"{yes(j['tremor_found'])}"
        )
    print(line)


def judge_sports2d(result: dict) -> dict:
    src = result.get("source", {})
    width, height = src.get("width") or 1768, src.get("height") or 994
    people = result.get("people", [])
    rows = []
    for p in people:
        who = sports2d_person(p, width, height)
        scale = p.get("scale") or {}
        px_per_cm = scale.get("px_per_cm")
        box_h = p["box"][3]
        height_cm = box_h / px_per_cm if px_per_cm else None
        amps = {}
        moving = {}
        for part, finding in p.get("body_parts", {}).items():
            r = finding["rhythmic"]
            if r.get("amplitude_cm") is not None:
                amps[part] = r["amplitude_cm"]
            kind = kind_of(finding)
            if kind == "tremor" or finding["twitches"]["count"]:
                moving[part] = (
                    f"{kind} ({finding['twitches']['count']} twitches)"
                    if finding["twitches"]["count"]
                    else f"{kind} {fmt(r.get('frequency_hz'))} Hz"
                )
        rows.append(
            {
                "id": p["id"],
                "who": who,
                "box": p["box"],
                "first_seen_s": p["first_seen_s"],
                "last_seen_s": p["last_seen_s"],
                "px_per_cm": px_per_cm,
                "scale_source": scale.get("source"),
                "scale_ci": scale.get("px_per_cm_ci"),
                "box_height_cm": height_cm,
                "amplitude_cm": amps,
                "twitch_or_tremor": moving,
                "parts": {k: kind_of(f) for k, f in p.get("body_parts", {}).items()},
            }
        )
    appear = []
    for truth in SPORTS2D_PEOPLE:
        key = "man" if truth["name"].startswith("man") else "woman"
        mine = [r for r in rows if r["who"] == key]
        first = min((r["first_seen_s"] for r in mine), default=None)
        appear.append(
            {
                "name": truth["name"],
                "appears_s": truth["appears_s"],
                "first_seen_s": first,
                "ok": first is not None and abs(first - truth["appears_s"]) <= FIRST_SEEN_TOL_S,
            }
        )
    landed = [r for r in rows if r["who"] == "man (flip, landing, run)"]
    ids = {
        "man": [r["id"] for r in rows if r["who"].startswith("man")],
        "woman": [r["id"] for r in rows if r["who"] == "woman"],
    }
    false_moves = [(r["id"], k, v) for r in rows for k, v in r["twitch_or_tremor"].items()]
    cm_ok = all(
        r["box_height_cm"] is None or HEIGHT_CM[0] <= r["box_height_cm"] <= HEIGHT_CM[1]
        for r in rows
    ) and all(a <= MAX_AMPLITUDE_CM for r in rows for a in r["amplitude_cm"].values())
    return {
        "rows": rows,
        "appear": appear,
        "landed_ids": [r["id"] for r in landed],
        "ids": ids,
        "false_moves": false_moves,
        "cm_ok": cm_ok,
        "targets": {
            "everyone_within_1s": all(a["ok"] for a in appear),
            "no_twitch_or_tremor": not false_moves,
            "centimetres_plausible": cm_ok,
        },
    }


def print_sports2d(j: dict, seconds: float, path: Path) -> None:
    print(f"\n== Sports2D demo ({path}; analysed in {seconds:.0f} s)")
    for a in j["appear"]:
        print(
            f"   {a['name']:<38} appears {a['appears_s']:.2f} s, first seen "
            f"{fmt(a['first_seen_s'])} s  within {FIRST_SEEN_TOL_S:g} s: {yes(a['ok'])}"
        )
    print(
        f"   people found {len(j['rows'])} (true: 2 distinct people): the man as ids "
        f"{j['ids']['man']} (new ids after his landing at {SPORTS2D_MAN_LANDS_S} s: "
        f"{j['landed_ids'] or 'none'}), the woman as ids {j['ids']['woman']}"
    )
    for r in j["rows"]:
        ci = r["scale_ci"]
        ci_text = f" [{ci[0]:.2f}, {ci[1]:.2f}]" if ci else ""
        amps = ", ".join(f"{k} {v:.1f}" for k, v in r["amplitude_cm"].items()) or "none"
        print(
            f"     P{r['id']} = {r['who']}: box {r['box']} seen {r['first_seen_s']:.2f}-"
            f"{r['last_seen_s']:.2f} s; scale {fmt(r['px_per_cm'])} px/cm{ci_text} "
            f"({r['scale_source'] or 'none'}), box height {fmt(r['box_height_cm'], '.0f')} cm; "
            f"amplitude_cm: {amps}"
        )
        if r["twitch_or_tremor"]:
            print(f"        twitch/tremor: {r['twitch_or_tremor']}")
    t = j["targets"]
    print(
        f"   TARGETS Sports2D: everyone found within {FIRST_SEEN_TOL_S:g} s "
        f"{yes(t['everyone_within_1s'])} | no twitch or tremor on the walking/jumping people "
        f"{yes(t['no_twitch_or_tremor'])} ({len(j['false_moves'])} body parts) | centimetres "
        f"plausible {yes(t['centimetres_plausible'])} (box height / px_per_cm within "
        f"{HEIGHT_CM[0]:.0f}-{HEIGHT_CM[1]:.0f} cm, every amplitude_cm <= {MAX_AMPLITUDE_CM:g} cm)"
    )


# --------------------------------------------------------------------------- main


def source_digest() -> tuple[str, str]:
    """The source folder the child processes import tremorscope from, and a short digest of
    its ``.py`` files (which code made the results)."""
    where = run(
        [
            *TOOL[:1],
            "-c",
            "import tremorscope, pathlib; "
            "print(pathlib.Path(tremorscope.__file__).resolve().parent)",
        ]
    ).strip()
    digest = hashlib.sha1()
    for path in sorted(Path(where).rglob("*.py")):
        digest.update(path.read_bytes())
    return where, digest.hexdigest()[:12]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/people_over_time"))
    parser.add_argument("--reuse", action="store_true", help="keep clips already built in --out")
    parser.add_argument(
        "--reuse-results", action="store_true", help="also keep analyses already in --out/results"
    )
    parser.add_argument("--only", help="only cases whose name contains this")
    parser.add_argument(
        "--sports2d",
        type=Path,
        help="the Sports2D demo video (default: Demo/demo.mp4 under /tmp/sports2d)",
    )
    parser.add_argument("--build-only", action="store_true")
    args = parser.parse_args()
    if not REALDATA.exists():
        print(f"skipped: {REALDATA} not found")
        return 0
    if shutil.which("ffmpeg") is None:
        print("skipped: the ffmpeg command is not installed")
        return 0
    start = time.perf_counter()
    where, digest = source_digest()
    print(f"tremorscope from {where} (source digest {digest})", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)

    def wanted(name: str) -> bool:
        return args.only is None or args.only in name

    built = []
    try:
        for m in montages():
            if wanted(m.name):
                built.append((m.name, *build_montage(m, args.out, args.reuse)))
        hands = [h for h in build_hands(args.out, args.reuse) if wanted(h.name)]
    except RuntimeError as exc:
        print(f"building failed: {exc}")
        return 0
    print(f"built in {time.perf_counter() - start:.0f} s", flush=True)
    if args.build_only:
        return 0
    written: dict = {"tremorscope": where, "source_digest": digest, "montages": {}, "hands": {}}
    for name, path, truth in built:
        result, seconds = analyse(path, args.out, name, args.reuse_results)
        j = judge_montage(truth, result)
        print_montage(name, truth, j, seconds)
        written["montages"][name] = {"truth": truth, "judged": j, "seconds": round(seconds, 1)}
    for clip in hands:
        key = clip.name.replace(" ", "_").replace("+", "").replace("__", "_")
        result, seconds = analyse(Path(clip.path), args.out, f"hand_{key}", args.reuse_results)
        j = judge_hand(clip, result)
        print_hand(clip, j, seconds)
        written["hands"][clip.name] = {**asdict(clip), "judged": j, "seconds": round(seconds, 1)}
    if wanted("sports2d") or args.only is None:
        video = find_sports2d(args.sports2d)
        if video is None:
            print(
                "\n== Sports2D demo: not found. Get it once with\n"
                "   pip download sports2d --no-deps -d /tmp/sports2d && cd /tmp/sports2d && "
                "unzip -oq sports2d-*.whl 'Sports2D/Demo/*'\n"
                "   (or pass --sports2d PATH/TO/demo.mp4)"
            )
        else:
            result, seconds = analyse(video, args.out, "sports2d_demo", args.reuse_results)
            j = judge_sports2d(result)
            print_sports2d(j, seconds, video)
            written["sports2d"] = {"video": str(video), "judged": j, "seconds": round(seconds, 1)}
    print("\nSUMMARY")
    for name, item in written["montages"].items():
        jm = item["judged"]
        t, c = jm["targets"], jm["cuts"]
        found_d = sum(bool(d["transitions"] or d["shot_starts_inside"]) for d in c["dissolves"])
        dissolves = f" + dissolves {found_d}/{len(c['dissolves'])}" if c["dissolves"] else ""
        b = jm["tremor"]
        hz = f" {b['hz']:.2f}/{item['truth']['tremor']['mean_frequency_hz']:.2f} Hz" if b else ""
        print(
            f"   {name:<34} cuts {c['n_found']}/{c['n_true']}{dissolves} {yes(t['every_cut'])}, "
            f"extra {len(c['extra'])} | people {jm['people_found']}/{jm['people_true']} "
            f"{yes(t['right_number_of_people'])} | tremor on one person over every wide shot "
            f"{yes(t['tremor_on_one_person_over_every_wide_shot'])}{hz}"
        )
    for name, item in written["hands"].items():
        jh = item["judged"]
        print(
            f"   {name:<34} only hand findings {yes(jh['hands_only'])} (hand "
            f"{'found' if jh['hand_found'] else 'not found'}; other parts: "
            f"{', '.join(jh['other_parts']) or 'none'})"
        )
    if "sports2d" in written:
        t = written["sports2d"]["judged"]["targets"]
        print(
            f"   {'Sports2D demo':<34} within 1 s {yes(t['everyone_within_1s'])} | no twitch/"
            f"tremor {yes(t['no_twitch_or_tremor'])} | cm plausible "
            f"{yes(t['centimetres_plausible'])}"
        )
    written["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    name = "people_over_time.json" if args.only is None else "people_over_time_subset.json"
    (args.out / name).write_text(json.dumps(written, indent=1, default=str))
    print(f"\nwhole run {time.perf_counter() - start:.0f} s; tables in {args.out / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
