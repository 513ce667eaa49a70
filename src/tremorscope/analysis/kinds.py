"""What a body part's movement is: tremor, voluntary, transmitted, twitch, camera or undetermined.

The engine finds a rhythm in each body part's displacement and says whether its waveform looks
like a repetitive movement (a harmonic series, a slow fundamental). On real footage that cue
follows the encoding, the clip's length and the frame rate more than the movement, so here it is
only one, weak, piece of evidence. The decision rests on evidence that survives re-encoding:

- **the hand's shape** (:mod:`tremorscope.locate.hands`): a hand whose thumb-index aperture or
  finger extension swings by a large share of its palm's length over the clip is tapping,
  opening and closing, gesturing or holding something it works with. A tremor moves the hand
  with its shape nearly unchanged; even pill-rolling is a small excursion of the thumb;
- **the frequency**: nobody repeats a voluntary movement faster than about 7 Hz (the fastest
  finger tapping), so a rhythm above it is not a voluntary one;
- **the size relative to the body** (centimetres from the person's scale): tremor rarely
  exceeds a few centimetres RMS, gestures and leg jiggling do;
- **coherence with the rest of the body**: a smaller rhythm at the frequency of a larger one
  elsewhere on the same person is passed on (``transmitted``, decided before this step), and a
  small rhythm on a person who is performing a voluntary movement elsewhere at a frequency the
  video does not show may be passed on from it: that is ``undetermined``;
- **the camera** (decided before this step): a rhythm the background shares is the camera's.

Each piece of evidence has a strength from 0 to 1 and a sentence. The decision is a small rule
model: the strongest voluntary evidence (damped by a frequency no voluntary movement reaches)
against a threshold for ``voluntary`` and a lower one below which the rhythm is ``tremor``;
between them, or when coherence leaves it open, ``undetermined``. The confidence of a tremor
is the spectral evidence (how far the peak stands above the background, how much of the time the
rhythm is present) times what the voluntary evidence leaves. Rules rather than a fitted model,
because the footage with known kinds that could fit one is a handful of clips of one person: a
fitted model would learn that person and that camera.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tremorscope.analysis.artefacts import keep_twitches
from tremorscope.locate.hands import HANDS, HandShape
from tremorscope.results import Finding, QualityFlag, Scale

#: A hand needs this many landmark samples for its shape to count as evidence.
MIN_HAND_SAMPLES = 6
#: Spread of the hand's shape (10th to 90th percentile, in palm lengths) at which it counts as
#: no voluntary evidence at all, and at which it counts fully: tapping swings the aperture by
#: about 1 palm length and opening and closing the extension by about 1; a resting hand, even a
#: trembling one, keeps both within 0.1-0.2 (landmark jitter included).
SHAPE_SPREAD_NONE = 0.25
SHAPE_SPREAD_FULL = 0.55
#: No voluntary repetitive movement is faster than this (Hz): the fastest finger tapping ...
MAX_VOLUNTARY_HZ = 7.0
#: ... so above it the size and waveform evidence keeps only this share of its strength.
FAST_DAMPING = 0.3
#: Rhythms above this size (cm RMS) are larger than most tremor: the strength of the size
#: evidence grows from the first to the second.
LARGE_CM = (2.5, 6.0)
#: Weight of the waveform cue (harmonics of a slow rhythm, from the engine): weak, because it
#: follows the encoding and the clip's length.
WAVEFORM_WEIGHT = 0.3
#: Voluntary when the voluntary evidence reaches this; tremor below the second; between them
#: undetermined.
VOLUNTARY_AT = 0.7
TREMOR_BELOW = 0.35
#: On a person performing a voluntary movement elsewhere, a rhythm smaller than this (cm RMS) at a
#: frequency near that movement's, or unknown, may be passed on from it.
PASSED_ON_CM = 0.1
#: Frequencies closer than this (Hz) are the same rhythm for that question.
NEAR_HZ = 0.6
#: A rhythm this close (Hz) to a larger voluntary movement elsewhere on the person goes with it.
MIRRORED_HZ = 0.2
#: A tremor seen on a hand alone (nothing else of the person in view) keeps this share of its
#: confidence: whether it is passed on from a movement out of view cannot be checked.
ALONE_CONFIDENCE = 0.5
#: A jerk larger than this (cm, peak) is a movement (a gesture, a hand put down), not a twitch.
MAX_TWITCH_CM = 5.0
#: Regions overlapping by this share of the smaller one see each other's movements.
MIN_OVERLAP = 0.2
#: Spectral prominence (dB above the background) at which a rhythm's own evidence is weakest
#: (the detection threshold) and full.
PROMINENCE_DB = (6.0, 18.0)
#: Cycles seen at which presence counts nothing (a rhythm needs 3 to be detected at all) and
#: fully.
PRESENCE_CYCLES = (4.0, 15.0)
#: A rhythm whose own evidence (:func:`spectral_confidence`) is below this (barely above the
#: background, present in a brief burst or two) is too weak to tell what it is: undetermined.
MIN_RHYTHM_EVIDENCE = 0.35


@dataclass(frozen=True)
class HandArticulation:
    """How much a hand's shape changed over the clip, from its landmark samples.

    Attributes
    ----------
    samples : int
        Landmark samples.
    palm_px : float
        Median palm length, pixels.
    aperture_spread : float
        10th to 90th percentile of the thumb-index aperture, palm lengths.
    extension_spread : float
        10th to 90th percentile of the fingers' extension (ratio).

    """

    samples: int
    palm_px: float
    aperture_spread: float
    extension_spread: float

    @property
    def spread(self) -> float:
        """The larger of the two spreads."""
        return max(self.aperture_spread, self.extension_spread)


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence about a movement's kind.

    Attributes
    ----------
    voluntary : float
        Strength (0-1) with which it points to a voluntary movement.
    reason : str
        What was seen, in a sentence.

    """

    voluntary: float
    reason: str


def hand_articulation(shapes: list[HandShape]) -> HandArticulation | None:
    """Summarise a hand's landmark samples.

    Parameters
    ----------
    shapes : list of HandShape
        The hand's shape at each sample.

    Returns
    -------
    HandArticulation or None
        None with fewer than :data:`MIN_HAND_SAMPLES` samples.

    """
    if len(shapes) < MIN_HAND_SAMPLES:
        return None
    aperture = np.array([s.aperture for s in shapes])
    extension = np.array([s.extension for s in shapes])
    return HandArticulation(
        samples=len(shapes),
        palm_px=float(np.median([s.size_px for s in shapes])),
        aperture_spread=float(np.subtract(*np.percentile(aperture, [90, 10]))),
        extension_spread=float(np.subtract(*np.percentile(extension, [90, 10]))),
    )


def ramp(value: float, low: float, high: float) -> float:
    """0 at or below ``low``, 1 at or above ``high``, linear between."""
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))


def shape_evidence(hand: HandArticulation) -> Evidence:
    """Voluntary evidence from how much a hand's shape changed."""
    strength = ramp(hand.spread, SHAPE_SPREAD_NONE, SHAPE_SPREAD_FULL)
    what = (
        "the thumb-index aperture"
        if hand.aperture_spread >= hand.extension_spread
        else "the fingers' extension"
    )
    if strength > 0:
        reason = (
            f"{what} changes by {hand.spread:.2f} palm lengths over the clip (hand landmarks, "
            f"{hand.samples} samples): the fingers open and close, as in tapping or opening "
            "and closing the hand"
        )
    else:
        reason = (
            f"the hand keeps its shape (aperture and extension within {hand.spread:.2f} palm "
            f"lengths over {hand.samples} landmark samples), as a trembling hand does"
        )
    return Evidence(strength, reason)


def size_evidence(amplitude_cm: float, frequency_hz: float) -> Evidence:
    """Voluntary evidence from a rhythm's size relative to the body."""
    strength = ramp(amplitude_cm, *LARGE_CM)
    if strength > 0:
        return Evidence(
            strength,
            f"large for a tremor: {amplitude_cm:.1f} cm RMS at {frequency_hz:.1f} Hz",
        )
    return Evidence(0.0, f"{amplitude_cm:.2g} cm RMS: within the range of tremor")


def waveform_evidence(finding: Finding) -> Evidence | None:
    """The engine's waveform cue (harmonics of a slow rhythm), at its weak weight."""
    r = finding.rhythmic
    if r.kind != "voluntary" or not r.kind_reasons:
        return None
    return Evidence(WAVEFORM_WEIGHT, f"waveform: {r.kind_reasons[-1]}")


def spectral_confidence(finding: Finding) -> float:
    """How strongly the rhythm itself stands out (0.2-1): prominence and cycles seen.

    Presence counts the cycles the rhythm was seen for (constancy x analysed time x frequency),
    not the share of the clip: a rest tremor that comes and goes is common, and 16 clear cycles
    over a third of a clip are as much evidence as 16 over all of a shorter one.
    """
    r = finding.rhythmic
    prominence = ramp(r.peak_to_background_db or 0.0, *PROMINENCE_DB)
    cycles = (r.constancy or 0.0) * finding.quality.analysed_duration_s * (r.frequency_hz or 0.0)
    presence = ramp(cycles, *PRESENCE_CYCLES)
    value = 0.2 + 0.8 * (0.6 * prominence + 0.4 * presence)
    if finding.quality.has(QualityFlag.WEAK_RHYTHM):
        value *= 0.7
    return float(np.clip(value, 0.0, 1.0))


def amplitude_cm(finding: Finding, scale: Scale | None) -> float | None:
    """The rhythm's RMS amplitude in centimetres, where a scale is known."""
    r = finding.rhythmic
    if r.amplitude_cm is not None:
        return r.amplitude_cm
    if scale is None or r.amplitude is None or r.amplitude_unit != "px":
        return None
    return r.amplitude / scale.px_per_cm


def _set(finding: Finding, kind: str, confidence: float, reasons: list[str]) -> None:
    r = finding.rhythmic
    r.kind = kind  # type: ignore[assignment]
    r.kind_confidence = round(float(confidence), 2)
    r.kind_reasons = reasons


def _judge(
    finding: Finding, hand: HandArticulation | None, scale: Scale | None, is_hand: bool = False
) -> tuple[str, float, list[str]]:
    """Kind, confidence and reasons of one body part's detected rhythm, on its own evidence.

    The hand's shape counts whatever the rhythm's frequency: fingers that open and close widely
    are a voluntary movement, and a fast rhythm in such a hand is that movement's harmonic or a
    tremor the task hides. Size and waveform are cut to 0.3 of their strength above
    :data:`MAX_VOLUNTARY_HZ`. A hand whose shape was not seen (too small in the picture, turned
    away) has only the waveform to go by, and a slow non-sinusoidal rhythm of a hand is then
    left undetermined rather than called a tremor.
    """
    r = finding.rhythmic
    f0 = r.frequency_hz or 0.0
    damping = FAST_DAMPING if f0 > MAX_VOLUNTARY_HZ else 1.0
    evidence: list[Evidence] = [] if hand is None else [shape_evidence(hand)]
    cues: list[Evidence] = []  # size and waveform, which a fast rhythm damps
    cm = amplitude_cm(finding, scale)
    if cm is not None:
        cues.append(size_evidence(cm, f0))
    waveform = waveform_evidence(finding)
    if waveform is not None:
        if is_hand and hand is None and damping == 1.0:
            waveform = Evidence(TREMOR_BELOW, waveform.reason + " (the hand's shape was not seen)")
        cues.append(waveform)
    evidence += [Evidence(e.voluntary * damping, e.reason) for e in cues]
    voluntary = max((e.voluntary for e in evidence), default=0.0)
    reasons = [e.reason for e in sorted(evidence, key=lambda e: -e.voluntary)]
    if damping < 1.0 and any(e.voluntary > 0 for e in cues):
        reasons.append(f"{f0:.1f} Hz is faster than any voluntary repetitive movement (about 7 Hz)")
    if voluntary >= VOLUNTARY_AT:
        return "voluntary", voluntary, reasons
    if voluntary >= TREMOR_BELOW:
        return (
            "undetermined",
            1.0 - abs(voluntary - 0.5) * 2,
            [
                "the evidence does not settle whether this is a tremor or a voluntary movement",
                *reasons,
            ],
        )
    own = spectral_confidence(finding)
    if own < MIN_RHYTHM_EVIDENCE:
        return (
            "undetermined",
            0.5,
            [
                f"too weak and brief to tell what it is ({r.peak_to_background_db or 0:.1f} dB "
                f"over the background, present {100 * (r.constancy or 0):.0f} % of the time)",
                *reasons,
            ],
        )
    confidence = own * (1.0 - voluntary)
    return (
        "tremor",
        confidence,
        ["an involuntary rhythm: no sign of a voluntary movement", *reasons],
    )


def decide_kinds(
    parts: dict[str, Finding],
    hands: dict[str, HandArticulation],
    scale: Scale | None,
    boxes: dict[str, tuple[int, int, int, int]] | None = None,
    alone: bool = False,
) -> None:
    """Decide the kind of every body part's movement of one person, in place.

    Rhythms already judged ``camera`` or ``transmitted`` keep their kind (with full
    confidence in the coherence that decided it), and so do those already left
    ``undetermined`` by what else the video shows (the background moving at their frequency,
    the encoder's cycle).

    Parameters
    ----------
    parts : dict
        Body-part name to finding.
    hands : dict
        ``"left_hand"``/``"right_hand"`` to the hand's articulation, where landmarks were seen.
    scale : Scale or None
        The person's scale, for sizes relative to the body.
    boxes : dict, optional
        Body-part name to its region ``(x, y, w, h)``: a part whose region overlaps that of a
        part performing a voluntary movement (a hand moving over the knee it rests on) does
        not count that movement's jerks as its own twitches.
    alone : bool
        The person was seen only as these parts (a hand filmed close up): a tremor keeps
        :data:`ALONE_CONFIDENCE` of its confidence, and says why.

    """
    moving: dict[str, float | None] = {}  # parts performing a voluntary movement: their Hz
    if scale is not None:
        for finding in parts.values():
            _large_jerks_are_movements(finding, scale)
    for part, finding in parts.items():
        r = finding.rhythmic
        hand = hands.get(part)
        if r.detected and r.kind in ("camera", "transmitted"):
            r.kind_confidence = r.kind_confidence or 1.0
            continue
        if r.detected and r.kind == "undetermined":
            r.kind_confidence = r.kind_confidence or 0.5
            continue
        if r.detected:
            kind, confidence, reasons = _judge(finding, hand, scale, part in HANDS)
            if alone and kind == "tremor":
                confidence *= ALONE_CONFIDENCE
                reasons.append(
                    "nothing else of the person is in view: a rhythm passed on from a movement "
                    "out of view (the other hand's, a step, a vehicle) cannot be ruled out"
                )
            _set(finding, kind, confidence, reasons)
            if kind == "voluntary":
                moving[part] = r.frequency_hz
        elif hand is not None and shape_evidence(hand).voluntary >= VOLUNTARY_AT:
            # a hand at work whose movement the pixels do not follow as a rhythm
            _set(
                finding, "voluntary", shape_evidence(hand).voluntary, [shape_evidence(hand).reason]
            )
            moving[part] = None
        if r.kind == "voluntary" and finding.twitches.count:
            _drop_twitches(finding, "they are part of the body part's voluntary movement")
    for part, finding in parts.items():
        crossing = [m for m in moving if m != part and _overlap(boxes, part, m) >= MIN_OVERLAP]
        if crossing and finding.twitches.count and finding.rhythmic.kind != "voluntary":
            _drop_twitches(
                finding,
                f"the {crossing[0].replace('_', ' ')}, whose region overlaps this one, performs "
                "a voluntary movement",
            )
    for part, finding in parts.items():
        r = finding.rhythmic
        if not r.detected or r.kind != "tremor":
            continue
        source = _possible_source(part, finding, moving, scale)
        mirrored = _mirrored_from(part, finding, moving, parts)
        if source is not None:
            _set(
                finding,
                "undetermined",
                0.5,
                [
                    f"small ({source[1]}) while the {source[0].replace('_', ' ')} performs a "
                    "voluntary movement: it may be passed on from that movement",
                    *r.kind_reasons[1:],
                ],
            )
        elif mirrored is not None:
            _set(
                finding,
                "undetermined",
                0.5,
                [
                    f"at the frequency of the {mirrored.replace('_', ' ')}'s larger voluntary "
                    "movement: it may be passed on from it or go with it",
                    *r.kind_reasons[1:],
                ],
            )


def _mirrored_from(
    part: str, finding: Finding, moving: dict[str, float | None], parts: dict[str, Finding]
) -> str | None:
    """The part's counterpart, performing a larger voluntary movement at this one's frequency.

    A hand at rest while the other hand taps or opens and closes moves with it at its frequency
    (mirror movements of the homologous muscles, or the movement passed on through the body),
    whatever its size: a tremor that shares the other hand's voluntary frequency and is smaller
    than it is not told apart from that. Mirror movements pair a limb with its counterpart (hand
    with hand, foot with foot); what a hand passes on to a foot is judged as ``transmitted``.
    """
    r = finding.rhythmic
    for other, f_other in moving.items():
        if other != counterpart(part) or f_other is None or r.frequency_hz is None:
            continue
        theirs = parts[other].rhythmic.amplitude
        if (
            abs(f_other - r.frequency_hz) <= MIRRORED_HZ
            and theirs is not None
            and (r.amplitude or 0.0) < theirs
        ):
            return other
    return None


def counterpart(part: str) -> str | None:
    """The same body part on the other side (``left_hand`` for ``right_hand``), or None."""
    side, _, rest = part.partition("_")
    if side not in ("left", "right") or not rest:
        return None
    return f"{'right' if side == 'left' else 'left'}_{rest}"


def _possible_source(
    part: str, finding: Finding, moving: dict[str, float | None], scale: Scale | None
) -> tuple[str, str] | None:
    """A voluntarily moving part this small rhythm may be passed on from, and its size words."""
    r = finding.rhythmic
    cm = amplitude_cm(finding, scale)
    if cm is None or cm >= PASSED_ON_CM:
        return None
    for other, f_other in moving.items():
        if other == part:
            continue
        if f_other is None or abs(f_other - (r.frequency_hz or 0.0)) <= NEAR_HZ:
            return other, f"{10 * cm:.1f} mm RMS"
    return None


def _large_jerks_are_movements(finding: Finding, scale: Scale) -> None:
    """Count jerks over :data:`MAX_TWITCH_CM` as longer movements, not twitches."""
    tw = finding.twitches
    if tw.unit != "px" or not tw.count:
        return
    kept = [e for e in tw.events if e.size < MAX_TWITCH_CM * scale.px_per_cm]
    large = tw.count - len(kept)
    if not large:
        return
    keep_twitches(finding, kept)
    tw.longer_movements += large
    finding.quality.add(
        QualityFlag.LARGE_JERKS_ARE_MOVEMENTS,
        f"{large} jerk(s) larger than {MAX_TWITCH_CM:.0f} cm counted as movements, not twitches",
    )


def _overlap(boxes: dict[str, tuple[int, int, int, int]] | None, a: str, b: str) -> float:
    """Share of the smaller of two parts' regions that lies inside the other (0 if unknown)."""
    if not boxes or a not in boxes or b not in boxes:
        return 0.0
    (ax, ay, aw, ah), (bx, by, bw, bh) = boxes[a], boxes[b]
    iw = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0, min(ay + ah, by + bh) - max(ay, by))
    return iw * ih / max(min(aw * ah, bw * bh), 1)


def _drop_twitches(finding: Finding, why: str) -> None:
    """Withdraw a finding's twitches, saying why."""
    count = finding.twitches.count
    keep_twitches(finding, [])
    finding.quality.add(QualityFlag.TWITCHES_WITHDRAWN, f"{count} twitch(es) not counted: {why}")
