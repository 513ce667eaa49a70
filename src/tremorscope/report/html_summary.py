"""Section 1 of the report page: the summary, readable without knowing the tool.

The main finding in a sentence, a card per person (thumbnail, when seen, scale, a table row
per body part with a finding, what was not found), the regions or sensors, the glossary.
"""

from __future__ import annotations

from collections.abc import Sequence

from tremorscope.report.images import LabelledBox, thumbnail
from tremorscope.report.items import BODY_PARTS, Item, ordered_parts, shows_something
from tremorscope.report.keyframes import person_time
from tremorscope.report.markup import FigureBook, html_table, kind_badge
from tremorscope.report.markup import escape as _e
from tremorscope.report.words import (
    GLOSSARY,
    certainty_words,
    episode_words,
    frequency_words,
    limit_words,
    main_sentence,
    part_words,
    presence_words,
    signature_words,
    size_words,
    twitch_words,
)
from tremorscope.results import Analysis, Finding, Person


def finding_row(where: str, finding: Finding) -> list[str]:
    """One summary table row (escaped cells)."""
    r = finding.rhythmic
    detected = r.detected
    return [
        f"<b>{_e(where)}</b>",
        kind_badge(finding)
        + (f"<br>{_e(twitch_words(finding))}" if finding.twitches.count else ""),
        _e(frequency_words(r)) if detected else "-",
        _e(size_words(r)) if detected else "-",
        _e(presence_words(finding))
        + (
            f"<br><span class='muted'>{_e(episode_words(r.episodes))}</span>"
            if detected and r.episodes
            else ""
        ),
        _e(signature_words(finding)),
        _e(certainty_words(finding)),
        _e(limit_words(finding)),
    ]


SUMMARY_HEADER = (
    "Where",
    "What",
    "Frequency",
    "Size",
    "Present",
    "Closest signature",
    "How sure",
    "What limits it",
)


def person_summary(
    analysis: Analysis, person: Person, items: Sequence[Item], frames: dict, book: FigureBook
) -> str:
    """A person's card: thumbnail, when seen, scale, the table of findings, what was not found."""
    thumb = ""
    image = frames.get(person_time(person, items, analysis.source.duration_s))
    if image is not None:
        shown = [i.box for i in items if i.person is person and i.box is not None]
        inner = [LabelledBox("", b, True) for b in shown]
        thumb = book.image(
            "thumbnail",
            thumbnail(image, person.box, inner),
            f"Person {person.id}" + ("; boxes: the body parts with a finding." if inner else "."),
            f"Person {person.id}",
            css="fixed",
        )
    found = [p for p in ordered_parts(person) if shows_something(person.body_parts[p])]
    quiet = [p for p in ordered_parts(person) if p not in found]
    unseen = [p for p in BODY_PARTS if p not in person.body_parts]
    scale = person.scale
    scale_text = (
        f"{scale.px_per_cm:.2f} px per cm "
        f"({scale.px_per_cm_ci[0]:.2f}–{scale.px_per_cm_ci[1]:.2f}), from the {scale.source}"
        if scale
        else "no scale: sizes in pixels"
    )
    facts = [
        f"<h3>Person {person.id}</h3>",
        f"<p>Seen from {person.first_seen_s:.1f} s to {person.last_seen_s:.1f} s. "
        f"Scale: {_e(scale_text)}.</p>",
    ]
    if found:
        facts.append(f"<p>Found something in: <b>{_e(', '.join(map(part_words, found)))}</b>.</p>")
    facts.append(
        "<p>Nothing found in: "
        f"<b>{_e(', '.join(map(part_words, quiet)) or 'no other body part')}</b>.</p>"
    )
    if unseen:
        names = ", ".join(map(part_words, unseen))
        facts.append(f"<p class='muted'>Not seen (not measured): {_e(names)}.</p>")
    table = (
        html_table(
            SUMMARY_HEADER, [finding_row(part_words(p), person.body_parts[p]) for p in found]
        )
        if found
        else "<p>No rhythm and no twitch on this person.</p>"
    )
    return (
        f'<div class="card"><div class="person-head">{thumb}<div class="facts">{"".join(facts)}'
        f"</div></div>{table}</div>"
    )


def regions_summary(analysis: Analysis) -> str:
    """The card of the regions given by the user."""
    if not analysis.regions:
        return ""
    found = [r for r in analysis.regions if shows_something(r.finding)]
    quiet = [r.name for r in analysis.regions if not shows_something(r.finding)]
    table = (
        html_table(SUMMARY_HEADER, [finding_row(r.name, r.finding) for r in found]) if found else ""
    )
    nothing = f"<p>Nothing found in: <b>{_e(', '.join(quiet))}</b>.</p>" if quiet else ""
    return f'<div class="card"><h3>Regions you gave</h3>{table}{nothing}</div>'


def sensor_summary(analysis: Analysis) -> str:
    """The card of a sensor recording: one row per group with a finding."""
    found = [g for g in analysis.groups if shows_something(g.finding)]
    quiet = [g.name for g in analysis.groups if not shows_something(g.finding)]
    rows = [finding_row(f"{g.name} ({g.kind}, {g.unit})", g.finding) for g in found]
    table = (
        html_table(SUMMARY_HEADER, rows) if rows else "<p>No rhythm and no twitch in a sensor.</p>"
    )
    nothing = f"<p>Nothing found in: <b>{_e(', '.join(quiet))}</b>.</p>" if quiet else ""
    return f'<div class="card"><h3>Sensors</h3>{table}{nothing}</div>'


def camera_sentence(analysis: Analysis) -> str:
    """The camera's own rhythm, when there was one, said plainly."""
    cam = analysis.camera
    if cam is None or cam.finding is None or not cam.finding.rhythmic.detected:
        return ""
    r = cam.finding.rhythmic
    return (
        f"<p class='muted'>The camera itself moved rhythmically at {_e(frequency_words(r))}, "
        f"{r.amplitude:.2g} px RMS. This was measured on the background and removed from every "
        "body part before they were measured; it is not the person's movement.</p>"
    )


def summary_html(
    analysis: Analysis, items: Sequence[Item], frames: dict, frame_note: str, book: FigureBook
) -> str:
    """Section 1: the summary, readable without knowing the tool."""
    parts = [
        '<section id="summary"><h2>Summary</h2>',
        f'<p class="lead">{_e(main_sentence(analysis, items))}</p>',
    ]
    if analysis.dominant is not None and analysis.dominant.signature.statement:
        parts.append(f"<p>{_e(analysis.dominant.signature.statement)}</p>")
    if analysis.source.kind == "video":
        if not analysis.people and not analysis.regions:
            parts.append("<p>No person was found in the video, and no region was given.</p>")
        parts += [person_summary(analysis, p, items, frames, book) for p in analysis.people]
        parts.append(regions_summary(analysis))
        parts.append(camera_sentence(analysis))
    else:
        parts.append(sensor_summary(analysis))
    if frame_note:
        parts.append(f'<p class="note">{_e(frame_note)}</p>')
    glossary = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in GLOSSARY)
    parts.append(f'<dl class="glossary">{glossary}</dl></section>')
    return "".join(parts)
