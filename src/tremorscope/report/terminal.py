"""A readable terminal summary of an analysis (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tremorscope.report.kinds import KIND_LABELS, KIND_WORDS
from tremorscope.report.words import nothing_sentence
from tremorscope.results import Analysis, Finding, Person, RatingItem


def describe_rhythm(finding: Finding) -> str:
    """One sentence on the rhythm of a finding."""
    r = finding.rhythmic
    if not r.detected or r.frequency_hz is None:
        return "no rhythm stands out of the noise"
    lo, hi = r.frequency_ci_hz or (r.frequency_hz, r.frequency_hz)
    what = KIND_WORDS[r.kind]
    size = f"RMS {r.amplitude:.3g} {r.amplitude_unit}"
    if (
        r.displacement_rms is not None
        and r.displacement_unit
        and r.displacement_unit != r.amplitude_unit
    ):
        short_unit = r.displacement_unit.split(" ")[0]
        size += f" (about {r.displacement_rms:.2g} {short_unit} RMS displacement)"
    return (
        f"{what} at {r.frequency_hz:.2f} Hz (95 % {lo:.2f}-{hi:.2f}), {size}, present "
        f"{100 * (r.constancy or 0):.0f} % of the time"
    )


def _short_finding(finding: Finding) -> tuple[str, str, str]:
    """Rhythm, size and constancy of a finding in a few characters each."""
    r = finding.rhythmic
    if not r.detected or r.frequency_hz is None:
        return ("voluntary" if r.kind == "voluntary" else "-"), "", ""
    kind = KIND_LABELS[r.kind]
    size = f"{r.amplitude:.2g} {r.amplitude_unit}"
    if r.amplitude_cm is not None:
        size += f" ({10 * r.amplitude_cm:.2g} mm)"
    return (f"{kind} {r.frequency_hz:.2f} Hz", size, f"{100 * (r.constancy or 0):.0f} %")


def print_video_analysis(analysis: Analysis, console: Console) -> None:
    """Print a video analysis: source facts, one row per person and body part, main finding."""
    src = analysis.source
    console.print(f"[bold]tremorscope[/bold] {analysis.tool.version} - {src.path}")
    vfr = ", variable frame rate" if src.variable_frame_rate else ""
    console.print(
        f"  {src.width}x{src.height}, {src.fps or 0:.4g} fps{vfr}, {src.duration_s:.1f} s, "
        f"{src.frame_count} frames, {len(src.shots)} shot(s), {len(analysis.people)} person(s)"
    )
    cam = analysis.camera
    if cam is not None:
        moved = f"; moved up to {cam.max_shift_px:.2g} px" if cam.max_shift_px else ""
        console.print(
            f"  camera motion measured and removed in {100 * cam.compensated_share:.0f} % of "
            f"the video{moved}"
        )
    for note in src.notes:
        console.print(f"  [dim]{note}[/dim]")
    table = Table(header_style="bold", pad_edge=False, box=None)
    for col in ("where", "rhythm", "RMS", "const.", "twitches", "resembles"):
        table.add_column(col, overflow="fold")
    rows = [
        (f"P{p.id} {part.replace('_', ' ')}", f)
        for p in analysis.people
        for part, f in p.body_parts.items()
    ] + [(r.name, r.finding) for r in analysis.regions]
    for where, f in rows:
        rhythm, size, const = _short_finding(f)
        table.add_row(where, rhythm, size, const, str(f.twitches.count), f.signature.closest or "-")
    console.print(table)
    if analysis.dominant is None:
        console.print(f"[bold]{nothing_sentence(analysis)}[/bold]")
    _print_main(analysis, console)
    for p in analysis.people:
        _print_ratings(p, console)
    if analysis.processing is not None:
        p = analysis.processing
        console.print(
            f"[dim]{p.frames} frames in {p.elapsed_s:.1f} s: {p.frames_per_s:.1f} frames/s[/dim]"
        )
    console.print(f"[dim]{analysis.disclaimer}[/dim]")


def _print_ratings(person: Person, console: Console) -> None:
    """One line per person: the MDS-UPDRS-style items that could be estimated."""
    given = [
        f"{item.item} {_short_limb(item.body_part)}".strip() + f"={_score(item)}"
        for item in person.ratings
        if item.assessable
    ]
    skipped = sum(not item.assessable for item in person.ratings)
    if not person.ratings:
        return
    text = ", ".join(given) if given else "none assessable"
    console.print(
        f"  P{person.id} MDS-UPDRS-style estimates: {text}"
        f"[dim] ({skipped} not assessable; see the report or JSON for reasons)[/dim]"
    )


def _short_limb(body_part: str | None) -> str:
    names = {
        "right_arm": "RUE",
        "left_arm": "LUE",
        "right_leg": "RLE",
        "left_leg": "LLE",
        "lip_jaw": "lip/jaw",
    }
    return names.get(body_part or "", "")


def _score(item: RatingItem) -> str:
    low, high = item.score_range or (item.score, item.score)
    return str(item.score) if low == high else f"{item.score} ({low}-{high})"


def _print_main(analysis: Analysis, console: Console) -> None:
    if analysis.dominant is None:
        return
    dom = analysis.dominant
    console.print(f"[bold]Main finding[/bold] ({analysis.dominant_group}): {describe_rhythm(dom)}.")
    if dom.rhythmic.kind_reasons:
        console.print("  " + "; ".join(dom.rhythmic.kind_reasons))
    console.print(f"  Twitches: {dom.twitches.count} ({dom.twitches.rate_per_min:.1f} per minute).")
    console.print(f"  {dom.signature.statement}")
    for message in dom.quality.messages:
        console.print(f"  [yellow]limit:[/yellow] {message}")


def print_analysis(analysis: Analysis, console: Console | None = None) -> None:
    """Print the summary, a table of all groups, and the quality notes."""
    console = console or Console()
    if analysis.source.kind == "video":
        print_video_analysis(analysis, console)
        return
    src = analysis.source
    console.print(f"[bold]tremorscope[/bold] {analysis.tool.version} - {src.path}")
    console.print(
        f"  {src.duration_s:.1f} s at {src.sample_rate_hz or 0:.4g} Hz; time: {src.time_source}"
    )
    for note in src.notes:
        console.print(f"  [dim]{note}[/dim]")
    table = Table(header_style="bold")
    for col in ("group", "rhythm", "Hz (95 %)", "RMS", "const.", "twitches", "resembles"):
        table.add_column(col)
    for group in analysis.groups:
        f = group.finding
        r = f.rhythmic
        if r.detected and r.frequency_hz is not None:
            lo, hi = r.frequency_ci_hz or (r.frequency_hz, r.frequency_hz)
            freq = f"{r.frequency_hz:.2f} ({lo:.2f}-{hi:.2f})"
            amp = f"{r.amplitude:.3g} {r.amplitude_unit}"
            con = f"{100 * (r.constancy or 0):.0f} %"
        else:
            freq = amp = con = "-"
        table.add_row(
            f"{group.name}\n[dim]{group.kind}[/dim]",
            r.kind if r.detected else "none",
            freq,
            amp,
            con,
            f"{f.twitches.count} ({f.twitches.rate_per_min:.1f}/min)",
            f.signature.closest or "-",
        )
    console.print(table)
    _print_main(analysis, console)
    console.print(f"[dim]{analysis.disclaimer}[/dim]")
