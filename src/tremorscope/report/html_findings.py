"""Section 2 of the report page: each finding in detail, with its facts and its figures.

A finding's key frame, displacement trace, spectrum (video) or per-window series (sensors),
its signature comparison and the timeline of its person, regions or sensors.
"""

from __future__ import annotations

from collections.abc import Sequence

from tremorscope.report.figures import (
    TimelineRow,
    TraceInput,
    offset_from_median,
    spectrum_figure,
    timeline_figure,
    trace_figure,
    windows_figure,
)
from tremorscope.report.images import key_frame
from tremorscope.report.items import Item, cut_times, ordered_parts
from tremorscope.report.keyframes import key_time, region_boxes
from tremorscope.report.kinds import kind_of
from tremorscope.report.markup import FigureBook, facts_table, html_table, kind_badge, text_list
from tremorscope.report.markup import escape as _e
from tremorscope.report.words import (
    CONTEXT_WORDS,
    certainty_words,
    direction_text,
    direction_words,
    episode_words,
    finding_sentence,
    frequency_words,
    marks_words,
    part_words,
    peak_to_peak_words,
    presence_words,
    regularity_words,
    size_words,
    twitch_words,
    what_words,
)
from tremorscope.results import Analysis, Finding, Person, QualityFlag, RegionKey


def finding_facts(item: Item) -> str:
    """Every number of a finding, labelled."""
    f, r = item.finding, item.finding.rhythmic
    channels = item.group.channels if item.group is not None else None  # a sensor's axes
    rows: list[tuple[str, str]] = [("What", _e(what_words(f)))]
    if r.kind_reasons:
        rows.append(("Why this kind", _e("; ".join(r.kind_reasons))))
    if r.detected:
        rows += [
            ("Frequency", _e(frequency_words(r))),
            ("Size (RMS)", _e(size_words(r))),
            ("Peak to peak", _e(peak_to_peak_words(r))),
            ("Direction", _e(direction_text(r, channels))),
            ("Present", _e(presence_words(f))),
            ("Episodes", _e(episode_words(r.episodes, limit=12))),
            ("Regularity", _e(regularity_words(r))),
        ]
    tw = f.twitches
    events = ", ".join(f"{e.t:.2f} s ({e.size:.3g} {tw.unit})" for e in tw.events[:12])
    rows.append(("Twitches", _e(twitch_words(f) + (f": {events}" if events else ""))))
    if tw.longer_movements:
        rows.append(("Longer movements", _e(f"{tw.longer_movements} (too long for twitches)")))
    s = f.signature
    context = CONTEXT_WORDS.get(s.context, s.context)
    evidence = f" ({s.context_evidence})" if s.context_evidence else ""
    rows.append(("Condition", _e(context + evidence)))
    rows.append(("How sure", _e(certainty_words(f))))
    return facts_table(rows)


def signature_block(finding: Finding) -> str:
    """The signature comparison: statement and the ranked matches with their reasons."""
    s = finding.signature
    rows = [
        [_e(m.name), f"{100 * m.resemblance:.0f} %", _e("; ".join(m.reasons))] for m in s.matches
    ]
    table = html_table(("Tremor type", "Resemblance", "Why"), rows) if rows else ""
    limits = text_list(finding.quality.messages)
    flags = [f for f in finding.quality.flags if f != QualityFlag.ORTHOSTATIC_BAND_NOT_VISIBLE]
    return (
        f"<h4>Signature</h4><p>{_e(s.statement or 'Not compared.')}</p>{table}"
        f"<h4>What limits this measurement</h4>{limits or '<p>Nothing noted.</p>'}"
        + (f"<p class='muted'>Flags: {_e(', '.join(flags))}</p>" if flags else "")
    )


def timeline_rows_for_person(
    person: Person, highlight: RegionKey | None
) -> list[TimelineRow]:
    """One timeline row per body part of a person."""
    return [
        TimelineRow(
            part_words(part),
            kind_of(person.body_parts[part]),
            list(person.body_parts[part].rhythmic.episodes),
            [e.t for e in person.body_parts[part].twitches.events],
            person.region_key(part) == highlight,
        )
        for part in ordered_parts(person)
    ]


def timeline_rows_for_findings(
    named: Sequence[tuple[str, Finding]], highlight: str | None
) -> list[TimelineRow]:
    """One timeline row per named finding (regions, sensor groups)."""
    return [
        TimelineRow(
            name,
            kind_of(f),
            list(f.rhythmic.episodes),
            [e.t for e in f.twitches.events],
            name == highlight,
        )
        for name, f in named
    ]


def key_frame_html(
    analysis: Analysis, item: Item, frames: dict, book: FigureBook, frame_note: str
) -> str:
    """The key frame of a finding with the regions drawn, or why there is none."""
    t = key_time(item.finding, analysis.source.duration_s)
    image = frames.get(t)
    if image is None or item.box is None:
        return f'<p class="note">{_e(frame_note or "No key frame for this finding.")}</p>'
    caption = (
        f"Key frame at {t:.2f} s (middle of the first episode when there is one). "
        f"<b>{_e(item.title)}</b> in vermillion; the other measured regions in blue."
    )
    return book.image(
        "keyframe",
        key_frame(image, region_boxes(analysis, item)),
        caption,
        f"Video frame at {t:.2f} s with {item.title} marked",
    )


def video_plots(analysis: Analysis, item: Item, book: FigureBook) -> tuple[str, str]:
    """The displacement trace and the spectrum of a video finding, as the analysis judged them.

    The region's track comes from the analysis' tracks; the band-limited series and the
    spectrum are those the analysis computed for the finding (:class:`JudgedSignal`).
    """
    tracks = analysis.tracks
    group = analysis.group_of(item.region) if item.region is not None else None
    if tracks is None or group is None or item.region not in tracks.keys:
        note = (
            '<p class="note">The per-frame track of this region is not part of this result '
            "(a result read back from JSON has none): no trace and no spectrum.</p>"
        )
        return note, ""
    position = tracks.position_of(item.region)
    cuts = cut_times(analysis)
    judged = group.evidence
    r, f = item.finding.rhythmic, item.finding
    scale = item.person.scale.px_per_cm if item.person and item.person.scale else None
    data = TraceInput(
        tracks.time_s,
        offset_from_median(position),
        r.direction if r.detected else None,
        judged,
        r.frequency_hz if r.detected else None,
        list(r.episodes),
        [e.t for e in f.twitches.events],
        f.twitches.threshold,
        cuts,
        scale,
    )
    direction = direction_words(r.direction) if r.detected else "x and y of the picture"
    trace = book.plot(
        "trace",
        trace_figure(data),
        f"Displacement of {_e(item.title)} over time, camera motion removed: along the rhythm's "
        f"main direction ({_e(direction)}) and across it. Orange: when the rhythm was present"
        f"{marks_words(f, cuts)}. Below: the band-limited movement the analysis measured.",
        f"Displacement trace of {item.title}",
    )
    if judged is None or not judged.time_s:
        return trace, '<p class="note">Too little continuous data for a spectrum.</p>'
    extra = (
        " This finding is the fingers' movement against the hand: the spectrum is that of "
        "their movement, not of the hand's displacement."
        if f.quality.has(QualityFlag.ARTICULATED)
        else ""
    )
    spectrum = book.plot(
        "spectrum",
        spectrum_figure(
            judged,
            r.frequency_hz if r.detected else None,
            r.frequency_ci_hz if r.detected else None,
            "px",
        ),
        "Power spectrum of the displacement (Welch, as in the analysis). A rhythm counts when its "
        "peak rises above the green significance level; the shaded band is what the frame rate "
        f"lets the analysis see.{_e(extra)}",
        f"Spectrum of {item.title}",
    )
    return trace, spectrum


def timeline_html(analysis: Analysis, item: Item, book: FigureBook) -> str:
    """The timeline of every body part of the finding's person (or every region / sensor)."""
    if item.person is not None:
        rows = timeline_rows_for_person(item.person, item.region)
        whose = f"every body part of person {item.person.id}"
    elif item.group is not None:
        rows = timeline_rows_for_findings([(g.name, g.finding) for g in analysis.groups], item.name)
        whose = "every sensor"
    else:
        named = [(r.name, r.finding) for r in analysis.regions]
        rows = timeline_rows_for_findings(named, item.region.part if item.region else None)
        whose = "every region"
    if not rows:
        return ""
    return book.plot(
        "timeline",
        timeline_figure(rows, analysis.source.duration_s, cut_times(analysis)),
        f"When rhythms (bars) and twitches (marks) occurred, for {_e(whose)}; "
        f"<b>{_e(item.title)}</b> in bold.",
        f"Timeline of {whose}",
    )


def sensor_plot(item: Item, book: FigureBook) -> str:
    """The per-window series of a sensor group."""
    group, f = item.group, item.finding
    if group is None or not group.windows:
        return '<p class="note">No per-window series (too little valid data).</p>'
    r = f.rhythmic
    return book.plot(
        "windows",
        windows_figure(
            group.windows,
            group.unit,
            r.frequency_hz,
            r.frequency_ci_hz,
            list(r.episodes),
            [e.t for e in f.twitches.events],
        ),
        "Peak frequency and size of the rhythm in 4 s windows (1 s apart). Orange: when the "
        "rhythm was present; the red line and band: the whole record's frequency and its 95 % "
        "interval; purple triangles: twitches.",
        f"Per-window series of {group.name}",
    )


def finding_html(
    analysis: Analysis, item: Item, frames: dict, frame_note: str, book: FigureBook
) -> str:
    """Section 2, one finding: facts, key frame, trace, spectrum, timeline."""
    anchor = "finding-" + "".join(c if c.isalnum() else "-" for c in item.name)
    where = item.title.split(" · ")[-1] if item.person else item.title
    head = (
        f'<article class="finding" id="{_e(anchor)}"><h3>{_e(item.title)} '
        f'{kind_badge(item.finding)}</h3><p class="lead">'
        f"{_e(finding_sentence(where, item.finding))}</p>"
    )
    if analysis.source.kind == "video":
        frame = key_frame_html(analysis, item, frames, book, frame_note)
        trace, spectrum = video_plots(analysis, item, book)
        body = (
            f'<div class="two"><div>{frame}</div><div>{finding_facts(item)}</div></div>{trace}'
            f'<div class="two"><div>{spectrum}</div><div>{signature_block(item.finding)}</div>'
            "</div>"
        )
    else:
        body = (
            f'<div class="two"><div>{finding_facts(item)}</div>'
            f"<div>{signature_block(item.finding)}</div></div>{sensor_plot(item, book)}"
        )
    return head + body + timeline_html(analysis, item, book) + "</article>"


def findings_html(
    analysis: Analysis, items: Sequence[Item], frames: dict, frame_note: str, book: FigureBook
) -> str:
    """Section 2: every finding in detail."""
    intro = (
        "<p>Each body part, region or sensor where a rhythm or a twitch was found, with the "
        "series behind it.</p>"
    )
    if not items:
        intro = "<p>Nothing to show in detail: no rhythm and no twitch was found.</p>"
    body = "".join(finding_html(analysis, i, frames, frame_note, book) for i in items)
    return f'<section id="findings"><h2>Findings in detail</h2>{intro}{body}</section>'
