"""The self-contained HTML report: summary first, then each finding, rating items, methods.

One file that works offline: inline CSS, figures embedded (inline SVG plots, base64 JPEG key
frames), no external reference, no JavaScript library. A few lines of inline script count the
figures the browser actually rendered (``data-figures-rendered`` on ``<body>``, next to
``data-figures-expected``), so that a test can check that every figure is present.

Every text taken from the analysis is escaped with :func:`html.escape`.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from tremorscope.errors import InputError
from tremorscope.report.display import display_signal, display_spectrum, offset_from_median
from tremorscope.report.figures import (
    TimelineRow,
    TraceInput,
    camera_figure,
    spectrum_figure,
    timeline_figure,
    trace_figure,
    windows_figure,
)
from tremorscope.report.images import LabelledBox, jpeg_data_uri, key_frame, thumbnail
from tremorscope.report.kinds import KIND_LABELS, KIND_WORDS, kind_of
from tremorscope.report.plot_style import figure_to_svg
from tremorscope.results import (
    Analysis,
    Asymmetry,
    Box,
    Finding,
    Group,
    Person,
    RatingItem,
    Rhythmic,
)
from tremorscope.video import frames_at

#: Body parts looked for on every person, in reading order.
BODY_PARTS = (
    "head",
    "left_hand",
    "right_hand",
    "left_knee",
    "right_knee",
    "left_foot",
    "right_foot",
)
#: The rating scale's reference, as plain text.
MDS_UPDRS_CITATION = (
    "Goetz CG, Tilley BC, Shaftman SR, et al. Movement Disorder Society-sponsored revision of "
    "the Unified Parkinson's Disease Rating Scale (MDS-UPDRS): scale presentation and "
    "clinimetric testing results. Mov Disord 2008;23:2129-70."
)
#: Below this many bits per pixel per frame the video counts as heavily compressed (as in the
#: analysis, ``tremorscope.api.LOW_BITS_PER_PIXEL``).
HEAVY_COMPRESSION_BPP = 0.05

#: Quality flags in plain words: a short phrase for the summary, a sentence for the methods.
FLAG_WORDS: dict[str, tuple[str, str]] = {
    "band_capped_by_sampling_rate": (
        "frame rate caps the frequencies",
        "The sampling (frame) rate limits the fastest rhythm that can be seen: the analysed band "
        "stops at 0.9 x half the rate. A faster tremor would be missed, or appear at a false, "
        "lower frequency.",
    ),
    "orthostatic_band_not_visible": (
        "13-18 Hz not visible",
        "Orthostatic tremor (13-18 Hz) needs about 40 samples per second or more; it could not "
        "have been seen in this recording.",
    ),
    "irregular_sampling_resampled": (
        "irregular timing resampled",
        "The samples (frames) were not evenly spaced; they were interpolated onto an even grid "
        "before analysis.",
    ),
    "gaps_bridged": (
        "short gaps filled",
        "Short gaps (up to 0.25 s) were filled by straight lines between the samples either side.",
    ),
    "record_split_at_gaps": (
        "split at gaps",
        "Long gaps split the record into pieces; nothing was computed across a gap.",
    ),
    "short_record": (
        "short record",
        "The record is short: the frequency resolution of the spectrum is coarse (over 0.5 Hz).",
    ),
    "weak_rhythm": (
        "weak rhythm",
        "The rhythm stands less than 10 dB above the background noise: treat it with caution.",
    ),
    "voluntary_movement_present": (
        "measured during movement",
        "A slower, voluntary-like movement was present too; the rhythm was measured during it.",
    ),
    "transmitted": (
        "passed on from elsewhere",
        "A much larger rhythm at the same frequency elsewhere on the same person probably shook "
        "this body part: it is reported as passed on, not as a tremor of its own.",
    ),
    "below_measurement_floor": (
        "below what video can vouch for",
        "A rhythm stood out of the noise but was smaller than 0.1 px RMS, below what video "
        "tracking can vouch for; it is not reported.",
    ),
    "camera_not_compensated": (
        "camera motion not removed everywhere",
        "In part of the video the background showed too little texture to measure the camera's "
        "own motion, which then could not be removed.",
    ),
    "compression_limits_amplitude": (
        "compression may shrink the size",
        "The video is heavily compressed; compression smooths away part of sub-pixel motion, so "
        "the size of a small rhythm may be underestimated.",
    ),
    "no_scale": (
        "pixels only",
        "No scale was known (shoulders not seen, none given): sizes stay in pixels.",
    ),
    "scale_estimated": (
        "centimetres estimated (about +-16 %)",
        "Centimetres come from the person's shoulder width taken as an adult average "
        "(36 +- 5.9 cm), about +-16 %; parts nearer the camera than the shoulders read larger. "
        "Give a measured scale (--scale) for better.",
    ),
    "articulated": (
        "fingers against the hand",
        "The size is that of the fingers moving against the hand (how the tracked points move "
        "against each other), not of the hand's displacement.",
    ),
    "not_measurable": (
        "not measurable",
        "Nothing could be measured here (too little valid data, or a sampling rate too low).",
    ),
    "camera_rhythm": (
        "camera motion",
        "The rhythm is at the frequency of the camera's own motion and no larger than it: it is "
        "the camera, not the person.",
    ),
    "shared_by_all_regions": (
        "shared by every region: camera",
        "Every region showed the same rhythm while the background could not be measured: it is "
        "taken to be the camera's motion.",
    ),
}
CONTEXT_WORDS = {
    "rest": "at rest",
    "postural": "holding a posture",
    "kinetic": "during movement",
    "standing": "standing",
    "unknown": "condition unknown",
}
BADGE_WORDS = KIND_LABELS


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


# --------------------------------------------------------------------------- what is reported


@dataclass
class Item:
    """One finding shown in detail: a body part, a given region or a sensor group.

    Attributes
    ----------
    key : str
        Group name in the analysis (``person1.head``, ``region.cup``, ``acc``).
    title : str
        Heading for people (``Person 1 · head``).
    finding : Finding
        The finding.
    person : Person or None
        The person it belongs to (video).
    box : Box or None
        Its region in displayed-frame pixels (video).
    group : Group or None
        The sensor group (sensor recordings, for the per-window series).

    """

    key: str
    title: str
    finding: Finding
    person: Person | None = None
    box: Box | None = None
    group: Group | None = None


def part_words(part: str) -> str:
    """``left_hand`` -> ``left hand``."""
    return part.replace("_", " ")


def shows_something(finding: Finding) -> bool:
    """A rhythm or at least one twitch was found."""
    return finding.rhythmic.detected or finding.twitches.count > 0


def ordered_parts(person: Person) -> list[str]:
    """The person's body parts in reading order (head, hands, knees, feet, then any other)."""
    known = [p for p in BODY_PARTS if p in person.body_parts]
    return known + sorted(p for p in person.body_parts if p not in BODY_PARTS)


def detail_items(analysis: Analysis) -> list[Item]:
    """The findings to show in detail: every rhythm found, and every part with twitches."""
    items = []
    for person in analysis.people:
        for part in ordered_parts(person):
            finding = person.body_parts[part]
            if shows_something(finding):
                items.append(
                    Item(
                        f"person{person.id}.{part}",
                        f"Person {person.id} · {part_words(part)}",
                        finding,
                        person,
                        person.part_boxes.get(part),
                    )
                )
    for region in analysis.regions:
        if shows_something(region.finding):
            items.append(
                Item(
                    f"region.{region.name}",
                    f"Region “{region.name}”",
                    region.finding,
                    None,
                    region.box,
                )
            )
    if analysis.source.kind != "video":
        for group in analysis.groups:
            if shows_something(group.finding):
                items.append(Item(group.name, f"Sensor {group.name}", group.finding, group=group))
    return items


def group_title(analysis: Analysis, name: str | None) -> str:
    """A readable name for a group: ``person1.left_hand`` -> ``person 1's left hand``."""
    if not name:
        return "-"
    owner, _, part = name.partition(".")
    if owner.startswith("person") and owner[6:].isdigit():
        return f"person {owner[6:]}'s {part_words(part)}"
    if owner == "region":
        return f"the region “{part}”"
    return name if analysis.source.kind == "video" else f"the sensor “{name}”"


# --------------------------------------------------------------------------- words


def frequency_words(r: Rhythmic) -> str:
    """``5.52 Hz (95 % interval 5.37-5.66 Hz)``."""
    if r.frequency_hz is None:
        return "-"
    text = f"{r.frequency_hz:.2f} Hz"
    if r.frequency_ci_hz is not None:
        lo, hi = r.frequency_ci_hz
        text += f" (95 % interval {lo:.2f}–{hi:.2f} Hz)"
    return text


def size_words(r: Rhythmic) -> str:
    """The RMS size: centimetres with their interval when known, else the measured unit."""
    if r.amplitude is None:
        return "-"
    if r.amplitude_cm is not None:
        text = f"{r.amplitude_cm:.2f} cm RMS"
        if r.amplitude_cm_ci is not None:
            text += f" (range {r.amplitude_cm_ci[0]:.2f}–{r.amplitude_cm_ci[1]:.2f} cm)"
        return text + f"; {r.amplitude:.3g} {r.amplitude_unit} in the picture"
    text = f"{r.amplitude:.3g} {r.amplitude_unit} RMS"
    if r.amplitude_ci is not None:
        text += f" (95 % interval {r.amplitude_ci[0]:.3g}–{r.amplitude_ci[1]:.3g})"
    if r.displacement_rms is not None and r.displacement_unit not in (None, r.amplitude_unit):
        text += f"; about {r.displacement_rms:.2g} {r.displacement_unit} RMS displacement"
    return text


def episode_words(episodes: Sequence[tuple[float, float]], limit: int = 6) -> str:
    """``0.0–2.5 s, 2.9–4.3 s`` (the first ``limit``, then how many more)."""
    shown = [f"{a:.1f}–{b:.1f} s" for a, b in episodes[:limit]]
    if len(episodes) > limit:
        shown.append(f"and {len(episodes) - limit} more")
    return ", ".join(shown)


def presence_words(finding: Finding) -> str:
    """How much of the analysed time the rhythm was present, and in how many episodes."""
    r = finding.rhythmic
    if not r.detected or r.constancy is None:
        return "-"
    total = finding.quality.analysed_duration_s
    n = len(r.episodes)
    episodes = f"in {n} episode{'s' if n != 1 else ''}" if n else ""
    return f"{100 * r.constancy:.0f} % of the analysed {total:.1f} s {episodes}".strip()


def twitch_words(finding: Finding) -> str:
    """``3 twitches (2.4 per minute)`` or ``none``."""
    tw = finding.twitches
    if not tw.count:
        return "none"
    return f"{tw.count} twitch{'es' if tw.count != 1 else ''} ({tw.rate_per_min:.1f} per minute)"


def what_words(finding: Finding) -> str:
    """What was found, in words, with twitches when there were any."""
    kind = kind_of(finding)
    if kind == "twitch":
        return twitch_words(finding)
    text = KIND_WORDS[kind]
    if kind != "none" and finding.twitches.count:
        text += f", and {twitch_words(finding)}"
    return text


def decibel_words(db: float) -> str:
    """How far a peak stands above the background, in words."""
    level = "very clear" if db >= 20 else "clear" if db >= 10 else "weak"
    return f"{level}: {db:.1f} dB above the background ({10 ** (db / 10):.0f} x its power)"


def certainty_words(finding: Finding) -> str:
    """How sure the measurement is: peak over background and width of the frequency interval."""
    r = finding.rhythmic
    parts = []
    if r.detected and r.peak_to_background_db is not None:
        parts.append(decibel_words(r.peak_to_background_db))
    if r.detected and r.frequency_ci_hz is not None:
        half = (r.frequency_ci_hz[1] - r.frequency_ci_hz[0]) / 2
        parts.append(f"frequency known to ±{half:.2f} Hz")
    tw = finding.twitches
    if tw.count and tw.threshold is not None:
        parts.append(f"twitches above {tw.threshold:.3g} {tw.unit}, far above the noise")
    return "; ".join(parts) or "-"


def flag_short(flag: str, finding: Finding | None = None) -> str:
    """A quality flag as a short phrase."""
    if flag == "band_capped_by_sampling_rate" and finding and finding.quality.band_hz:
        return f"nothing above {finding.quality.band_hz[1]:.1f} Hz visible"
    return FLAG_WORDS.get(flag, (part_words(flag), ""))[0]


def limit_words(finding: Finding) -> str:
    """All quality flags of a finding as short phrases."""
    return "; ".join(flag_short(f, finding) for f in finding.quality.flags) or "none noted"


def signature_words(finding: Finding) -> str:
    """Closest known tremor type and the condition it was compared in."""
    s = finding.signature
    context = CONTEXT_WORDS.get(s.context, s.context)
    if s.closest:
        return f"{s.closest} ({context})"
    if finding.rhythmic.detected:
        return f"not compared ({context})"
    return "-"


def direction_words(direction: Sequence[float] | None) -> str:
    """A direction in the picture in words: side to side, up and down, or diagonal."""
    if direction is None or len(direction) != 2 or not np.any(direction):
        return "no main direction"
    # image y points down: flip it so that angles read as on paper
    angle = float(np.degrees(np.arctan2(-direction[1], direction[0]))) % 180.0
    if angle < 20 or angle > 160:
        return "side to side"
    if 70 < angle < 110:
        return "up and down"
    rising = "rising to the right" if angle < 90 else "rising to the left"
    return f"diagonal, {min(angle, 180 - angle):.0f}° from horizontal, {rising}"


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def finding_sentence(where: str, finding: Finding) -> str:
    """One plain sentence on a finding: where, what, how fast, how large, how much of the time."""
    r = finding.rhythmic
    kind = kind_of(finding)
    if kind == "none":
        return f"Nothing stands out in {where}."
    if kind == "twitch":
        return f"{_upper_first(where)}: {twitch_words(finding)}, no rhythm."
    if not r.detected:  # a task seen in the hand's shape, without a rhythm the pixels follow
        why = r.kind_reasons[0] if r.kind_reasons else ""
        return f"{_upper_first(where)}: {KIND_WORDS[kind]} ({why})."
    text = (
        f"{_upper_first(where)}: {KIND_WORDS[kind]} at {frequency_words(r)}, "
        f"size {size_words(r)}, present {presence_words(finding)}"
    )
    if finding.twitches.count:
        text += f"; {twitch_words(finding)}"
    return text + "."


def main_sentence(analysis: Analysis, items: Sequence[Item] = ()) -> str:
    """The main finding of the file in one sentence."""
    if analysis.dominant is None and items:
        return "No main finding was singled out; what was found is listed below."
    if analysis.dominant is None:
        return "No rhythm and no twitch stands out in any region."
    where = group_title(analysis, analysis.dominant_group)
    return "Main finding — " + finding_sentence(where, analysis.dominant)


# --------------------------------------------------------------------------- figures


@dataclass
class FigureBook:
    """Numbers the figures of a page and counts them (``data-figures-expected``)."""

    kinds: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Number of figures placed so far."""
        return len(self.kinds)

    def _wrap(self, kind: str, content: str, caption: str, css: str, style: str = "") -> str:
        self.kinds.append(kind)
        n = self.count
        return (
            f'<figure class="fig {css}" id="figure-{n}" data-figure="{_e(kind)}"{style}>{content}'
            f"<figcaption><b>Figure {n}.</b> {caption}</figcaption></figure>"
        )

    def plot(self, kind: str, fig: Figure, caption: str, title: str, css: str = "") -> str:
        """Place a matplotlib figure as inline SVG; ``caption`` is HTML already escaped."""
        svg = figure_to_svg(fig, f"f{self.count + 1}", title)
        return self._wrap(kind, svg, caption, css)

    def image(self, kind: str, image: np.ndarray, caption: str, alt: str, css: str = "") -> str:
        """Place an RGB image as an inline JPEG; ``caption`` is HTML already escaped."""
        uri = jpeg_data_uri(image)
        height, width = image.shape[:2]
        tag = f'<img src="{uri}" alt="{_e(alt)}" width="{width}" height="{height}">'
        # "fixed": the figure as wide as its image, the caption wrapped under it
        style = f' style="width:{width}px"' if css == "fixed" else ""
        return self._wrap(kind, tag, caption, css, style)


# --------------------------------------------------------------------------- key frames


def key_time(finding: Finding, duration_s: float) -> float:
    """When to show a finding: the middle of its first episode, its first twitch, or mid-clip."""
    r = finding.rhythmic
    if r.detected and r.episodes:
        a, b = r.episodes[0]
        return round((a + b) / 2, 3)
    if finding.twitches.events:
        return finding.twitches.events[0].t
    return round(duration_s / 2, 3)


def person_time(person: Person, items: Sequence[Item], duration_s: float) -> float:
    """When to show a person: at their first finding, else in the middle of their presence."""
    for item in items:
        if item.person is person:
            return key_time(item.finding, duration_s)
    return round((person.first_seen_s + person.last_seen_s) / 2, 3)


def frame_times(analysis: Analysis, items: Sequence[Item]) -> list[float]:
    """Every frame time the report shows (key frames and thumbnails)."""
    duration = analysis.source.duration_s
    times = [key_time(i.finding, duration) for i in items if i.box is not None]
    times += [person_time(p, items, duration) for p in analysis.people]
    return times


def decode_frames(
    analysis: Analysis, items: Sequence[Item], video: str | Path | None
) -> tuple[dict[float, np.ndarray], str]:
    """Decode the frames the report shows, or say why there are none.

    Returns
    -------
    frames : dict
        Time to RGB frame.
    note : str
        Empty, or why no key frame is shown.

    """
    if analysis.source.kind != "video":
        return {}, ""
    if video is None:
        return {}, "No video was given to the report: key frames and thumbnails are left out."
    times = frame_times(analysis, items)
    if not times:
        return {}, ""
    try:
        return frames_at(video, times), ""
    except (InputError, OSError) as exc:
        return {}, f"Key frames could not be decoded from {video}: {exc}"


def region_boxes(analysis: Analysis, item: Item) -> list[LabelledBox]:
    """The boxes drawn on a finding's key frame: its person's parts (or all regions)."""
    if item.person is not None:
        person = item.person
        boxes = [LabelledBox(f"person {person.id}", person.box, label_inside=True)]
        boxes += [
            LabelledBox(part_words(part), box, f"person{person.id}.{part}" == item.key)
            for part, box in person.part_boxes.items()
        ]
        return boxes
    return [LabelledBox(r.name, r.box, f"region.{r.name}" == item.key) for r in analysis.regions]


# --------------------------------------------------------------------------- page parts


def page_asset(name: str) -> str:
    """The text of one of the page's assets, kept as package data in ``report/assets/``.

    Parameters
    ----------
    name : str
        File name: ``report.css`` or ``report.js``.

    Returns
    -------
    str
        The file's text, as it is inlined into the page.

    """
    return files("tremorscope.report").joinpath("assets", name).read_text(encoding="utf-8")


#: The page's style sheet, inlined in ``<style>`` (on a line of its own).
CSS = "\n" + page_asset("report.css")
#: Counts the figures the browser rendered (images decoded, SVGs laid out) after load.
FIGURE_SCRIPT = "\n" + page_asset("report.js")


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], css: str = "") -> str:
    """An HTML table; header and cells are HTML already escaped."""
    head = "".join(f"<th scope='col'>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _facts(rows: Iterable[tuple[str, str]]) -> str:
    """A two-column table of facts; values are HTML already escaped."""
    body = "".join(f"<tr><th scope='row'>{_e(k)}</th><td>{v}</td></tr>" for k, v in rows if v)
    return f'<table class="facts"><tbody>{body}</tbody></table>'


def _badge(finding: Finding) -> str:
    kind = kind_of(finding)
    return f'<span class="badge {kind}">{_e(BADGE_WORDS[kind])}</span>'


def _list(items: Iterable[str]) -> str:
    """A list of texts (escaped here)."""
    entries = "".join(f"<li>{_e(i)}</li>" for i in items)
    return f'<ul class="tight">{entries}</ul>' if entries else ""


def header_html(analysis: Analysis) -> str:
    """Title, file and the disclaimer, shown first."""
    src = analysis.source
    kind = "video" if src.kind == "video" else "sensor recording"
    return (
        '<header class="top"><h1>Involuntary movement report</h1>'
        f'<div class="sub">{_e(kind)}: <b>{_e(Path(src.path).name)}</b> · '
        f"{src.duration_s:.1f} s · tremorscope {_e(analysis.tool.version)}</div>"
        '<nav class="toc"><a href="#summary">Summary</a><a href="#findings">Findings</a>'
        '<a href="#ratings">Rating items</a><a href="#methods">Methods and quality</a></nav>'
        "</header>"
        '<div class="disclaimer" role="note"><strong>This is a measurement, not a diagnosis.'
        f"</strong> {_e(_after_first_sentence(analysis.disclaimer))} Only a clinician can "
        "interpret it.</div>"
    )


def _after_first_sentence(text: str) -> str:
    """The disclaimer without its first sentence, which the bold lead already says."""
    head, _, rest = text.partition(". ")
    return rest if rest and "diagnosis" in head else text


def finding_row(where: str, finding: Finding) -> list[str]:
    """One summary table row (escaped cells)."""
    r = finding.rhythmic
    detected = r.detected
    return [
        f"<b>{_e(where)}</b>",
        _badge(finding) + (f"<br>{_e(twitch_words(finding))}" if finding.twitches.count else ""),
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
        _table(SUMMARY_HEADER, [finding_row(part_words(p), person.body_parts[p]) for p in found])
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
    table = _table(SUMMARY_HEADER, [finding_row(r.name, r.finding) for r in found]) if found else ""
    nothing = f"<p>Nothing found in: <b>{_e(', '.join(quiet))}</b>.</p>" if quiet else ""
    return f'<div class="card"><h3>Regions you gave</h3>{table}{nothing}</div>'


def sensor_summary(analysis: Analysis) -> str:
    """The card of a sensor recording: one row per group with a finding."""
    found = [g for g in analysis.groups if shows_something(g.finding)]
    quiet = [g.name for g in analysis.groups if not shows_something(g.finding)]
    rows = [finding_row(f"{g.name} ({g.kind}, {g.unit})", g.finding) for g in found]
    table = _table(SUMMARY_HEADER, rows) if rows else "<p>No rhythm and no twitch in a sensor.</p>"
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


GLOSSARY = (
    (
        "Frequency",
        "how many times per second the body part moves back and forth (Hz). The 95 % "
        "interval is the range the true value most likely lies in.",
    ),
    (
        "Size",
        "the typical (RMS) distance the body part moves away from its average position "
        "while the rhythm is present; peak-to-peak is about 2.8 times larger.",
    ),
    (
        "Present",
        "the share of the analysed time during which the rhythm stood out, and in how "
        "many separate stretches (episodes).",
    ),
    (
        "Closest signature",
        "the known tremor type whose typical frequency and setting the "
        "measurement most resembles; a resemblance, not a diagnosis.",
    ),
    (
        "How sure",
        "how far the rhythm's peak rises above the background noise (10 dB = ten times "
        "its power), and how narrow the frequency interval is.",
    ),
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


# --------------------------------------------------------------------------- per finding


def finding_facts(item: Item) -> str:
    """Every number of a finding, labelled."""
    f, r = item.finding, item.finding.rhythmic
    rows: list[tuple[str, str]] = [("What", _e(what_words(f)))]
    if r.kind_reasons:
        rows.append(("Why this kind", _e("; ".join(r.kind_reasons))))
    if r.detected:
        rows += [
            ("Frequency", _e(frequency_words(r))),
            ("Size (RMS)", _e(size_words(r))),
            ("Peak to peak", _e(_peak_to_peak_words(r))),
            ("Direction", _e(_direction_text(item, r))),
            ("Present", _e(presence_words(f))),
            ("Episodes", _e(episode_words(r.episodes, limit=12))),
            ("Regularity", _e(_regularity_words(r))),
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
    return _facts(rows)


def _peak_to_peak_words(r: Rhythmic) -> str:
    unit = r.amplitude_unit
    parts = []
    if r.amplitude_peak_to_peak is not None:
        text = f"median {r.amplitude_peak_to_peak:.3g} {unit}"
        if r.amplitude_peak_to_peak_cm is not None:
            text += f" ({r.amplitude_peak_to_peak_cm:.2f} cm)"
        parts.append(text)
    if r.amplitude_peak_to_peak_max is not None:
        text = f"largest {r.amplitude_peak_to_peak_max:.3g} {unit}"
        if r.amplitude_peak_to_peak_max_cm is not None:
            text += f" ({r.amplitude_peak_to_peak_max_cm:.2f} cm"
            ci = r.amplitude_peak_to_peak_max_cm_ci
            text += f", range {ci[0]:.2f}–{ci[1]:.2f} cm)" if ci else ")"
        parts.append(text)
    return "; ".join(parts)


def _direction_text(item: Item, r: Rhythmic) -> str:
    if r.direction is None:
        return ""
    linear = f", {100 * r.linearity:.0f} % along one line" if r.linearity is not None else ""
    if item.group is not None:  # a sensor: axes, not the picture
        axes = ", ".join(
            f"{c} {v:+.2f}" for c, v in zip(item.group.channels, r.direction, strict=False)
        )
        return f"unit vector {axes}{linear}"
    return f"{direction_words(r.direction)} in the picture{linear}"


def _regularity_words(r: Rhythmic) -> str:
    parts = []
    if r.regularity is not None:
        parts.append(f"{100 * r.regularity:.0f} % of the band's power within 0.5 Hz of the peak")
    if r.stability_index_hz is not None:
        parts.append(f"stability index {r.stability_index_hz:.2f} Hz")
    if r.bandwidth_hz is not None:
        parts.append(f"peak width {r.bandwidth_hz:.2f} Hz")
    return "; ".join(parts)


def signature_block(finding: Finding) -> str:
    """The signature comparison: statement and the ranked matches with their reasons."""
    s = finding.signature
    rows = [
        [_e(m.name), f"{100 * m.resemblance:.0f} %", _e("; ".join(m.reasons))] for m in s.matches
    ]
    table = _table(("Tremor type", "Resemblance", "Why"), rows) if rows else ""
    limits = _list(finding.quality.messages)
    flags = [f for f in finding.quality.flags if f not in ("orthostatic_band_not_visible",)]
    return (
        f"<h4>Signature</h4><p>{_e(s.statement or 'Not compared.')}</p>{table}"
        f"<h4>What limits this measurement</h4>{limits or '<p>Nothing noted.</p>'}"
        + (f"<p class='muted'>Flags: {_e(', '.join(flags))}</p>" if flags else "")
    )


def cut_times(analysis: Analysis) -> list[float]:
    """Times of the shot cuts."""
    return [s.start_s for s in analysis.source.shots[1:]]


def timeline_rows_for_person(person: Person, highlight: str | None) -> list[TimelineRow]:
    """One timeline row per body part of a person."""
    return [
        TimelineRow(
            part_words(part),
            kind_of(person.body_parts[part]),
            list(person.body_parts[part].rhythmic.episodes),
            [e.t for e in person.body_parts[part].twitches.events],
            f"person{person.id}.{part}" == highlight,
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
    """The displacement trace and the spectrum of a video finding, from its track."""
    tracks = analysis.tracks
    if tracks is None or item.key not in tracks.names:
        note = (
            '<p class="note">The per-frame track of this region is not part of this result '
            "(a result read back from JSON has none): no trace and no spectrum.</p>"
        )
        return note, ""
    index = tracks.names.index(item.key)
    position = tracks.position[:, index, :]
    cuts = cut_times(analysis)
    signal = display_signal(tracks.time_s, position, cuts)
    r, f = item.finding.rhythmic, item.finding
    scale = item.person.scale.px_per_cm if item.person and item.person.scale else None
    data = TraceInput(
        tracks.time_s,
        offset_from_median(position),
        r.direction if r.detected else None,
        signal,
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
        f"{_marks_words(f, cuts)}. Below: the band-limited movement the analysis measured.",
        f"Displacement trace of {item.title}",
    )
    if signal is None:
        return trace, '<p class="note">Too little continuous data for a spectrum.</p>'
    articulated = "articulated" in f.quality.flags
    extra = (
        " This finding is the fingers' movement against the hand, which has its own "
        "spectrum; shown here is the hand's displacement."
        if articulated
        else ""
    )
    spectrum = book.plot(
        "spectrum",
        spectrum_figure(
            display_spectrum(signal),
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


def _marks_words(finding: Finding, cuts: Sequence[float]) -> str:
    marks = "; purple triangles: twitches" if finding.twitches.count else ""
    return marks + ("; dashed lines: shot cuts" if cuts else "")


def timeline_html(analysis: Analysis, item: Item, book: FigureBook) -> str:
    """The timeline of every body part of the finding's person (or every region / sensor)."""
    if item.person is not None:
        rows = timeline_rows_for_person(item.person, item.key)
        whose = f"every body part of person {item.person.id}"
    elif item.group is not None:
        rows = timeline_rows_for_findings([(g.name, g.finding) for g in analysis.groups], item.key)
        whose = "every sensor"
    else:
        named = [(f"region.{r.name}", r.finding) for r in analysis.regions]
        rows = timeline_rows_for_findings(named, item.key)
        for row in rows:
            row.label = row.label.removeprefix("region.")
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
    anchor = "finding-" + "".join(c if c.isalnum() else "-" for c in item.key)
    where = item.title.split(" · ")[-1] if item.person else item.title
    head = (
        f'<article class="finding" id="{_e(anchor)}"><h3>{_e(item.title)} {_badge(item.finding)}'
        f'</h3><p class="lead">{_e(finding_sentence(where, item.finding))}</p>'
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


# --------------------------------------------------------------------------- rating items


def rating_row(item: RatingItem) -> list[str]:
    """One row of the rating table (escaped cells)."""
    if item.assessable and item.score is not None:
        score = f"<b>{item.score}</b>"
        low_high = f"{item.score_range[0]}–{item.score_range[1]}" if item.score_range else "-"
        detail = _e(item.evidence)
    else:
        score, low_high = "not assessable", "-"
        detail = _e(item.reason or item.evidence)
    return [_e(item.item), _e(item.label), score, low_high, detail, _e(item.caveat)]


def asymmetry_row(a: Asymmetry) -> list[str]:
    """One row of the asymmetry table (escaped cells)."""
    index = "-" if a.index is None else f"{a.index:+.2f}"
    words = ""
    if a.index is not None:
        words = (
            "larger on the left"
            if a.index > 0.1
            else "larger on the right"
            if (a.index < -0.1)
            else "about equal"
        )
    left = "-" if a.left is None else f"{a.left:.3g} {a.unit}"
    right = "-" if a.right is None else f"{a.right:.3g} {a.unit}"
    return [_e(a.pair), _e(f"{index} {words}".strip()), _e(left), _e(right), _e(a.note)]


def ratings_html(analysis: Analysis) -> str:
    """Section 3: the MDS-UPDRS-style estimates and the left-right asymmetry, per person."""
    parts = [
        '<section id="ratings"><h2>Rating items</h2>',
        "<p>Estimates of MDS-UPDRS part III tremor items (3.15 postural tremor, 3.17 rest tremor "
        "amplitude, 3.18 constancy of rest tremor) from the measurement, with the scores the "
        "measurement's interval allows. They come from video, not from the examination the scale "
        "prescribes, and do not replace it.</p>",
    ]
    if not analysis.people:
        parts.append("<p>Not computed: rating items are estimated per person from video.</p>")
    for person in analysis.people:
        parts.append(f"<h3>Person {person.id}</h3>")
        if person.ratings:
            parts.append(
                _table(
                    ("Item", "Label", "Score", "Range", "Evidence or reason", "Caveat"),
                    [rating_row(r) for r in person.ratings],
                )
            )
        else:
            parts.append("<p>Rating items: not computed.</p>")
        if person.asymmetry:
            parts.append(
                "<h4>Left against right</h4><p class='muted'>Index (left - right) / (left + "
                "right) of the tremor size: -1 right only, 0 equal, +1 left only.</p>"
                + _table(
                    ("Pair", "Index", "Left", "Right", "Note"),
                    [asymmetry_row(a) for a in person.asymmetry],
                )
            )
        else:
            parts.append("<p>Asymmetry: not computed.</p>")
    parts.append(f'<p class="muted">Scale: {_e(MDS_UPDRS_CITATION)}</p></section>')
    return "".join(parts)


# --------------------------------------------------------------------------- methods


def compression_words(bits_per_pixel: float | None) -> str:
    """Bits per pixel per frame in words."""
    if bits_per_pixel is None:
        return "unknown"
    level = (
        "heavy compression"
        if bits_per_pixel < HEAVY_COMPRESSION_BPP
        else "moderate compression"
        if bits_per_pixel < 0.15
        else "light compression"
    )
    return f"{bits_per_pixel:.3g} bits per pixel per frame ({level})"


def source_facts(analysis: Analysis) -> str:
    """The source file's facts."""
    src = analysis.source
    rows = [("File", f"<code>{_e(src.path)}</code>"), ("Duration", _e(f"{src.duration_s:.2f} s"))]
    if src.kind == "video":
        vfr = ", variable frame rate" if src.variable_frame_rate else ""
        shots = "; ".join(
            f"{s.index + 1}: {s.start_s:.2f}–{s.end_s:.2f} s ({s.n_frames} frames)"
            for s in src.shots
        )
        rows += [
            ("Resolution", _e(f"{src.width} x {src.height} px as displayed")),
            ("Frame rate", _e(f"{src.fps or 0:.4g} frames per second{vfr}")),
            ("Frames decoded", _e(src.frame_count)),
            ("Codec", _e(src.codec or "unknown")),
            ("Compression", _e(compression_words(src.bits_per_pixel))),
            ("Rotation applied", _e(f"{src.rotation or 0}°")),
            ("Shots", _e(f"{len(src.shots)} ({shots})")),
            ("Timing", _e(src.time_source or "-")),
        ]
        if src.decode_error:
            rows.append(("Decoding stopped", _e(src.decode_error)))
    else:
        groups = "; ".join(
            f"{g.name}: {', '.join(g.channels)} ({g.kind}, {g.unit})" for g in analysis.groups
        )
        rows += [
            ("Sampling rate", _e(f"{src.sample_rate_hz or 0:.4g} Hz")),
            ("Samples", _e(src.n_samples)),
            ("Time", _e(src.time_source or "-")),
            ("Sensors (groups)", _e(groups)),
        ]
    rows.append(("Notes", _list(src.notes) or "none"))
    return _facts(rows)


def camera_rhythm_words(finding: Finding | None) -> str:
    """The camera's own rhythm: frequency and size, or that there was none."""
    if finding is None:
        return "not measured"
    r = finding.rhythmic
    if not r.detected:
        return "none"
    return f"a rhythm at {frequency_words(r)}, {r.amplitude:.2g} px RMS"


def camera_html(analysis: Analysis, book: FigureBook) -> str:
    """How the camera's own motion was measured and removed."""
    cam = analysis.camera
    if cam is None:
        return ""
    rows = [
        ("Compensated", _e(f"in {100 * cam.compensated_share:.0f} % of the video")),
        ("Largest shift", _e("-" if cam.max_shift_px is None else f"{cam.max_shift_px:.2f} px")),
        (
            "Zoom range",
            _e(
                "-"
                if cam.zoom_range is None
                else f"{cam.zoom_range[0]:.3f}–{cam.zoom_range[1]:.3f}"
            ),
        ),
        ("Camera rhythm", _e(camera_rhythm_words(cam.finding))),
    ]
    text = (
        "<h3>Camera</h3><p>Corners on the background (outside every person) give the camera's "
        "shift, rotation and zoom in each frame; their effect is subtracted from every region "
        "before it is measured. A rhythm the camera itself shows is reported as camera motion, "
        "never as tremor.</p>" + _facts(rows)
    )
    tracks = analysis.tracks
    if tracks is not None and np.isfinite(tracks.camera).any():
        text += book.plot(
            "camera",
            camera_figure(tracks.time_s, tracks.camera, cut_times(analysis)),
            "The camera's own shift at the frame centre, measured on the background and removed "
            "from every region.",
            "Camera shift over time",
        )
    return text


def flags_table(analysis: Analysis) -> str:
    """Every quality flag raised anywhere, explained, with where it was raised."""
    where: dict[str, list[str]] = {}
    for group in analysis.groups:
        for flag in group.finding.quality.flags:
            where.setdefault(flag, []).append(group.name)
    if not where:
        return "<p>No quality flag was raised.</p>"
    rows = [
        [
            f"<code>{_e(flag)}</code>",
            _e(FLAG_WORDS.get(flag, ("", "See the JSON messages."))[1]),
            _e(", ".join(names)),
        ]
        for flag, names in sorted(where.items())
    ]
    return _table(("Flag", "Meaning", "Where"), rows)


def limits_list(analysis: Analysis) -> list[str]:
    """The general limits of this kind of measurement, with this recording's figures."""
    src = analysis.source
    rate = src.fps or src.sample_rate_hz
    band_top = 0.45 * rate if rate else None
    first = (
        f"The frame rate caps the frequencies: at {rate:.4g} per second nothing above "
        f"{min(band_top, 20):.1f} Hz can be seen, and orthostatic tremor (13-18 Hz) needs 40 or "
        "more."
        if band_top
        else "The sampling rate caps the frequencies that can be seen."
    )
    items = [first]
    if src.kind == "video":
        items += [
            "Compression smooths away part of sub-pixel motion: sizes of small rhythms in heavily "
            "compressed video (under 0.05 bits per pixel) may be underestimated; rhythms under "
            "0.1 px RMS are not reported.",
            "A body part hidden (occluded), out of the picture or blurred is not measured while "
            "it is hidden; people are not recognised again across shot cuts.",
            "Centimetres from the shoulders are an estimate (about +-16 %, more for body parts at "
            "another distance from the camera than the shoulders).",
            "A small rhythm at the frequency of a much larger one elsewhere on the same person is "
            "reported as passed on, even if it were a second tremor of its own.",
        ]
    else:
        items += [
            "Voluntary movement at tremor rates without a slower fundamental is not told apart "
            "from tremor; the condition (rest, posture, movement) helps.",
            "Accelerometer sizes are converted to displacement only approximately; gyroscope "
            "units are not inferred.",
        ]
    return items


def methods_html(analysis: Analysis, book: FigureBook) -> str:
    """Section 4: source facts, camera, speed, quality flags, versions, limits."""
    proc = analysis.processing
    speed = (
        f"<p>{proc.frames} frames analysed in {proc.elapsed_s:.1f} s "
        f"({proc.frames_per_s:.1f} frames per second).</p>"
        if proc
        else ""
    )
    return (
        '<section id="methods"><h2>Methods and quality</h2><h3>Source</h3>'
        + source_facts(analysis)
        + camera_html(analysis, book)
        + (f"<h3>Processing</h3>{speed}" if speed else "")
        + "<h3>Quality flags</h3>"
        + flags_table(analysis)
        + "<h3>Limits</h3>"
        + _list(limits_list(analysis))
        + "<h3>How it was measured</h3><p>Each region's position (video) or each sensor's "
        "vector is high-passed at 1 Hz; its Welch spectrum is compared with the fitted "
        "aperiodic background; a significant peak is characterised (frequency and its 95 % "
        "interval from cycle-by-cycle frequencies, size while present, direction, episodes); "
        "twitches are brief excursions far above the noise and the local movement level; the "
        "rhythm is compared with known tremor types by frequency, stability and condition. "
        "The full description is in the README.</p>"
        + "<h3>Versions</h3>"
        + _facts(
            [
                ("Tool", _e(f"{analysis.tool.name} {analysis.tool.version}")),
                ("Result schema", _e(analysis.schema_version)),
            ]
        )
        + "</section>"
    )


# --------------------------------------------------------------------------- the page


def render_html_report(analysis: Analysis, video: str | Path | None = None) -> str:
    """The report as one HTML document (a string).

    Parameters
    ----------
    analysis : Analysis
        A video or sensor analysis.
    video : str or Path, optional
        The analysed video, to show key frames (decoded once, streaming, up to the last frame
        shown). Without it a video report has no key frames and says so.

    Returns
    -------
    str
        The document: inline CSS, inline SVG plots, base64 JPEG frames, no external reference.

    """
    items = detail_items(analysis)
    frames, frame_note = decode_frames(analysis, items, video)
    book = FigureBook()
    body = (
        header_html(analysis)
        + summary_html(analysis, items, frames, frame_note, book)
        + findings_html(analysis, items, frames, frame_note, book)
        + ratings_html(analysis)
        + methods_html(analysis, book)
    )
    footer = (
        f"<footer>Written by {_e(analysis.tool.name)} {_e(analysis.tool.version)} (result schema "
        f"{_e(analysis.schema_version)}). Self-contained: this file needs no network. "
        f"{_e(analysis.disclaimer)}</footer>"
    )
    title = f"tremorscope report: {Path(analysis.source.path).name}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
        f'content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
        f"<style>{CSS}</style></head>"
        f'<body data-figures-expected="{book.count}" data-figures-rendered="0">'
        f"<main>{body}{footer}</main><script>{FIGURE_SCRIPT}</script></body></html>\n"
    )


def write_html_report(
    analysis: Analysis, path: str | Path, video: str | Path | None = None
) -> Path:
    """Write a self-contained HTML report of an analysis.

    The report opens with a plain summary (who, which body part, what, how fast, how large,
    how much of the time, the closest signature, how sure, what limits it, and that it is a
    measurement, not a diagnosis), then shows each finding with its key frame, displacement
    trace, spectrum and timeline, the rating items, and the methods and quality notes. It
    works offline: CSS, plots (SVG) and frames (JPEG) are inline.

    Parameters
    ----------
    analysis : Analysis
        Result of :func:`tremorscope.analyze_video` or :func:`tremorscope.analyze_signal`.
        Traces and spectra need its per-frame tracks (``analysis.tracks``), which a result
        read back from JSON does not have; the report then says so.
    path : str or Path
        Output file (``.html``).
    video : str or Path, optional
        The analysed video, for key frames and thumbnails.

    Returns
    -------
    Path
        ``path``.

    """
    path = Path(path)
    path.write_text(render_html_report(analysis, video), encoding="utf-8")
    return path
