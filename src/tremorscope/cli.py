"""The command line: ``analyze`` (video), ``signal`` (sensors), ``batch``, ``demo``, ``synth``."""

from __future__ import annotations

import atexit
import gc
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from tremorscope.errors import InputError, OptionError
from tremorscope.options import (
    ANNOTATED_SUFFIXES,
    REPORT_SUFFIXES,
    SENSOR_SUFFIXES,
    looks_like_video,
    output_file_problem,
    output_folder_problem,
    output_suffix_problem,
    parse_context,
    parse_region,
)

if TYPE_CHECKING:
    from tremorscope.results import Analysis

app = typer.Typer(
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help="Measure tremor and twitches in movement recordings. A measurement, never a diagnosis.",
)
console = Console()
err_console = Console(stderr=True)


def _context(value: str) -> str:
    try:
        return parse_context(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


ContextOption = Annotated[
    str,
    typer.Option(
        help="Condition of the recording: rest, postural, kinetic, standing or unknown.",
        callback=_context,
    ),
]


def _version(value: bool) -> None:
    if value:
        from tremorscope import __version__

        console.print(f"tremorscope {__version__}", highlight=False, markup=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    pass


def _regions(texts: list[str] | None) -> list[tuple[str, tuple[int, int, int, int]]]:
    """The ``--region`` values parsed (their fit to the frame is checked with the video)."""
    regions = []
    for number, text in enumerate(texts or [], start=1):
        try:
            regions.append(parse_region(text, number))
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="'--region'") from None
    return regions


def _check_outputs(
    source: Path,
    files: list[tuple[str, Path | None, tuple[str, ...]]],
    folder: Path | None,
) -> None:
    """Refuse, before any work, output paths that cannot be written.

    ``files`` holds each file option, its value and the endings it must have; ``folder`` is
    the ``--out`` folder. Raises :class:`OptionError` naming the option, the path and why.
    """
    for option, path, suffixes in files:
        if path is None:
            continue
        # a file in the --out folder still to be made: the folder is checked below
        in_new_folder = (
            folder is not None
            and not folder.exists()
            and path.parent.absolute() == folder.absolute()
        )
        if in_new_folder:
            problem = output_suffix_problem(path, suffixes)
        else:
            problem = output_file_problem(path, suffixes)
        if problem is None and path.exists() and source.exists() and path.samefile(source):
            problem = "is the input file itself: it would be overwritten"
        if problem:
            raise OptionError(option, path, problem)
    if folder is not None:
        problem = output_folder_problem(folder)
        if problem:
            raise OptionError("--out", folder, problem)


def _check_video_input(path: Path) -> None:
    """Refuse a sensor recording given to ``analyze``, naming the command that reads it."""
    if path.suffix.lower() in SENSOR_SUFFIXES and path.is_file() and not looks_like_video(path):
        kind = path.suffix[1:].upper()
        raise InputError(
            path, f"a {kind} file, not a video: for a sensor recording use 'tremorscope signal'"
        )


def _check_sensor_input(path: Path) -> None:
    """Refuse a video given to ``signal``, naming the command that reads it."""
    if path.is_file() and looks_like_video(path):
        raise InputError(
            path, "a video, not a sensor recording: for a video use 'tremorscope analyze'"
        )


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
    regions = _regions(region)
    if no_people and person is not None:
        raise typer.BadParameter("--person needs people: drop --no-people", param_hint="'--person'")
    if no_people and not regions:
        raise typer.BadParameter("with --no-people give at least one --region")
    files = [
        ("--json", json_out, ()),
        ("--csv", csv_out, ()),
        ("--report", report, REPORT_SUFFIXES),
        ("--annotated", annotated, ANNOTATED_SUFFIXES),
    ]
    _check_outputs(video, files, out)
    _check_video_input(video)

    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from tremorscope.api import analyze_video
    from tremorscope.report import print_analysis, write_annotated_video
    from tremorscope.video import probe_video

    info = probe_video(video)  # a file that is no video fails here, before the pass
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
    written = _write(analysis, out, json_out, csv_out, report, video)
    if not quiet:
        print_analysis(analysis, console)
        for target in written:
            console.print(f"[dim]wrote {target}[/dim]")
    if annotated:
        with Progress(*columns, console=err_console, transient=True, disable=not show) as bar:
            task = bar.add_task(f"drawing {annotated.name}", total=info.n_frames or None)
            write_annotated_video(
                video, analysis, annotated, progress=lambda done: bar.update(task, completed=done)
            )
        written.append(annotated)
        if not quiet:
            console.print(f"[dim]wrote {annotated}[/dim]")
    _fail_if_incomplete(video, analysis.source.decode_error, written)


def _write(
    analysis: Analysis,
    folder: Path | None,
    json_out: Path | None,
    csv_out: Path | None,
    report: Path | None,
    video: Path | None = None,
) -> list[Path]:
    """Write the ``--out`` folder and the single files asked for; the paths written."""
    from tremorscope.report import write_html_report, write_json, write_outputs, write_windows_csv
    from tremorscope.report.outputs import write_atomically

    written = list(write_outputs(analysis, folder, video=video).values()) if folder else []
    singles = [
        (json_out, write_json),
        (csv_out, write_windows_csv),
        (report, lambda a, p: write_html_report(a, p, video=video)),
    ]
    for target, writer in singles:
        if target is not None:
            written.append(write_atomically(target, lambda p, w=writer: w(analysis, p)))
    return written


def _fail_if_incomplete(source: Path, decode_error: str | None, written: list[Path]) -> None:
    """Exit with code 2 (one line) when the file ended early, after what it gave is written."""
    if decode_error:
        kept = "; the part decoded is analysed in the files written" if written else ""
        raise InputError(source, f"{decode_error}{kept}")


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
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for every artefact (analysis.json, windows.csv, report.html)."),
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
    files = [
        ("--json", json_out, ()),
        ("--csv", csv_out, ()),
        ("--report", report, REPORT_SUFFIXES),
    ]
    _check_outputs(file, files, out)
    _check_sensor_input(file)

    from tremorscope.api import analyze_signal
    from tremorscope.report import print_analysis

    selected = [c.strip() for c in channels.split(",")] if channels else None
    analysis = analyze_signal(
        file, rate_hz=rate, channels=selected, time_unit=time_unit, context=context, unit=unit
    )
    written = _write(analysis, out, json_out, csv_out, report)
    if not quiet:
        print_analysis(analysis, console)
        for target in written:
            console.print(f"[dim]wrote {target}[/dim]")


@app.command()
def batch(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Folders (searched recursively), video or sensor files, glob patterns, or "
            "manifest CSVs (a 'path' column; optional person, context, scale, region).",
            show_default=False,
        ),
    ],
    out: Annotated[Path, typer.Option(help="Folder for the results (made if missing).")],
    jobs: Annotated[
        int | None,
        typer.Option(
            min=1, help="Worker processes on this machine (default: what the cores allow)."
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(help="Run on this Dask scheduler (tcp://HOST:PORT) instead of locally."),
    ] = None,
    context: ContextOption = "unknown",
    no_report: Annotated[bool, typer.Option("--no-report", help="Write no report.html.")] = False,
    no_tracks: Annotated[
        bool, typer.Option("--no-tracks", help="Write no tracks.csv or tracks.nc.")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="Print nothing but errors.")] = False,
) -> None:
    """Analyse many files; rerun the same command to resume where a batch stopped."""
    problem = output_folder_problem(out)
    if problem:
        raise OptionError("--out", out, problem)
    from tremorscope.batch import analyze_batch

    skip = ["report"] * no_report + ["tracks", "netcdf"] * no_tracks
    with _batch_progress(quiet) as (progressed, frames):
        result = analyze_batch(
            inputs,
            out,
            jobs=jobs,
            client=scheduler,
            context=context,
            skip=skip,
            progress=progressed,
            frames=frames,
        )
    failed = result.failed
    if not quiet:
        console.print(
            f"{result.count('done')} analysed, {result.count('skipped')} already done, "
            f"{len(failed)} failed, in {result.elapsed_s:.1f} s; results in {out} "
            "(summary.csv, batch.json)",
            highlight=False,
        )
    for record in failed:
        err_console.print(f"tremorscope: error: {record.message}", markup=False, soft_wrap=True)
    if failed:
        err_console.print(
            f"tremorscope: {len(failed)} of {len(result.records)} inputs failed", markup=False
        )
        raise typer.Exit(2)


@contextmanager
def _batch_progress(quiet: bool) -> Iterator[tuple[Callable | None, Callable | None]]:
    """Bars over the files and over the current file's frames on a terminal; else a line a file."""
    if quiet:
        yield None, None
        return
    if not console.is_terminal:

        def line(record, done: int, total: int) -> None:
            what = record.message if record.status == "failed" else record.input.result
            console.print(
                f"[{done}/{total}] {record.status}: {what}", highlight=False, markup=False
            )

        yield line, None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        files = bar.add_task("files", total=None)
        current = bar.add_task("frames", total=None, visible=False)

        def advance(record, done: int, total: int) -> None:
            bar.update(files, completed=done, total=total, description=f"files ({record.status})")

        def frames(result: str, done: int, total: int) -> None:
            bar.update(current, completed=done, total=total, description=result, visible=True)

        yield advance, frames


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


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option(
            help="Interface to listen on; another than this machine's loopback only when given "
            "(with a warning)."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0: any free one).")] = 8765,
    data: Annotated[
        Path | None,
        typer.Option(
            help="Folder for uploads, results and the index "
            "(default: $XDG_DATA_HOME/tremorscope or ~/.local/share/tremorscope)."
        ),
    ] = None,
    max_upload_mb: Annotated[
        float, typer.Option(help="Largest upload accepted, in megabytes.")
    ] = 2048,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the page in the default browser.")
    ] = False,
    workers: Annotated[int, typer.Option(min=1, max=2, help="Analyses run at once (1 or 2).")] = 1,
) -> None:
    """Serve the local web app: drop a clip in the browser, watch it measured, keep the history."""
    from tremorscope.web.server import default_data_dir
    from tremorscope.web.server import serve as run_server

    def say(line: str) -> None:
        err_console.print(f"tremorscope: {line}", highlight=False, markup=False, soft_wrap=True)

    run_server(
        host,
        port,
        data or default_data_dir(),
        max_upload_mb=max_upload_mb,
        workers=workers,
        open_browser=open_browser,
        say=say,
    )


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
            f"tremorscope: error: {exc}",
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
