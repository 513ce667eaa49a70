"""From a video's measured motion to findings: every region analysed, then judged together.

:func:`video_analysis` runs these steps, in this order (each takes the findings by region and
returns new ones):

1. :func:`analyse_regions`: each region's displacement through the same engine as sensor data;
   for hands, how the fingers move against the hand and the part of the hand that moves most;
2. what video can't vouch for (:mod:`tremorscope.analysis.artefacts`): the measurement floor,
   the encoder's cycle, twitches under the floor, jumps of the video;
3. :func:`flag_compression`: heavy compression may shrink small rhythms;
4. :func:`widen_for_tracking`: the tracking's own error added to every amplitude's interval;
5. :func:`label_camera_rhythms`: rhythms that are the camera's;
6. per person (:func:`judge_person`): rhythms passed on from a larger one, the scale, the
   kind of each movement, the condition, rating items and asymmetry;
7. the main finding (:func:`main_group`) and the result.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from tremorscope.analysis import analyze_uniform, choose_dominant
from tremorscope.analysis.artefacts import (
    apply_floor,
    camera_jumps,
    encoding_cycle_hz,
    withdraw_encoding_cycle,
    withdraw_simultaneous_jumps,
    withdraw_small_twitches,
)
from tremorscope.analysis.crossregion import mark_camera_rhythms, mark_transmitted
from tremorscope.analysis.engine import signature_for
from tremorscope.analysis.kinds import decide_kinds, hand_articulation
from tremorscope.analysis.ratings import rate_person
from tremorscope.analysis.scale import (
    apply_scale,
    at_one_scale,
    framing_factors,
    scale_from_body,
    scale_from_shoulders,
    scale_given,
)
from tremorscope.analysis.whole_body import (
    merged,
    moving_seconds,
    moving_together_spans,
    whole_body_spans,
    without_spans,
)
from tremorscope.config import AnalysisConfig, RunConfig, VideoConfig
from tremorscope.errors import InputError
from tremorscope.measurement import RegionTrack, VideoMeasurement
from tremorscope.results import (
    Analysis,
    Camera,
    Finding,
    Group,
    PartTime,
    Person,
    PersonShot,
    Processing,
    QualityFlag,
    Region,
    RegionKey,
    Scale,
    Shot,
    Signature,
    Source,
    Tracks,
    Transition,
)
from tremorscope.signals import to_uniform
from tremorscope.signals.model import SignalGroup
from tremorscope.video import STOPPED_EARLY, is_variable_rate

Findings = dict[RegionKey, Finding]


def video_analysis(
    m: VideoMeasurement,
    path: str | Path,
    *,
    regions: list[tuple[str, tuple[int, int, int, int]]],
    find_people: bool,
    context: str,
    config: RunConfig,
    px_per_cm: float | None,
) -> Analysis:
    """The findings of a measured video (see :func:`tremorscope.api.analyze_video`).

    Parameters
    ----------
    m : VideoMeasurement
        What the streaming pass measured.
    path : str or Path
        The video file (for the result and messages).
    regions : list of (str, (x, y, w, h))
        The named regions that were measured.
    find_people : bool
        Whether people were looked for.
    context : str
        The condition given (or ``unknown``).
    config : RunConfig
        Analysis and video settings (stored with the result).
    px_per_cm : float, optional
        A measured scale.

    Returns
    -------
    Analysis

    Raises
    ------
    InputError
        When nothing in the video could be measured.

    """
    video = config.video or VideoConfig()
    cuts = cut_times(m)
    moving = {pid: person_moving(m, pid, cuts) for pid in m.people}
    framings = (  # a given scale is the user's for the footage as it is: nothing put at another
        {pid: framing_factors(m.scale_samples.get(pid, []), shot_bounds(m)) for pid in m.people}
        if px_per_cm is None
        else {}
    )
    measured = analyse_regions(m, cuts, config.analysis, video, context, moving, framings)
    camera = camera_group(m, config.analysis, cuts)
    camera_finding = camera.finding if camera is not None else None
    compensated_share = m.camera_chunks / max(m.chunks, 1)
    findings: Findings = {key: group.finding for key, group in measured.items()}
    steps: list[Callable[[Findings], Findings]] = [
        lambda f: apply_floor(f, video),
        lambda f: withdraw_encoding_cycle(f, encoding_cycle_hz(m.picture_types, m.info.fps), video),
        lambda f: withdraw_small_twitches(f, video),
        lambda f: withdraw_simultaneous_jumps(
            f, camera_finding, video, m.times, camera_jumps(m.camera)
        ),
        lambda f: flag_compression(f, m.info.bits_per_pixel, video),
        lambda f: widen_for_tracking(f, video),
        lambda f: label_camera_rhythms(f, camera_finding, compensated_share > 0.5),
    ]
    for step in steps:
        findings = step(findings)
    given = scale_given(px_per_cm) if px_per_cm is not None else None
    people = []
    for pid, detections in sorted(m.people.items()):
        person, findings = judge_person(m, pid, detections, findings, given, context)
        people.append(person)
    findings = {
        k: (with_scale(f, given) if k.owner == "region" else f) for k, f in findings.items()
    }
    groups = [_with_finding(measured[key], findings[key]) for key in measured]
    manual = [
        Region(name=name, box=box, finding=findings[RegionKey.given(name)])
        for name, box in (regions or [])
        if RegionKey.given(name) in findings
    ]
    best = main_group(groups)
    notes = list(m.info.notes)
    if find_people and not m.people:
        notes.append("no person was found; give a region (x, y, w, h) to measure one")
    elif find_people and not any(k.owner == "person" for k in measured):
        notes.append(
            "no body part of the person(s) found is in the picture; give a region "
            "(x, y, w, h) to measure one"
        )
    if not groups and not notes:
        raise InputError(path, "nothing measurable in the video")
    elapsed = max(m.elapsed_s, 1e-9)
    result = Analysis(
        source=_video_source(m, str(path), notes),
        groups=groups,
        dominant=best.finding if best else None,
        dominant_group=best.name if best else None,
        people=people,
        regions=manual,
        camera=Camera(
            compensated_share=round(compensated_share, 3),
            max_shift_px=_max_shift(m.camera),
            zoom_range=_zoom_range(m.camera_zoom),
            finding=camera_finding,
        ),
        processing=Processing(
            frames=m.n_frames,
            elapsed_s=round(m.elapsed_s, 2),
            frames_per_s=round(m.n_frames / elapsed, 1),
            hand_landmark_calls=m.hand_calls,
            hand_landmark_s=round(m.hand_seconds, 3),
            hand_regions_from_landmarks=m.hand_regions_moved,
        ),
        config=config,
    )
    result._tracks = Tracks(m.tracks, list(measured))
    return result


def cut_times(m: VideoMeasurement) -> list[float]:
    """Times (s) of the shot cuts, where nothing is computed across."""
    return [float(m.times[i]) for i in m.shot_starts[1:]]


def shot_bounds(m: VideoMeasurement) -> list[tuple[float, float]]:
    """Start and end (s) of each shot; the last ends after the last frame."""
    starts = [float(m.times[i]) for i in m.shot_starts] or [0.0]
    return list(zip(starts, [*starts[1:], np.inf], strict=True))


def analyse_regions(
    m: VideoMeasurement,
    cuts: list[float],
    config: AnalysisConfig,
    video: VideoConfig,
    context: str,
    moving: Mapping[int, list[tuple[float, float]]] | None = None,
    framings: Mapping[int, list[tuple[float, float, float]]] | None = None,
) -> dict[RegionKey, Group]:
    """Step 1: every region's displacement through the engine, in the order measured.

    A person's stretches of whole-body movement (``moving``: person id to spans, see
    :mod:`tremorscope.analysis.whole_body`) are left out of their body parts' series, and the
    shots in which they were framed otherwise (``framings``: person id to
    :func:`~tremorscope.analysis.scale.framing_factors`) are put at their scale over the clip.

    Hands (and given regions) whose points move against each other report that rhythm where it
    is the larger (:func:`_prefer_articulation`), or the part of the hand that moves most
    (:func:`_prefer_moving_part`). Each group keeps what the engine judged
    (:attr:`tremorscope.results.Group.evidence`).
    """
    groups: dict[RegionKey, Group] = {}
    for key in m.keys:
        track = m.region(key)
        spans = (moving or {}).get(key.person, []) if key.owner == "person" else []
        if spans:
            track = without_spans(track, m.times, spans)
        factors = [  # the person's other framings in which this part was measured
            (a, b, f)
            for a, b, f in ((framings or {}).get(key.person, []) if key.owner == "person" else [])
            if np.isfinite(track.displacement[(m.times >= a) & (m.times < b)]).any()
        ]
        track = at_one_scale(track, m.times, factors)
        breaks = cuts + [float(m.times[i]) for i in track.breaks]
        group = _analyse(key, track.displacement, m.times, breaks, config, context)
        fingers = (
            _articulation_group(key, track, m.times, cuts, config, context)
            if track.has_articulation
            else None
        )
        if track.has_parts:
            group = _prefer_moving_part(
                group, key, track, m.times, breaks, config, video, context, fingers
            )
        if fingers is not None:
            group = _prefer_articulation(group, fingers)
        if track.uncompensated_frames:
            group.finding.quality.add(
                QualityFlag.CAMERA_NOT_COMPENSATED,
                "the background showed too little texture to measure the camera's motion in "
                f"{100 * track.uncompensated_frames / m.n_frames:.0f} % of the frames",
            )
        if factors:
            group.finding.quality.add(
                QualityFlag.FRAMINGS_RESCALED,
                "seen at several framings: pixel sizes put at the person's scale over the clip ("
                + ", ".join(f"x{f:.2f} from {a:.1f} s" for a, _, f in factors)
                + ")",
            )
        if spans:
            group.finding.quality.add(
                QualityFlag.WHOLE_BODY_MOVEMENT,
                f"the person moved their whole body for {moving_seconds(spans):.1f} s ("
                + ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in spans)
                + "): left out",
            )
        groups[key] = group
    return groups


def camera_group(m: VideoMeasurement, config: AnalysisConfig, cuts: list[float]) -> Group | None:
    """The camera's own motion through the engine, or None when it was never measured."""
    if not np.isfinite(m.camera).any():
        return None
    group = SignalGroup("camera", ["x", "y"], m.camera, "position", "px")
    return analyze_uniform(to_uniform(group, m.times, config.max_gap_s, cuts), config)


def flag_compression(
    findings: Mapping[RegionKey, Finding], bits_per_pixel: float | None, video: VideoConfig
) -> Findings:
    """Step 3: under ``video.low_bits_per_pixel``, flag rhythms under ``video.small_motion_px``."""
    out = dict(findings)
    if bits_per_pixel is None or bits_per_pixel >= video.low_bits_per_pixel:
        return out
    for key, finding in findings.items():
        r = finding.rhythmic
        if r.detected and r.amplitude is not None and r.amplitude < video.small_motion_px:
            changed = out[key] = finding.model_copy(deep=True)
            changed.quality.add(
                QualityFlag.COMPRESSION_LIMITS_AMPLITUDE,
                f"heavy compression ({bits_per_pixel:.3f} bits per pixel) smooths away part of "
                "sub-pixel motion: the amplitude may be underestimated",
            )
    return out


def widen_for_tracking(findings: Mapping[RegionKey, Finding], video: VideoConfig) -> Findings:
    """Step 4: add video tracking's own error to every rhythm's amplitude interval.

    On the injection suite (``benchmarks/video_injection.py``: 0.5-3 px, crf 18-23, with and
    without camera shake) measured over true RMS ranged 0.95-1.03: about
    ``video.tracking_relative_error`` on top of the spread over time, plus a sub-pixel floor
    (``video.tracking_floor_px``) for the smallest motions, both as 95 % half-widths.
    """
    out = {}
    for key, finding in findings.items():
        r = finding.rhythmic
        if r.amplitude is None or r.amplitude_ci is None:
            out[key] = finding
            continue
        amp = r.amplitude
        extra = float(np.hypot(video.tracking_relative_error * amp, video.tracking_floor_px))
        lo, hi = r.amplitude_ci
        changed = out[key] = finding.model_copy(deep=True)
        changed.rhythmic.amplitude_ci = (
            round(max(0.0, amp - float(np.hypot(amp - lo, extra))), 4),
            round(amp + float(np.hypot(hi - amp, extra)), 4),
        )
    return out


def label_camera_rhythms(
    findings: Mapping[RegionKey, Finding], camera: Finding | None, compensated: bool
) -> Findings:
    """Step 5: rhythms that are the camera's motion (see :func:`mark_camera_rhythms`)."""
    out = {key: finding.model_copy(deep=True) for key, finding in findings.items()}
    mark_camera_rhythms(out, camera, compensated)
    return out


def judge_person(
    m: VideoMeasurement,
    pid: int,
    detections: list[tuple[float, tuple[int, int, int, int]]],
    findings: Mapping[RegionKey, Finding],
    given: Scale | None,
    context: str,
) -> tuple[Person, Findings]:
    """Step 6: one person's body parts judged together.

    In order: small rhythms passed on from a larger one (``transmitted``), the person's scale
    and centimetres, the kind of each movement (with the hands' shapes), the condition of each
    body part and its signature, then the rating items and asymmetry.

    Returns
    -------
    (Person, dict)
        The person, and every finding with this person's updated.

    """
    keys = [k for k in findings if k.owner == "person" and k.person == pid]
    parts = {k.part: findings[k].model_copy(deep=True) for k in keys}
    mark_transmitted(parts)
    samples = m.scale_samples.get(pid)
    if samples is not None:
        scale = given or scale_from_body(samples)
    else:  # a measurement without scale samples (made by hand): the shoulders as before
        scale = given or scale_from_shoulders(m.shoulder_px.get(pid, []))
    parts = {part: with_scale(finding, scale) for part, finding in parts.items()}
    boxes = {k.part: _median_box([b for _, b in m.region(k).boxes]) for k in keys}
    hands = {
        side: art
        for (who, side), shapes in m.hands.items()
        if who == pid and (art := hand_articulation(shapes)) is not None
    }
    alone = pid in m.hands_alone
    decide_kinds(parts, hands, scale, boxes, alone=alone)
    for part, finding in parts.items():
        _set_condition(finding, context, m.conditions.get((pid, part), []))
    maybe = m.identity_uncertain.get(pid, [])
    person = Person(
        id=pid,
        shots=person_shots(m, keys, detections),
        identity_uncertain=bool(maybe),
        identity_note=" ".join(
            note
            for note, applies in (
                (
                    f"may be the same as person {' or '.join(str(p) for p in maybe)}: seen "
                    "again, the likeness was not clear enough to merge them",
                    bool(maybe),
                ),
                ("seen only as a hand, with nothing else of the person in view", alone),
            )
            if applies
        ),
        whole_body_movement=[
            (round(a, 3), round(b, 3)) for a, b in person_moving(m, pid, cut_times(m))
        ],
        box=_median_box([b for _, b in detections]),
        first_seen_s=round(detections[0][0], 3),
        last_seen_s=round(_last_measured(m, keys, detections[-1][0]), 3),
        body_parts=parts,
        part_boxes=boxes,
        part_time={k.part: part_time(m, k, parts[k.part]) for k in keys},
        scale=scale,
    )
    person.ratings, person.asymmetry = rate_person(person)
    out = dict(findings)
    out.update({k: person.body_parts[k.part] for k in keys})
    return person, out


def with_scale(finding: Finding, scale: Scale | None) -> Finding:
    """Centimetres where a scale is known; else say why the amplitude stays in pixels."""
    if not finding.rhythmic.detected:
        return finding
    finding = finding.model_copy(deep=True)
    if scale is None:
        finding.quality.add(
            QualityFlag.NO_SCALE,
            "no scale: the body's landmarks gave no credible scale and none was given: pixels only",
        )
        return finding
    apply_scale(finding, scale)
    if scale.source != "given":
        finding.quality.add(QualityFlag.SCALE_ESTIMATED, scale.note)
    return finding


def main_group(groups: list[Group]) -> Group | None:
    """Step 7: the group that best shows an involuntary rhythm, or None when nothing was found.

    Regions that could not be measured, the camera's rhythms and rhythms passed on from
    elsewhere are not candidates.
    """
    candidates = [
        g
        for g in groups
        if not g.finding.quality.has(QualityFlag.NOT_MEASURABLE)
        and g.finding.rhythmic.kind != "camera"
        and not g.finding.quality.has(QualityFlag.TRANSMITTED)
    ]
    best = choose_dominant(candidates)
    if best is not None and not (best.finding.rhythmic.detected or best.finding.twitches.count):
        return None  # nothing found anywhere: no main finding to single out
    return best


def _with_finding(group: Group, finding: Finding) -> Group:
    """The group with its final finding (what the engine judged kept)."""
    out = group.model_copy(update={"finding": finding})
    out._evidence = group.evidence
    return out


def _analyse(
    key: RegionKey,
    values: np.ndarray,
    times: np.ndarray,
    breaks: list[float],
    config: AnalysisConfig,
    context: str,
    articulated: bool = False,
    channels: tuple[str, ...] = ("x", "y"),
) -> Group:
    """One series of a region through the engine, the group labelled with the region's key."""
    signal = SignalGroup(key.name, list(channels), values, "position", "px")
    group = analyze_uniform(
        to_uniform(signal, times, config.max_gap_s, breaks), config, context, articulated
    )
    group.key = key
    return group


def _set_condition(finding: Finding, given: str, seen: list[tuple[str, str]]) -> None:
    """Label a body part's finding rest, postural, standing or kinetic, and compare it again."""
    r = finding.rhythmic
    if given != "unknown":
        condition, evidence = given, "given"
    elif r.kind == "voluntary" or (
        r.detected
        and r.kind == "tremor"
        and finding.quality.has(QualityFlag.VOLUNTARY_MOVEMENT_PRESENT)
    ):
        condition, evidence = "kinetic", "the body part itself moves voluntarily"
    else:
        known = [c for c in seen if c[0] != "unknown"]
        if not known or len(known) < 0.5 * len(seen):
            condition, evidence = "unknown", "the pose does not tell"
        else:
            names = [c for c, _ in known]
            condition = max(set(names), key=names.count)
            share = names.count(condition) / len(seen)
            reason = next(why for c, why in known if c == condition)
            evidence = f"from the pose in {100 * share:.0f} % of the clip: {reason}"
    if r.kind in ("tremor", "voluntary", "none"):  # the kind may differ from the engine's
        finding.signature = signature_for(r, condition)
    elif r.kind == "undetermined":
        finding.signature = Signature(
            statement="Not compared with tremor types: whether this is a tremor is undetermined."
        )
    finding.signature.context = condition
    finding.signature.context_evidence = evidence


def _articulation_group(
    key: RegionKey,
    track: RegionTrack,
    times: np.ndarray,
    cuts: list[float],
    config: AnalysisConfig,
    context: str,
) -> Group | None:
    """The rhythm of how the region's points move against each other, when it is clear."""
    breaks = cuts + [float(times[i]) for i in track.articulation_breaks]
    inner = _analyse(
        key, track.articulation, times, breaks, config, context, True, ("articulation",)
    )
    finding = inner.finding
    if not finding.rhythmic.detected or finding.quality.has(QualityFlag.WEAK_RHYTHM):
        return None  # a resting hand's points jitter against each other: only a clear rhythm
    return inner


def _prefer_articulation(group: Group, fingers: Group) -> Group:
    """Report how the fingers move against the hand when that rhythm is the larger one."""
    inner = fingers.finding.model_copy(deep=True)
    mine, whole = inner.rhythmic, group.finding.rhythmic
    if whole.detected and (whole.amplitude or 0) >= (mine.amplitude or 0):
        return group
    mine.kind_reasons = [
        "the parts of the region (fingers) move against each other more than the region moves",
        *mine.kind_reasons,
    ]
    same = whole.detected and abs((whole.frequency_hz or 0) - (mine.frequency_hz or 0)) <= 0.3
    if same and whole.kind == "voluntary" and mine.kind == "tremor":
        # one movement seen two ways: the hand's displacement already showed it is voluntary
        mine.kind = "voluntary"
        mine.kind_reasons += whole.kind_reasons
        inner.signature = group.finding.signature
    inner.quality.add(
        QualityFlag.ARTICULATED,
        "amplitude of the fingers' movement against the hand (first principal component of "
        "the tracked points' own motion)",
    )
    inner.twitches = group.finding.twitches
    return _judged_as(group, inner, fingers)


def _prefer_moving_part(
    group: Group,
    key: RegionKey,
    track: RegionTrack,
    times: np.ndarray,
    breaks: list[float],
    config: AnalysisConfig,
    video: VideoConfig,
    context: str,
    fingers: Group | None,
) -> Group:
    """Report the rhythm of the part of a hand that moves most, when it is the same rhythm.

    A hand deforms while it trembles: when only its back moves and the fingertips stay, the
    region's mean displacement carries about half the movement. The part's own displacement
    (:attr:`RegionTrack.part_displacement`) is analysed too; at the frequency of the whole
    hand's rhythm, or of the points' movement against each other (``fingers``) where the whole
    hand shows none (within 0.3 Hz), and at least ``video.moving_part_ratio`` times larger than
    the whole hand's rhythm (the back of a trembling hand with the fingertips still: about 1.7
    times), its amplitude is the finding's.
    """
    whole = group.finding.rhythmic
    reference = (
        whole if whole.detected else (fingers.finding.rhythmic if fingers is not None else None)
    )
    if reference is None:
        return group  # a part alone is noisier than the whole: it needs a rhythm to corroborate
    part = _analyse(key, track.part_displacement, times, breaks, config, context)
    mine = part.finding.rhythmic
    if not mine.detected or abs((mine.frequency_hz or 0) - (reference.frequency_hz or 0)) > 0.3:
        return group
    if (mine.amplitude or 0) < video.moving_part_ratio * (whole.amplitude or 0):
        return group
    finding = part.finding
    finding.quality.add(
        QualityFlag.MOVING_PART,
        "amplitude of the part of the hand that moves most (its points split into two parts "
        f"that move against each other; the whole hand's mean moved {whole.amplitude or 0:.2f} "
        "px RMS)",
    )
    finding.twitches = group.finding.twitches
    return _judged_as(group, finding, part)


def _judged_as(group: Group, finding: Finding, judged: Group) -> Group:
    """The region's group reporting ``finding``, with what was judged to reach it."""
    out = group.model_copy(update={"finding": finding})
    out._evidence = judged.evidence
    return out


def _max_shift(camera: np.ndarray) -> float | None:
    finite = np.isfinite(camera).all(axis=1)
    if not finite.any():
        return None
    return round(float(np.max(np.linalg.norm(camera[finite], axis=1))), 3)


def _zoom_range(zoom: np.ndarray) -> tuple[float, float] | None:
    finite = zoom[np.isfinite(zoom)]
    if finite.size == 0:
        return None
    return round(float(finite.min()), 4), round(float(finite.max()), 4)


def person_moving(m: VideoMeasurement, pid: int, cuts: list[float]) -> list[tuple[float, float]]:
    """Stretches in which a person moved their whole body (see :mod:`.whole_body`)."""
    torsos = m.torsos.get(pid, [])
    keys = [k for k in m.keys if k.owner == "person" and k.person == pid]
    scale = float(np.median([s for *_, s in torsos])) if torsos else 0.0
    together = moving_together_spans([m.region(k).position for k in keys], m.times, scale)
    return merged(whole_body_spans(torsos, cuts), together)


def person_shots(
    m: VideoMeasurement,
    keys: list[RegionKey],
    detections: list[tuple[float, tuple[int, int, int, int]]],
) -> list[PersonShot]:
    """The shots a person was seen in, from their detections and their regions' measurements."""
    seen = [t for t, _ in detections]
    for key in keys:
        measured = np.isfinite(m.region(key).displacement[:, 0])
        seen.extend(m.times[measured].tolist())
    starts = np.asarray([m.times[i] for i in m.shot_starts], dtype=float)
    shots: dict[int, list[float]] = {}
    for t in seen:
        shots.setdefault(int(np.searchsorted(starts, t, side="right")) - 1, []).append(t)
    return [
        PersonShot(shot=i, first_seen_s=round(min(ts), 3), last_seen_s=round(max(ts), 3))
        for i, ts in sorted(shots.items())
    ]


def part_time(m: VideoMeasurement, key: RegionKey, finding: Finding) -> PartTime:
    """Seconds a body part was measured, and analysed (see :class:`PartTime`)."""
    step = float(np.median(np.diff(m.times))) if m.n_frames > 1 else 0.0
    measured = int(np.isfinite(m.region(key).displacement[:, 0]).sum())
    analysed = finding.quality.analysed_duration_s or 0.0
    return PartTime(visible_s=round(measured * step, 3), analysed_s=round(analysed, 3))


def _last_measured(m: VideoMeasurement, keys: list[RegionKey], last_detection_s: float) -> float:
    """Time of the last frame where any of a person's body parts was measured.

    The pose runs at chunk starts only, so the last detection is up to a chunk too early.
    """
    last = last_detection_s
    for key in keys:
        measured = np.flatnonzero(np.isfinite(m.region(key).displacement[:, 0]))
        if measured.size:
            last = max(last, float(m.times[measured[-1]]))
    return last


def _median_box(boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    arr = np.median(np.asarray(boxes, dtype=float), axis=0)
    return tuple(round(v) for v in arr)  # type: ignore[return-value]


def _video_source(m: VideoMeasurement, path: str, notes: list[str]) -> Source:
    info = m.info
    starts = [*m.shot_starts, m.n_frames]
    step = float(np.median(np.diff(m.times))) if m.n_frames > 1 else 0.0
    shots = [
        Shot(
            index=i,
            start_s=round(float(m.times[a]), 4),
            end_s=round(float(m.times[b - 1]) + step, 4),
            start_frame=a,
            n_frames=b - a,
        )
        for i, (a, b) in enumerate(itertools.pairwise(starts))
    ]
    decode_error = next((n for n in info.notes if n.startswith(STOPPED_EARLY)), None)
    transitions = [
        Transition(
            start_s=round(float(m.times[a]), 4), end_s=round(float(m.times[b]) + step, 4)
        )
        for a, b in m.transitions
    ]
    return Source(
        path=path,
        kind="video",
        duration_s=round(float(m.times[-1]) + step, 4) if m.n_frames else 0.0,
        sample_rate_hz=round(1.0 / step, 4) if step > 0 else None,
        n_samples=m.n_frames,
        time_source="container timestamps",
        notes=notes,
        width=info.width,
        height=info.height,
        fps=round(info.fps, 4),
        frame_count=m.n_frames,
        variable_frame_rate=is_variable_rate(m.times),
        rotation=info.rotation,
        codec=info.codec,
        bits_per_pixel=None if info.bits_per_pixel is None else round(info.bits_per_pixel, 4),
        shots=shots,
        transitions=transitions,
        decode_error=decode_error,
    )
