"""The report's words: findings, numbers, flags and limits as plain sentences and phrases.

Every function here returns plain text (not HTML); the page escapes it where it places it
(:mod:`tremorscope.report.html`). The quality flags carry their own words
(:class:`tremorscope.results.QualityFlag`); numbers that are settings are read from the
configuration the analysis ran with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from tremorscope.config import RunConfig
from tremorscope.report.kinds import KIND_LABELS, KIND_WORDS, kind_of
from tremorscope.results import Analysis, Finding, QualityFlag, Rhythmic

if TYPE_CHECKING:
    from tremorscope.report.items import Item

#: The rating scale's reference, as plain text.
MDS_UPDRS_CITATION = (
    "Goetz CG, Tilley BC, Shaftman SR, et al. Movement Disorder Society-sponsored revision of "
    "the Unified Parkinson's Disease Rating Scale (MDS-UPDRS): scale presentation and "
    "clinimetric testing results. Mov Disord 2008;23:2129-70."
)
#: The recording's condition in words.
CONTEXT_WORDS = {
    "rest": "at rest",
    "postural": "holding a posture",
    "kinetic": "during movement",
    "standing": "standing",
    "unknown": "condition unknown",
}
#: The word on each kind's badge.
BADGE_WORDS = KIND_LABELS

#: The terms of the summary table, explained.
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


# --------------------------------------------------------------------------- names


def part_words(part: str) -> str:
    """``left_hand`` -> ``left hand``."""
    return part.replace("_", " ")


def group_title(analysis: Analysis, name: str | None) -> str:
    """A readable name for a group: ``person1.left_hand`` -> ``person 1's left hand``."""
    if not name:
        return "-"
    group = analysis.group_named(name)
    key = group.key if group is not None else None
    if key is not None and key.owner == "person":
        return f"person {key.person}'s {part_words(key.part)}"
    if key is not None:
        return f"the region “{key.part}”"
    return name if analysis.source.kind == "video" else f"the sensor “{name}”"


# --------------------------------------------------------------------------- findings


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


def flag_short(flag: QualityFlag, finding: Finding | None = None) -> str:
    """A quality flag as a short phrase."""
    if flag == QualityFlag.BAND_CAPPED_BY_SAMPLING_RATE and finding and finding.quality.band_hz:
        return f"nothing above {finding.quality.band_hz[1]:.1f} Hz visible"
    return flag.short


def flag_meaning(flag: QualityFlag, analysis: Analysis) -> str:
    """A quality flag explained in a sentence, with the settings the analysis ran with."""
    return flag.explain(settings_of(analysis))


def settings_of(analysis: Analysis) -> dict[str, float | int]:
    """Every setting the analysis ran with (the defaults for a result that stored none)."""
    return (analysis.config or RunConfig()).settings()


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


def nothing_sentence(analysis: Analysis) -> str:
    """What to say when no finding stands out: nothing, or only voluntary movements."""
    moving = [
        f"person {p.id}'s {part.replace('_', ' ')}"
        for p in analysis.people
        for part, f in p.body_parts.items()
        if f.rhythmic.kind == "voluntary"
    ]
    if not moving:
        return "No rhythm and no twitch stands out in any region."
    return (
        "No involuntary rhythm and no twitch stands out; a voluntary movement in "
        + ", ".join(moving)
        + "."
    )


def main_sentence(analysis: Analysis, items: Sequence[Item] = ()) -> str:
    """The main finding of the file in one sentence."""
    if analysis.dominant is None and items:
        return "No main finding was singled out; what was found is listed below."
    if analysis.dominant is None:
        return nothing_sentence(analysis)
    where = group_title(analysis, analysis.dominant_group)
    return "Main finding — " + finding_sentence(where, analysis.dominant)


# --------------------------------------------------------------------------- finding details


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


def marks_words(finding: Finding, cuts: Sequence[float]) -> str:
    """What else a trace marks, for its caption: twitches, shot cuts (or nothing)."""
    marks = "; purple triangles: twitches" if finding.twitches.count else ""
    return marks + ("; dashed lines: shot cuts" if cuts else "")


def peak_to_peak_words(r: Rhythmic) -> str:
    """The median and the largest peak-to-peak size, with centimetres when known."""
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


def direction_text(r: Rhythmic, channels: Sequence[str] | None = None) -> str:
    """The rhythm's main direction: in the picture, or along a sensor's ``channels``."""
    if r.direction is None:
        return ""
    linear = f", {100 * r.linearity:.0f} % along one line" if r.linearity is not None else ""
    if channels is not None:  # a sensor: axes, not the picture
        axes = ", ".join(f"{c} {v:+.2f}" for c, v in zip(channels, r.direction, strict=False))
        return f"unit vector {axes}{linear}"
    return f"{direction_words(r.direction)} in the picture{linear}"


def regularity_words(r: Rhythmic) -> str:
    """How regular the rhythm is: power near the peak, stability index, peak width."""
    parts = []
    if r.regularity is not None:
        parts.append(f"{100 * r.regularity:.0f} % of the band's power within 0.5 Hz of the peak")
    if r.stability_index_hz is not None:
        parts.append(f"stability index {r.stability_index_hz:.2f} Hz")
    if r.bandwidth_hz is not None:
        parts.append(f"peak width {r.bandwidth_hz:.2f} Hz")
    return "; ".join(parts)


# --------------------------------------------------------------------------- methods


def compression_words(bits_per_pixel: float | None, heavy_below: float) -> str:
    """Bits per pixel per frame in words (heavy compression under ``heavy_below``)."""
    if bits_per_pixel is None:
        return "unknown"
    level = (
        "heavy compression"
        if bits_per_pixel < heavy_below
        else "moderate compression"
        if bits_per_pixel < 0.15
        else "light compression"
    )
    return f"{bits_per_pixel:.3g} bits per pixel per frame ({level})"


def camera_rhythm_words(finding: Finding | None) -> str:
    """The camera's own rhythm: frequency and size, or that there was none."""
    if finding is None:
        return "not measured"
    r = finding.rhythmic
    if not r.detected:
        return "none"
    return f"a rhythm at {frequency_words(r)}, {r.amplitude:.2g} px RMS"


def limits_list(analysis: Analysis) -> list[str]:
    """The general limits of this kind of measurement, with this recording's figures."""
    src = analysis.source
    settings = settings_of(analysis)
    rate = src.fps or src.sample_rate_hz
    band_top = settings["nyquist_margin"] * rate / 2 if rate else None
    first = (
        f"The frame rate caps the frequencies: at {rate:.4g} per second nothing above "
        f"{min(band_top, settings['band_high_hz']):.1f} Hz can be seen, and orthostatic tremor "
        "(13-18 Hz) needs 40 or more."
        if band_top
        else "The sampling rate caps the frequencies that can be seen."
    )
    items = [first]
    if src.kind == "video":
        items += [
            "Compression smooths away part of sub-pixel motion: sizes of small rhythms in heavily "
            f"compressed video (under {settings['low_bits_per_pixel']:g} bits per pixel) may be "
            f"underestimated; rhythms under {settings['min_rhythm_px']:g} px RMS are not "
            "reported.",
            "A body part hidden (occluded), out of the picture or blurred is not measured while "
            "it is hidden; people are not recognised again across shot cuts.",
            "Centimetres from the body's landmarks are an estimate (about +-15 % on an average "
            "adult body, more for body parts at another distance from the camera, and children "
            "read too large).",
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


def asymmetry_words(index: float | None) -> str:
    """Which side is larger, from a left-right asymmetry index (left - right) / (left + right)."""
    if index is None:
        return ""
    return (
        "larger on the left"
        if index > 0.1
        else "larger on the right"
        if (index < -0.1)
        else "about equal"
    )


def after_first_sentence(text: str) -> str:
    """The disclaimer without its first sentence, which the bold lead already says."""
    head, _, rest = text.partition(". ")
    return rest if rest and "diagnosis" in head else text
