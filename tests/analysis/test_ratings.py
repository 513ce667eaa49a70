"""MDS-UPDRS-style items from findings: cut-points, conditions, reasons, asymmetry."""

from __future__ import annotations

import pytest

from tremorscope.analysis.ratings import (
    CONSTANCY_LIMITS,
    LIP_JAW_LIMITS_CM,
    POSTURAL_LIMITS_CM,
    REST_LIMB_LIMITS_CM,
    rate_person,
    score_from_limits,
    union_length,
)
from tremorscope.analysis.scale import apply_scale, scale_from_shoulders, scale_given
from tremorscope.results import (
    Finding,
    Person,
    Quality,
    Rhythmic,
    Signature,
    Twitches,
)


def _kind(detected: bool, flags: list[str] | None) -> str:
    if not detected:
        return "none"
    return "transmitted" if "transmitted" in (flags or []) else "tremor"


def _finding(
    context: str,
    p2p_px: float | None = None,
    episodes: list[tuple[float, float]] | None = None,
    duration: float = 20.0,
    flags: list[str] | None = None,
) -> Finding:
    detected = p2p_px is not None
    rhythmic = Rhythmic(
        detected=detected,
        kind=_kind(detected, flags),
        frequency_hz=5.0 if detected else None,
        amplitude=p2p_px / 2.83 if detected else None,
        amplitude_ci=(p2p_px / 2.83 * 0.95, p2p_px / 2.83 * 1.05) if detected else None,
        amplitude_unit="px",
        amplitude_peak_to_peak=p2p_px,
        amplitude_peak_to_peak_max=p2p_px,
        episodes=episodes or ([(0.0, duration)] if detected else []),
        constancy=1.0 if detected else None,
    )
    return Finding(
        rhythmic=rhythmic,
        twitches=Twitches(count=0, rate_per_min=0.0),
        signature=Signature(context=context),
        quality=Quality(flags=flags or [], analysed_duration_s=duration),
    )


def _person(parts: dict[str, Finding], px_per_cm: float | None = 10.0) -> Person:
    scale = scale_given(px_per_cm) if px_per_cm else None
    if scale is not None:
        for finding in parts.values():
            apply_scale(finding, scale)
    return Person(
        id=1, box=(0, 0, 10, 10), first_seen_s=0.0, last_seen_s=20.0, body_parts=parts, scale=scale
    )


def _items(person: Person) -> dict[str, object]:
    items, _ = rate_person(person)
    return {f"{i.item} {i.body_part}": i for i in items}


@pytest.mark.parametrize(
    ("cm", "rest", "postural", "lip_jaw"),
    [
        (0.2, 1, 1, 1),
        (1.0, 1, 2, 1),
        (1.5, 2, 2, 2),
        (2.0, 2, 2, 2),
        (2.5, 2, 2, 3),
        (3.0, 3, 3, 3),
        (3.5, 3, 3, 4),
        (10.0, 3, 4, 4),
        (25.0, 4, 4, 4),
    ],
)
def test_cut_points_follow_the_scale_text(
    cm: float, rest: int, postural: int, lip_jaw: int
) -> None:
    assert score_from_limits(cm, REST_LIMB_LIMITS_CM) == rest
    assert score_from_limits(cm, POSTURAL_LIMITS_CM) == postural
    assert score_from_limits(cm, LIP_JAW_LIMITS_CM) == lip_jaw


@pytest.mark.parametrize(("share", "score"), [(0.1, 1), (0.25, 1), (0.4, 2), (0.6, 3), (0.9, 4)])
def test_constancy_cut_points(share: float, score: int) -> None:
    assert score_from_limits(share, CONSTANCY_LIMITS) == score


def test_rest_tremor_amplitude_is_scored_per_limb_from_the_largest_excursion() -> None:
    # 25 px peak-to-peak at 10 px/cm = 2.5 cm: score 2 ("> 1 but < 3 cm")
    person = _person(
        {
            "right_hand": _finding("rest", 25.0),
            "left_hand": _finding("rest"),
            "right_knee": _finding("rest", 4.0),
            "right_foot": _finding("rest", 45.0),  # the leg's largest part counts: 4.5 cm
            "left_knee": _finding("rest"),
            "left_foot": _finding("rest"),
        }
    )
    items = _items(person)
    assert items["3.17 right_arm"].score == 2
    assert items["3.17 right_arm"].score_range == (2, 2)
    assert items["3.17 left_arm"].score == 0
    assert items["3.17 right_leg"].score == 3
    assert items["3.17 left_leg"].score == 0
    assert not items["3.17 lip_jaw"].assessable
    # held at rest, not out: postural tremor was not tested
    assert not items["3.15 right_arm"].assessable
    assert "held out" in items["3.15 right_arm"].reason


def test_postural_tremor_needs_the_hands_held_out() -> None:
    person = _person({"right_hand": _finding("postural", 8.0), "left_hand": _finding("kinetic")})
    items = _items(person)
    assert items["3.15 right_arm"].assessable and items["3.15 right_arm"].score == 1
    assert not items["3.15 left_arm"].assessable
    assert "kinetic" in items["3.15 left_arm"].reason
    assert not items["3.17 right_arm"].assessable
    assert "not seen" in items["3.17 right_leg"].reason


def test_without_a_scale_amplitude_items_are_not_assessable_but_constancy_is() -> None:
    person = _person({"right_hand": _finding("rest", 25.0, [(0.0, 4.0), (10.0, 14.0)])}, None)
    items = _items(person)
    assert not items["3.17 right_arm"].assessable
    assert "scale" in items["3.17 right_arm"].reason
    constancy = items["3.18 None"]
    assert constancy.assessable and constancy.score == 2  # 8 s of 20 s = 40 %


def test_a_scale_interval_that_straddles_a_cut_point_gives_a_score_range() -> None:
    finding = _finding("rest", 10.0)  # 1.0 cm at the estimate
    widths = [360.0] * 10  # 10 px/cm from the shoulders, with the population's range
    scale = scale_from_shoulders(widths)
    assert scale is not None
    apply_scale(finding, scale)
    person = Person(
        id=1,
        box=(0, 0, 1, 1),
        first_seen_s=0,
        last_seen_s=20,
        body_parts={"right_hand": finding},
        scale=scale,
    )
    item = _items(person)["3.17 right_arm"]
    assert item.score_range == (1, 2)
    assert "shoulders" in item.caveat


def test_constancy_joins_overlapping_episodes_of_all_parts_at_rest() -> None:
    person = _person(
        {
            "right_hand": _finding("rest", 20.0, [(0.0, 6.0)]),
            "right_foot": _finding("rest", 20.0, [(4.0, 12.0)]),
            "left_hand": _finding("postural", 20.0, [(12.0, 20.0)]),  # not at rest: ignored
            "left_foot": _finding("rest", 20.0, [(14.0, 15.0)], flags=["transmitted"]),
        }
    )
    item = _items(person)["3.18 None"]
    assert item.score == 3  # 12 s of 20 s
    assert "60 %" in item.evidence
    assert union_length([(0, 6), (4, 12), (5, 7), (14, 15)]) == pytest.approx(13.0)


def test_no_part_at_rest_makes_constancy_not_assessable() -> None:
    item = _items(_person({"right_hand": _finding("kinetic", 20.0)}))["3.18 None"]
    assert not item.assessable and "rest" in item.reason


def test_asymmetry_index_runs_from_left_only_to_right_only() -> None:
    person = _person(
        {
            "left_hand": _finding("rest", 30.0),
            "right_hand": _finding("rest", 10.0),
            "left_foot": _finding("rest"),
            "right_foot": _finding("rest", 10.0),
        }
    )
    _, asymmetry = rate_person(person)
    hands, legs = asymmetry
    assert hands.index == pytest.approx(0.5, abs=0.01) and hands.unit == "cm"
    assert legs.index == pytest.approx(-1.0)
    one_side = _person({"left_hand": _finding("rest", 30.0)}, None)
    hands, legs = rate_person(one_side)[1]
    assert hands.index is None and "right" in hands.note and hands.unit == "px"
    assert legs.index is None and "left" in legs.note
