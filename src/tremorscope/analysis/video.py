"""From a video's measured motion to findings: every region analysed, then judged together.

Each region's displacement series goes through the same engine as sensor data; then, across
regions, rhythms under the video floor are withdrawn, compression and the camera's own rhythms
are flagged, small rhythms passed on from a large one on the same person are marked, and each
person's scale, conditions, rating items and asymmetry are added.
"""

from __future__ import annotations

import itertools
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
from tremorscope.analysis.scale import apply_scale, scale_from_shoulders, scale_given
from tremorscope.config import AnalysisConfig
from tremorscope.errors import InputError
from tremorscope.measure import RegionSeries, VideoMeasurement
from tremorscope.results import (
    Analysis,
    Camera,
    Finding,
    Group,
    Person,
    Processing,
    Region,
    Rhythmic,
    Scale,
    Shot,
    Signature,
    Source,
    Tracks,
)
from tremorscope.signals import to_uniform
from tremorscope.signals.model import SignalGroup
from tremorscope.video import is_variable_rate

#: Below this many bits per pixel per frame (a messaging-app re-encode), compression wipes out
#: part of sub-pixel motion: the amplitude of a small rhythm is then flagged.
LOW_BITS_PER_PIXEL = 0.05
#: Rhythms smaller than this (px RMS) lose amplitude under heavy compression.
SMALL_MOTION_PX = 0.3
#: Video tracking's own amplitude error, as 95 % half-widths: relative, and a sub-pixel floor.
TRACKING_RELATIVE_ERROR = 0.05
TRACKING_FLOOR_PX = 0.03


def video_analysis(
    m: VideoMeasurement,
    path: str | Path,
    *,
    regions: list[tuple[str, tuple[int, int, int, int]]],
    find_people: bool,
    context: str,
    config: AnalysisConfig,
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
    config : AnalysisConfig
        Analysis settings.
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
    cut_times = [float(m.times[i]) for i in m.shot_starts[1:]]
    findings: dict[str, Group] = {}
    for key, series in m.series.items():
        name = _series_name(key)
        group = SignalGroup(name, ["x", "y"], series.values(m.n_frames), "position", "px")
        breaks = cut_times + [float(m.times[i]) for i in series.breaks]
        uniform = to_uniform(group, m.times, config.max_gap_s, breaks)
        findings[name] = analyze_uniform(uniform, config, context)
        fingers = (
            _articulation_finding(series, m, cut_times, config, context, name)
            if series.articulation
            else None
        )
        if series.part_samples:
            _prefer_moving_part(findings[name], series, m, breaks, config, context, fingers)
        if fingers is not None:
            _prefer_articulation(findings[name], fingers)
        if series.uncompensated_frames:
            q = findings[name].finding.quality
            q.flags.append("camera_not_compensated")
            q.messages.append(
                "the background showed too little texture to measure the camera's motion in "
                f"{100 * series.uncompensated_frames / m.n_frames:.0f} % of the frames"
            )
    camera = _camera(m, config, cut_times)
    compensated_share = m.camera_chunks / max(m.chunks, 1)
    apply_floor(findings)
    withdraw_encoding_cycle(findings, encoding_cycle_hz(m.picture_types, m.info.fps))
    withdraw_small_twitches(findings)
    withdraw_simultaneous_jumps(findings, camera, m.times, camera_jumps(m.camera))
    _flag_compression(findings, m.info.bits_per_pixel)
    for group in findings.values():
        widen_for_tracking(group.finding.rhythmic)
    mark_camera_rhythms(
        {n: g.finding for n, g in findings.items()},
        camera.finding if camera else None,
        compensated_share > 0.5,
    )
    people = _people(m, findings)
    given = scale_given(px_per_cm) if px_per_cm is not None else None
    for p in people:
        mark_transmitted(p.body_parts)
        p.scale = given or scale_from_shoulders(m.shoulder_px.get(p.id - 1, []))
        for finding in p.body_parts.values():
            _scale_finding(finding, p.scale)
        hands = {
            side: art
            for (key, side), shapes in m.hands.items()
            if key == p.id - 1 and (art := hand_articulation(shapes)) is not None
        }
        decide_kinds(p.body_parts, hands, p.scale, p.part_boxes)
        for part, finding in p.body_parts.items():
            _set_condition(finding, context, m.conditions.get((p.id - 1, part), []))
        p.ratings, p.asymmetry = rate_person(p)
    manual = [
        Region(name=name, box=box, finding=findings[f"region.{name}"].finding)
        for name, box in (regions or [])
        if f"region.{name}" in findings
    ]
    for region in manual:
        _scale_finding(region.finding, given)
    groups = list(findings.values())
    candidates = [
        g
        for g in groups
        if "not_measurable" not in g.finding.quality.flags
        and g.finding.rhythmic.kind != "camera"
        and "transmitted" not in g.finding.quality.flags
    ]
    best = choose_dominant(candidates)
    if best is not None and not (best.finding.rhythmic.detected or best.finding.twitches.count):
        best = None  # nothing found anywhere: no main finding to single out
    notes = list(m.info.notes)
    if find_people and not m.people:
        notes.append("no person was found; give --region X,Y,W,H to measure a region")
    if not groups and not notes:
        raise InputError(path, "nothing measurable in the video")
    source = _video_source(m, str(path), notes)
    elapsed = max(m.elapsed_s, 1e-9)
    result = Analysis(
        source=source,
        groups=groups,
        dominant=best.finding if best else None,
        dominant_group=best.name if best else None,
        people=people,
        regions=manual,
        camera=Camera(
            compensated_share=round(compensated_share, 3),
            max_shift_px=_max_shift(m.camera),
            zoom_range=_zoom_range(m.camera_zoom),
            finding=camera.finding if camera else None,
        ),
        processing=Processing(
            frames=m.n_frames,
            elapsed_s=round(m.elapsed_s, 2),
            frames_per_s=round(m.n_frames / elapsed, 1),
            hand_landmark_calls=m.hand_calls,
            hand_landmark_s=round(m.hand_seconds, 3),
            hand_regions_from_landmarks=m.hand_regions_moved,
        ),
    )
    names = [_series_name(key) for key in m.series]
    position = (
        np.stack([s.positions(m.times) for s in m.series.values()], axis=1)
        if names
        else (np.zeros((m.n_frames, 0, 2)))
    )
    result._tracks = Tracks(m.times, names, position, m.camera)
    return result


def widen_for_tracking(rhythmic: Rhythmic) -> None:
    """Add video tracking's own error to a rhythm's amplitude interval, in place.

    On the injection suite (``benchmarks/video_injection.py``: 0.5-3 px, crf 18-23, with and
    without camera shake) measured over true RMS ranged 0.95-1.03: about 5 % on top of the
    spread over time, plus a sub-pixel floor for the smallest motions.

    Parameters
    ----------
    rhythmic : Rhythmic
        A rhythm measured in pixels.

    """
    if rhythmic.amplitude is None or rhythmic.amplitude_ci is None:
        return
    amp = rhythmic.amplitude
    extra = float(np.hypot(TRACKING_RELATIVE_ERROR * amp, TRACKING_FLOOR_PX))
    lo, hi = rhythmic.amplitude_ci
    rhythmic.amplitude_ci = (
        round(max(0.0, amp - float(np.hypot(amp - lo, extra))), 4),
        round(amp + float(np.hypot(hi - amp, extra)), 4),
    )


def _set_condition(finding: Finding, given: str, seen: list[tuple[str, str]]) -> None:
    """Label a body part's finding rest, postural, standing or kinetic, and compare it again."""
    r = finding.rhythmic
    if given != "unknown":
        condition, evidence = given, "given (--context)"
    elif r.kind == "voluntary" or (
        r.detected and r.kind == "tremor" and "voluntary_movement_present" in finding.quality.flags
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


def _scale_finding(finding: Finding, scale: Scale | None) -> None:
    """Centimetres where a scale is known; else say why the amplitude stays in pixels."""
    if not finding.rhythmic.detected:
        return
    if scale is None:
        finding.quality.flags.append("no_scale")
        finding.quality.messages.append(
            "no scale: the shoulders were not seen and none was given (--scale): pixels only"
        )
        return
    apply_scale(finding, scale)
    if scale.source != "given":
        finding.quality.flags.append("scale_estimated")
        finding.quality.messages.append(scale.note)


def _articulation_finding(
    series: RegionSeries,
    m: VideoMeasurement,
    cut_times: list[float],
    config: AnalysisConfig,
    context: str,
    name: str,
) -> Finding | None:
    """The rhythm of how the region's points move against each other, when it is clear."""
    values = series.articulation_values(m.n_frames)
    breaks = cut_times + [float(m.times[i]) for i in series.articulation_breaks]
    signal = SignalGroup(name, ["articulation"], values, "position", "px")
    uniform = to_uniform(signal, m.times, config.max_gap_s, breaks)
    inner = analyze_uniform(uniform, config, context, articulated=True).finding
    if not inner.rhythmic.detected or "weak_rhythm" in inner.quality.flags:
        return None  # a resting hand's points jitter against each other: only a clear rhythm
    return inner


def _prefer_articulation(group: Group, inner: Finding) -> None:
    """Report how the fingers move against the hand when that rhythm is the larger one."""
    mine, whole = inner.rhythmic, group.finding.rhythmic
    if not mine.detected or "weak_rhythm" in inner.quality.flags:
        return  # a resting hand's points jitter against each other: only a clear rhythm counts
    if whole.detected and (whole.amplitude or 0) >= (mine.amplitude or 0):
        return
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
    inner.quality.flags.append("articulated")
    inner.quality.messages.append(
        "amplitude of the fingers' movement against the hand (first principal component of "
        "the tracked points' own motion)"
    )
    inner.twitches = group.finding.twitches
    group.finding = inner


#: A part of a hand counts as moving more than the whole hand when its rhythm is this much
#: larger (the back of a trembling hand with the fingertips still: about 1.7 times).
MOVING_PART_RATIO = 1.25


def _prefer_moving_part(
    group: Group,
    series: RegionSeries,
    m: VideoMeasurement,
    breaks: list[float],
    config: AnalysisConfig,
    context: str,
    fingers: Finding | None,
) -> None:
    """Report the rhythm of the part of a hand that moves most, when it is the same rhythm.

    A hand deforms while it trembles: when only its back moves and the fingertips stay, the
    region's mean displacement carries about half the movement. The part's own displacement
    (:meth:`RegionSeries.part_values`) is analysed too; at the frequency of the whole hand's
    rhythm, or of the points' movement against each other (``fingers``) where the whole hand
    shows none (within 0.3 Hz), and at least :data:`MOVING_PART_RATIO` times larger than the
    whole hand's rhythm, its amplitude is the finding's.
    """
    whole = group.finding.rhythmic
    reference = whole if whole.detected else (fingers.rhythmic if fingers is not None else None)
    if reference is None:
        return  # a part alone is noisier than the whole: it needs a rhythm to corroborate
    signal = SignalGroup(group.name, ["x", "y"], series.part_values(m.n_frames), "position", "px")
    part = analyze_uniform(to_uniform(signal, m.times, config.max_gap_s, breaks), config, context)
    mine = part.finding.rhythmic
    if not mine.detected or abs((mine.frequency_hz or 0) - (reference.frequency_hz or 0)) > 0.3:
        return
    if (mine.amplitude or 0) < MOVING_PART_RATIO * (whole.amplitude or 0):
        return
    part.finding.quality.flags.append("moving_part")
    part.finding.quality.messages.append(
        "amplitude of the part of the hand that moves most (its points split into two parts "
        f"that move against each other; the whole hand's mean moved {whole.amplitude or 0:.2f} "
        "px RMS)"
    )
    part.finding.twitches = group.finding.twitches
    group.finding = part.finding


def _series_name(key: tuple) -> str:
    if key[0] == "person":
        return f"person{key[1] + 1}.{key[2]}"
    return f"region.{key[1]}"


def _camera(m: VideoMeasurement, config: AnalysisConfig, cut_times: list[float]) -> Group | None:
    if not np.isfinite(m.camera).any():
        return None
    group = SignalGroup("camera", ["x", "y"], m.camera, "position", "px")
    return analyze_uniform(to_uniform(group, m.times, config.max_gap_s, cut_times), config)


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


def _flag_compression(findings: dict[str, Group], bits_per_pixel: float | None) -> None:
    if bits_per_pixel is None or bits_per_pixel >= LOW_BITS_PER_PIXEL:
        return
    for group in findings.values():
        r = group.finding.rhythmic
        if r.detected and r.amplitude is not None and r.amplitude < SMALL_MOTION_PX:
            q = group.finding.quality
            q.flags.append("compression_limits_amplitude")
            q.messages.append(
                f"heavy compression ({bits_per_pixel:.3f} bits per pixel) smooths away part of "
                "sub-pixel motion: the amplitude may be underestimated"
            )


def _people(m: VideoMeasurement, findings: dict[str, Group]) -> list[Person]:
    people = []
    for key, detections in sorted(m.people.items()):
        pid = key + 1
        parts = {
            n.split(".", 1)[1]: g.finding
            for n, g in findings.items()
            if n.startswith(f"person{pid}.")
        }
        boxes = {
            s.key[2]: _median_box([b for _, b in s.boxes])
            for s in m.series.values()
            if s.key[0] == "person" and s.key[1] == key
        }
        people.append(
            Person(
                id=pid,
                box=_median_box([b for _, b in detections]),
                first_seen_s=round(detections[0][0], 3),
                last_seen_s=round(_last_measured(m, key, detections[-1][0]), 3),
                body_parts=parts,
                part_boxes=boxes,
            )
        )
    return people


def _last_measured(m: VideoMeasurement, key: int, last_detection_s: float) -> float:
    """Time of the last frame where any of a person's body parts was measured.

    The pose runs at chunk starts only, so the last detection is up to a chunk too early.
    """
    last = last_detection_s
    for series in m.series.values():
        if series.key[0] == "person" and series.key[1] == key:
            measured = np.flatnonzero(np.isfinite(series.values(m.n_frames)[:, 0]))
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
    decode_error = next((n for n in info.notes if n.startswith("decoding stopped")), None)
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
        decode_error=decode_error,
    )
