"""The command line: ``analyze`` (video), ``signal`` (sensors), ``demo``, ``synth``, ``schema``."""

from __future__ import annotations

import atexit
import gc
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from tremorscope.errors import InputError

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Measure tremor and twitches in movement recordings. A measurement, never a diagnosis.",
)
console = Console()
err_console = Console(stderr=True)

ContextOption = Annotated[
    str,
    typer.Option(help="Condition of the recording: rest, postural, kinetic, standing or unknown."),
]


def parse_region(text: str, number: int) -> tuple[str, tuple[int, int, int, int]]:
    """Parse ``X,Y,W,H[:NAME]`` into a name and a box (name ``regionN`` when not given)."""
    spec, _, name = text.partition(":")
    try:
        x, y, w, h = (round(float(v)) for v in spec.split(","))
    except ValueError:
        raise typer.BadParameter(
            f"{text!r}: use X,Y,W,H[:NAME] in pixels, e.g. 100,200,80,80:left_foot",
            param_hint="'--region'",
        ) from None
    if w <= 0 or h <= 0 or x < 0 or y < 0:
        raise typer.BadParameter(
            f"{text!r}: width and height must be positive and x, y not negative",
            param_hint="'--region'",
        )
    name = name.strip() or f"region{number}"
    if not name.replace("_", "").replace("-", "").isalnum():
        raise typer.BadParameter(
            f"{name!r}: a region name uses letters, digits, - and _", param_hint="'--region'"
        )
    return name, (x, y, w, h)


@app.command()
def analyze(
    video: Annotated[Path, typer.Argument(help="Video file (mp4, mov, mkv, avi, webm, ...).")],
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the result as JSON.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            help="Folder for every artefact (analysis.json, windows.csv, tracks.csv, "
            "tracks.nc, report.html)."
        ),
    ] = None,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Write the per-window series.")
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(help="Write a self-contained HTML report with figures (works offline)."),
    ] = None,
    annotated: Annotated[
        Path | None,
        typer.Option(help="Write the footage as MP4 with regions, live traces and events drawn."),
    ] = None,
    person: Annotated[
        int | None,
        typer.Option(min=1, help="Analyse only this person (1, 2, ... left to right)."),
    ] = None,
    region: Annotated[
        list[str] | None,
        typer.Option(help="Also measure this region: X,Y,W,H[:NAME] in pixels (repeatable)."),
    ] = None,
    no_people: Annotated[
        bool, typer.Option("--no-people", help="Do not look for people; measure regions only.")
    ] = False,
    context: ContextOption = "unknown",
    scale: Annotated[
        float | None,
        typer.Option(
            min=0.001,
            help="Pixels per cm at the moving body parts (else estimated from the shoulders).",
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="Print nothing but errors.")] = False,
) -> None:
    """Measure tremor and twitches of each person's head, hands, knees and feet in a video."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from tremorscope.api import analyze_video
    from tremorscope.config import CONTEXTS
    from tremorscope.report import (
        print_analysis,
        write_annotated_video,
        write_html_report,
        write_json,
        write_tracks_csv,
        write_tracks_netcdf,
        write_windows_csv,
    )
    from tremorscope.video import probe_video

    if context not in CONTEXTS:
        raise typer.BadParameter(f"use one of {', '.join(CONTEXTS)}", param_hint="'--context'")
    regions = [parse_region(text, i + 1) for i, text in enumerate(region or [])]
    if len({name for name, _ in regions}) < len(regions):
        raise typer.BadParameter("two regions share a name", param_hint="'--region'")
    if no_people and person is not None:
        raise typer.BadParameter("--person needs people: drop --no-people", param_hint="'--person'")
    if no_people and not regions:
        raise typer.BadParameter("with --no-people give at least one --region")
    info = probe_video(video)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} frames"),
        TimeRemainingColumn(),
    )
    show = not quiet and err_console.is_terminal
    with Progress(*columns, console=err_console, transient=True, disable=not show) as bar:
        task = bar.add_task(f"analysing {video.name}", total=info.n_frames or None)
        analysis = analyze_video(
            video,
            person=person,
            regions=regions,
            find_people=not no_people,
            context=context,
            progress=lambda done: bar.update(task, completed=done),
            px_per_cm=scale,
        )
    targets = []
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        targets += [
            ("json", out / "analysis.json"),
            ("csv", out / "windows.csv"),
            ("tracks", out / "tracks.csv"),
            ("netcdf", out / "tracks.nc"),
            ("report", out / "report.html"),
        ]
    if json_out:
        targets.append(("json", json_out))
    if csv_out:
        targets.append(("csv", csv_out))
    if report:
        targets.append(("report", report))
    writers = {
        "json": write_json,
        "csv": write_windows_csv,
        "tracks": write_tracks_csv,
        "netcdf": write_tracks_netcdf,
        "report": lambda a, path: write_html_report(a, path, video=video),
    }
    for kind, target in targets:
        writers[kind](analysis, target)
    if not quiet:
        print_analysis(analysis, console)
        for _, target in targets:
            console.print(f"[dim]wrote {target}[/dim]")
    if annotated:
        with Progress(*columns, console=err_console, transient=True, disable=not show) as bar:
            task = bar.add_task(f"drawing {annotated.name}", total=info.n_frames or None)
            write_annotated_video(
                video, analysis, annotated, progress=lambda done: bar.update(task, completed=done)
            )
        if not quiet:
            console.print(f"[dim]wrote {annotated}[/dim]")
    if analysis.source.decode_error:
        raise InputError(video, analysis.source.decode_error)


@app.command()
def signal(
    file: Annotated[Path, typer.Argument(help="CSV or JSON sensor recording.")],
    rate: Annotated[
        float | None, typer.Option(help="Sampling rate in Hz, when the file has no time column.")
    ] = None,
    channels: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated vectors or columns to analyse, e.g. acc or acc_x,acc_y."
        ),
    ] = None,
    time_unit: Annotated[
        str | None,
        typer.Option(
            help="Unit of the time column (s, ms, us, ns), if detection should be overridden."
        ),
    ] = None,
    context: ContextOption = "unknown",
    unit: Annotated[
        str | None, typer.Option(help="Unit of the values (e.g. mm), if known.")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Write the result as JSON.")
    ] = None,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Write the per-window series.")
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(help="Write a self-contained HTML report with figures (works offline)."),
    ] = None,
    quiet: Annotated[bool, typer.Option(help="Print nothing but errors.")] = False,
) -> None:
    """Analyse a wearable or motion-capture recording (accelerometer, gyroscope, positions)."""
    from tremorscope.api import analyze_signal
    from tremorscope.config import CONTEXTS
    from tremorscope.report import (
        print_analysis,
        write_html_report,
        write_json,
        write_windows_csv,
    )

    if context not in CONTEXTS:
        raise typer.BadParameter(f"use one of {', '.join(CONTEXTS)}", param_hint="'--context'")
    selected = [c.strip() for c in channels.split(",")] if channels else None
    analysis = analyze_signal(
        file, rate_hz=rate, channels=selected, time_unit=time_unit, context=context, unit=unit
    )
    if json_out:
        write_json(analysis, json_out)
    if csv_out:
        write_windows_csv(analysis, csv_out)
    if report:
        write_html_report(analysis, report)
    if not quiet:
        print_analysis(analysis, console)
        if report:
            console.print(f"[dim]wrote {report}[/dim]")


@app.command()
def demo(
    out: Annotated[Path | None, typer.Option(help="Folder for the demo clip and results.")] = None,
    sensor: Annotated[
        bool, typer.Option("--sensor", help="Demonstrate the wearable-sensor path instead.")
    ] = False,
) -> None:
    """Inject a known tremor into real footage, analyse it, compare with the truth."""
    from tremorscope.demo import run_signal_demo, run_video_demo

    folder = out or Path(tempfile.mkdtemp(prefix="tremorscope-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    ok = (run_signal_demo if sensor else run_video_demo)(folder, console)
    if not ok:
        raise typer.Exit(1)


@app.command()
def schema(
    file: Annotated[Path | None, typer.Argument(help="Where to write; stdout by default.")] = None,
) -> None:
    """Print or write the JSON Schema of the result."""
    import json

    from tremorscope.report import write_schema
    from tremorscope.results import json_schema

    if file is None:
        console.print_json(json.dumps(json_schema()))
    else:
        write_schema(file)


def _register_synth() -> None:
    from tremorscope.synth.video_cli import synth

    app.command(
        "synth",
        help="Inject known oscillations, twitches and camera shake into a real video (ground "
        "truth for testing); writes the video and its truth as JSON.",
    )(synth)


_register_synth()


def main() -> None:
    """Entry point: one line and exit code 2 for bad input, never a traceback for it."""
    # Once the command is done, the process ends: Python's last garbage collections would walk
    # the 200 000 objects numba's and mediapipe's modules keep (0.3-0.7 s) only to free memory
    # the process is about to return anyway.
    atexit.register(gc.freeze)
    try:
        code = app(standalone_mode=False)
    except InputError as exc:
        err_console.print(
            f"tremorscope: error: {exc.path}: {exc.problem}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
        sys.exit(2)
    except (typer.Exit, SystemExit) as exc:
        sys.exit(getattr(exc, "exit_code", getattr(exc, "code", 0)) or 0)
    except typer.Abort:
        sys.exit(130)
    except Exception as exc:  # a usage error of the command line, or a bug
        if hasattr(exc, "show") and hasattr(exc, "exit_code"):
            exc.show()
            sys.exit(exc.exit_code)
        if os.environ.get("TREMORSCOPE_DEBUG"):
            raise
        err_console.print(
            f"tremorscope: internal error: {type(exc).__name__}: {exc} "
            "(set TREMORSCOPE_DEBUG=1 for details)",
            markup=False,
            soft_wrap=True,
        )
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
