"""MDS-UPDRS-style tremor items (3.15, 3.17, 3.18) and left-right asymmetry from video findings.

The cut-points are the scale's own, from the published scale text: Goetz CG, Tilley BC,
Shaftman SR, et al. Movement Disorder Society-sponsored revision of the Unified Parkinson's
Disease Rating Scale (MDS-UPDRS): scale presentation and clinimetric testing results.
Mov Disord 2008;23(15):2129-2170, doi:10.1002/mds.22340 (part III, items 3.15-3.18).

- 3.15 postural tremor of the hands, 3.17 rest tremor amplitude of a limb: the greatest
  amplitude seen; 0 none, 1 under 1 cm, 2 at least 1 but under 3 cm, 3 at least 3 but under
  10 cm, 4 at least 10 cm (3.17 writes the limits as <= 1, > 1 but < 3, 3-10 and > 10 cm).
- 3.17 lip/jaw: 1 up to 1 cm, 2 over 1 and up to 2 cm, 3 over 2 and up to 3 cm, 4 over 3 cm.
- 3.18 constancy of rest tremor over the examination: 1 present up to 25 % of the time,
  2 26-50 %, 3 51-75 %, 4 over 75 %. The scale gives one score for all rest tremor; here every
  tracked body part at rest counts, the head included (the lip and jaw lie in its region).

These are estimates from footage, not the examination the scale prescribes: the person was not
instructed, the time under observation is the clip, and amplitude is the tremor's peak-to-peak
excursion in the picture plane.
"""

from __future__ import annotations

from collections.abc import Callable

from tremorscope.results import Asymmetry, Finding, Person, QualityFlag, RatingItem

#: Upper limit of scores 1, 2, 3 and whether a value equal to it still belongs to that score.
Limits = tuple[tuple[float, bool], tuple[float, bool], tuple[float, bool]]
#: 3.15: "< 1 cm", ">= 1 but < 3 cm", ">= 3 but < 10 cm", ">= 10 cm".
POSTURAL_LIMITS_CM: Limits = ((1.0, False), (3.0, False), (10.0, False))
#: 3.17 limbs: "<= 1 cm", "> 1 but < 3 cm", "3-10 cm", "> 10 cm".
REST_LIMB_LIMITS_CM: Limits = ((1.0, True), (3.0, False), (10.0, True))
#: 3.17 lip/jaw: "<= 1 cm", "> 1 but <= 2 cm", "> 2 but <= 3 cm", "> 3 cm".
LIP_JAW_LIMITS_CM: Limits = ((1.0, True), (2.0, True), (3.0, True))
#: 3.18: "<= 25 %", "26-50 %", "51-75 %", "> 75 %" of the examination period.
CONSTANCY_LIMITS: Limits = ((0.25, True), (0.50, True), (0.75, True))

#: A tremor is rated only when its kind was decided with at least this confidence.
MIN_CONFIDENCE = 0.5
CITATION = "Goetz et al., Mov Disord 2008;23(15):2129-70 (MDS-UPDRS part III)"

_ARMS = {"right_arm": ("right_hand",), "left_arm": ("left_hand",)}
_LEGS = {"right_leg": ("right_knee", "right_foot"), "left_leg": ("left_knee", "left_foot")}
_LIMB_LABEL = {
    "right_arm": "right upper extremity",
    "left_arm": "left upper extremity",
    "right_leg": "right lower extremity",
    "left_leg": "left lower extremity",
}
_CAVEAT = (
    "estimated from footage: the person was not examined as the scale prescribes; size is the "
    "largest peak-to-peak excursion in the picture plane"
)


def score_from_limits(value: float, limits: Limits) -> int:
    """The 1-4 score of a tremor of size ``value`` against a scale's upper limits.

    Parameters
    ----------
    value : float
        The measured size (cm, or share of the time).
    limits : tuple of (float, bool)
        Upper limit of scores 1, 2 and 3, each with whether a value equal to it still belongs
        to that score (the scale writes "<= 1 cm" for some and "< 3 cm" for others).

    Returns
    -------
    int
        1 to 4.

    """
    for score, (limit, inclusive) in enumerate(limits, start=1):
        if value < limit or (inclusive and value == limit):
            return score
    return 4


def is_own_tremor(finding: Finding) -> bool:
    """Whether a finding is an established tremor of the body part itself.

    Its kind is ``tremor`` with at least :data:`MIN_CONFIDENCE` (see
    :mod:`tremorscope.analysis.kinds`); a voluntary, undetermined, passed-on or camera rhythm
    never is.
    """
    r = finding.rhythmic
    confident = r.kind_confidence is None or r.kind_confidence >= MIN_CONFIDENCE
    return r.detected and r.kind == "tremor" and confident


def not_rated_because(findings: list[Finding]) -> str | None:
    """Why a limb's movement cannot be rated, or None when it can.

    Parameters
    ----------
    findings : list of Finding
        The limb's body parts.

    Returns
    -------
    str or None
        "performing a voluntary movement", "undetermined" or "uncertain" wording, with the
        body part's reason; None when no body part stands in the way.

    """
    for f in findings:
        r = f.rhythmic
        why = r.kind_reasons[0] if r.kind_reasons else ""
        if r.kind == "voluntary":
            return f"not assessable: performing a voluntary movement ({why})"
        if r.kind == "undetermined":
            return f"not assessable: whether the rhythm is a tremor is undetermined ({why})"
        if r.detected and r.kind == "tremor" and not is_own_tremor(f):
            return (
                f"not assessable: a tremor-like rhythm too uncertain to rate (confidence "
                f"{r.kind_confidence:.2f} < {MIN_CONFIDENCE})"
            )
    return None


def rate_person(person: Person) -> tuple[list[RatingItem], list[Asymmetry]]:
    """Estimate the MDS-UPDRS tremor items and the left-right asymmetry of one person.

    An item is given only when the body part was seen, was in the item's condition (held out
    for 3.15, at rest for 3.17 and 3.18) and, for amplitudes, a scale is known; otherwise it is
    "not assessable" with the reason.

    Parameters
    ----------
    person : Person
        A person with body-part findings (conditions and centimetres already set).

    Returns
    -------
    (list of RatingItem, list of Asymmetry)

    """
    items = [
        _amplitude_item("3.15", f"{side}_arm", person, "postural") for side in ("right", "left")
    ]
    items += [_amplitude_item("3.17", limb, person, "rest") for limb in (*_ARMS, *_LEGS)]
    items.append(_lip_jaw_item())
    items.append(constancy_item(person))
    asymmetry = [
        limb_asymmetry(person, "hands", _ARMS["left_arm"], _ARMS["right_arm"]),
        limb_asymmetry(person, "legs", _LEGS["left_leg"], _LEGS["right_leg"]),
    ]
    return items, asymmetry


def limb_parts(limb: str) -> tuple[str, ...]:
    """The body parts a rating item's limb holds (``right_leg``: right knee and foot); none else."""
    return {**_ARMS, **_LEGS}.get(limb, ())


def _amplitude_item(item: str, limb: str, person: Person, condition: str) -> RatingItem:
    what = "Postural tremor of the hands" if item == "3.15" else "Rest tremor amplitude"
    label = f"{item} {what}, {_LIMB_LABEL[limb]}"
    seen = [person.body_parts[p] for p in limb_parts(limb) if p in person.body_parts]
    seen = [f for f in seen if not f.quality.has(QualityFlag.NOT_MEASURABLE)]

    def refuse(reason: str) -> RatingItem:
        return RatingItem(item=item, label=label, body_part=limb, assessable=False, reason=reason)

    if not seen:
        return refuse("the limb was not seen")
    blocked = not_rated_because(seen)
    if blocked is not None:
        return refuse(blocked)
    in_condition = [f for f in seen if f.signature.context == condition]
    if not in_condition:
        found = ", ".join(sorted({f.signature.context for f in seen}))
        return refuse(
            f"the limb was not seen {'held out' if condition == 'postural' else 'at rest'} "
            f"(condition: {found})"
        )
    if person.scale is None:
        return refuse("no scale: sizes are known only in pixels (give a measured scale)")
    tremors = [f for f in in_condition if is_own_tremor(f)]
    caveat = _CAVEAT + ("" if person.scale.source == "given" else f"; {person.scale.note}")
    if not tremors:
        return RatingItem(
            item=item,
            label=label,
            body_part=limb,
            assessable=True,
            score=0,
            score_range=(0, 0),
            evidence=f"no tremor-like rhythm in {_duration(in_condition)} s {condition}",
            caveat=caveat,
        )
    best = max(tremors, key=_largest_cm)
    r = best.rhythmic
    size, (low, high) = _largest_cm(best), _largest_cm_ci(best)
    limits = REST_LIMB_LIMITS_CM if item == "3.17" else POSTURAL_LIMITS_CM
    return RatingItem(
        item=item,
        label=label,
        body_part=limb,
        assessable=True,
        score=score_from_limits(size, limits),
        score_range=(score_from_limits(low, limits), score_from_limits(high, limits)),
        evidence=(
            f"largest peak-to-peak {size:.2f} cm ({low:.2f}-{high:.2f}) at "
            f"{r.frequency_hz:.1f} Hz, present {100 * (r.constancy or 0):.0f} % of the time, "
            f"{condition}"
        ),
        caveat=caveat,
    )


def _largest_cm(finding: Finding) -> float:
    r = finding.rhythmic
    return r.amplitude_peak_to_peak_max_cm or r.amplitude_peak_to_peak_cm or 0.0


def _largest_cm_ci(finding: Finding) -> tuple[float, float]:
    r = finding.rhythmic
    if r.amplitude_peak_to_peak_max_cm_ci is not None:
        return r.amplitude_peak_to_peak_max_cm_ci
    size = _largest_cm(finding)
    return size, size


def _duration(findings: list[Finding]) -> str:
    return f"{max(f.quality.analysed_duration_s for f in findings):.0f}"


def _lip_jaw_item() -> RatingItem:
    return RatingItem(
        item="3.17",
        label="3.17 Rest tremor amplitude, lip/jaw",
        body_part="lip_jaw",
        assessable=False,
        reason="lip and jaw are not tracked apart from the head",
    )


def constancy_item(person: Person) -> RatingItem:
    """3.18: the share of the time any body part at rest shows a tremor-like rhythm.

    Parameters
    ----------
    person : Person
        A person with body-part findings and their conditions.

    Returns
    -------
    RatingItem
        Not assessable when no body part was seen at rest. Needs no scale.

    """
    label = "3.18 Constancy of rest tremor"
    at_rest = {
        name: f
        for name, f in person.body_parts.items()
        if f.signature.context == "rest" and not f.quality.has(QualityFlag.NOT_MEASURABLE)
    }
    if not at_rest:
        return RatingItem(
            item="3.18",
            label=label,
            assessable=False,
            reason="no body part was seen at rest",
        )
    observed = max(f.quality.analysed_duration_s for f in at_rest.values())
    episodes = [e for f in at_rest.values() if is_own_tremor(f) for e in f.rhythmic.episodes]
    blocked = not_rated_because(list(at_rest.values()))
    if not episodes and blocked is not None:
        return RatingItem(item="3.18", label=label, assessable=False, reason=blocked)
    share = min(1.0, union_length(episodes) / observed) if observed > 0 else 0.0
    where = sorted(n.replace("_", " ") for n, f in at_rest.items() if is_own_tremor(f))
    if not episodes:
        evidence = f"no rest tremor in {observed:.0f} s with {len(at_rest)} body part(s) at rest"
        return RatingItem(
            item="3.18",
            label=label,
            assessable=True,
            score=0,
            score_range=(0, 0),
            evidence=evidence,
            caveat=_CAVEAT,
        )
    score = score_from_limits(share, CONSTANCY_LIMITS)
    return RatingItem(
        item="3.18",
        label=label,
        assessable=True,
        score=score,
        score_range=(score, score),
        evidence=(
            f"rest tremor present {100 * share:.0f} % of {observed:.0f} s ({', '.join(where)})"
        ),
        caveat="the examination period is the clip; " + _CAVEAT.split(":")[0],
    )


def union_length(intervals: list[tuple[float, float]]) -> float:
    """Total length covered by possibly overlapping (start, end) intervals.

    Parameters
    ----------
    intervals : list of (float, float)
        Start and end of each interval.

    Returns
    -------
    float

    """
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def limb_asymmetry(
    person: Person, pair: str, left: tuple[str, ...], right: tuple[str, ...]
) -> Asymmetry:
    """Left-right asymmetry of the tremor amplitude of a pair of limbs.

    Parameters
    ----------
    person : Person
        A person with body-part findings.
    pair : str
        ``hands`` or ``legs``.
    left, right : tuple of str
        The body parts of each side (the largest tremor of a side counts).

    Returns
    -------
    Asymmetry
        The index (left - right) / (left + right) in -1..1, with each side's size.

    """
    unit = "cm" if person.scale is not None else "px"
    size = _cm_size if unit == "cm" else _px_size
    sides = [_side_size(person, parts, size) for parts in (left, right)]
    if None in sides:
        missing = "left" if sides[0] is None else "right"
        return Asymmetry(pair=pair, unit=unit, note=f"the {missing} side was not seen")
    lsize, rsize = sides
    assert lsize is not None and rsize is not None
    if lsize + rsize == 0:
        return Asymmetry(pair=pair, left=0.0, right=0.0, unit=unit, note="no tremor on either side")
    return Asymmetry(
        pair=pair,
        index=round((lsize - rsize) / (lsize + rsize), 3),
        left=round(lsize, 4),
        right=round(rsize, 4),
        unit=unit,
        note="RMS amplitude of each side's largest own tremor (0 where none)",
    )


def _side_size(
    person: Person, parts: tuple[str, ...], size: Callable[[Finding], float]
) -> float | None:
    seen = [person.body_parts[p] for p in parts if p in person.body_parts]
    seen = [f for f in seen if not f.quality.has(QualityFlag.NOT_MEASURABLE)]
    if not seen:
        return None
    return max((size(f) if is_own_tremor(f) else 0.0) for f in seen)


def _cm_size(finding: Finding) -> float:
    return finding.rhythmic.amplitude_cm or 0.0


def _px_size(finding: Finding) -> float:
    return finding.rhythmic.amplitude or 0.0
