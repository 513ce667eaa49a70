"""The command line: ``tremorscope signal``, ``tremorscope demo``, ``tremorscope schema``."""

from __future__ import annotations

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
    quiet: Annotated[bool, typer.Option(help="Print nothing but errors.")] = False,
) -> None:
    """Analyse a wearable or motion-capture recording (accelerometer, gyroscope, positions)."""
    from tremorscope.analysis.signature import CONTEXTS
    from tremorscope.api import analyze_signal
    from tremorscope.report import print_analysis, write_json, write_windows_csv

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
    if not quiet:
        print_analysis(analysis, console)


@app.command()
def demo(
    out: Annotated[
        Path | None, typer.Option(help="Folder for the demo recording and results.")
    ] = None,
) -> None:
    """Build a recording with known tremor and twitches, analyse it, compare with the truth."""
    from tremorscope.demo import run_signal_demo

    folder = out or Path(tempfile.mkdtemp(prefix="tremorscope-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    ok = run_signal_demo(folder, console)
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


def main() -> None:
    """Entry point: one line and exit code 2 for bad input, never a traceback for it."""
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
