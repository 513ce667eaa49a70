"""The built-in demonstration: known truth in, measurement out, compared side by side."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from tremorscope.api import analyze_signal
from tremorscope.report import print_analysis, write_json, write_windows_csv
from tremorscope.synth import synthetic_signal, write_signal_csv

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
    write_json(analysis, folder / "demo_result.json")
    write_windows_csv(analysis, folder / "demo_windows.csv")
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
    table = Table(title="Demo: measured against the known truth", header_style="bold")
    for col in ("quantity", "true", "measured", "tolerance", ""):
        table.add_column(col)
    all_ok = bool(r.detected)
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
    console.print(
        f"Files in {folder}: {csv_path.name} (input), demo_truth.json, demo_result.json, "
        "demo_windows.csv"
    )
    return all_ok
