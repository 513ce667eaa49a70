"""The kind of a body part's movement (analysis/kinds.py) and the ratings it allows."""

from __future__ import annotations

import numpy as np
import pytest

from tremorscope.analysis.kinds import (
    HandArticulation,
    decide_kinds,
    hand_articulation,
    shape_evidence,
)
from tremorscope.analysis.ratings import is_own_tremor, rate_person
from tremorscope.locate.hands import HandShape
from tremorscope.results import (
    Finding,
    Person,
    Quality,
    Rhythmic,
    Scale,
    Signature,
    Twitches,
    TwitchEvent,
)

SCALE = Scale(px_per_cm=5.0, px_per_cm_ci=(4.3, 5.8), source="given", note="")
STILL_HAND = HandArticulation(samples=20, palm_px=45, aperture_spread=0.12, extension_spread=0.08)
TAPPING_HAND = HandArticulation(samples=20, palm_px=45, aperture_spread=1.3, extension_spread=0.1)


def _finding(
    freq: float | None,
    amp_px: float | None = None,
    kind: str = "tremor",
    *,
    db: float = 20.0,
    constancy: float = 0.8,
    context: str = "rest",
    twitches: int = 0,
) -> Finding:
    rhythmic = Rhythmic(
        detected=freq is not None,
        kind=kind if freq else "none",
        kind_reasons=["engine"] if freq else [],
        frequency_hz=freq,
        amplitude=amp_px,
        amplitude_unit="px",
        amplitude_cm=None if amp_px is None else amp_px / SCALE.px_per_cm,
        amplitude_peak_to_peak_max_cm=None if amp_px is None else 3 * amp_px / SCALE.px_per_cm,
        amplitude_peak_to_peak_max_cm_ci=None
        if amp_px is None
        else (2.8 * amp_px / SCALE.px_per_cm, 3.2 * amp_px / SCALE.px_per_cm),
        peak_to_background_db=db if freq else None,
        constancy=constancy if freq else None,
        episodes=[(0.0, 5.0)] if freq else [],
    )
    events = [TwitchEvent(t=1.0 + i, size=1.0, duration_s=0.1) for i in range(twitches)]
    return Finding(
        rhythmic=rhythmic,
        twitches=Twitches(count=twitches, rate_per_min=6.0 * twitches, events=events, unit="px"),
        signature=Signature(context=context),
        quality=Quality(analysed_duration_s=6.0),
    )


def _item(parts: dict[str, Finding], item: str, limb: str):
    """The rating ``item`` of ``limb`` for a person with these body parts and the test scale."""
    person = Person(id=1, box=(0, 0, 10, 10), first_seen_s=0, last_seen_s=6, body_parts=parts)
    person.scale = SCALE
    items, _ = rate_person(person)
    return next(i for i in items if i.item == item and i.body_part == limb)


def _shapes(apertures: list[float]) -> list[HandShape]:
    return [HandShape(0.25 * i, 45.0, a, 1.8, (0.0, 0.0)) for i, a in enumerate(apertures)]


def test_hand_articulation_needs_samples_and_measures_the_spread():
    assert hand_articulation(_shapes([0.5] * 5)) is None
    art = hand_articulation(_shapes([0.1, 1.4] * 10))
    assert art is not None and art.samples == 20
    assert art.aperture_spread == pytest.approx(1.3)
    assert art.extension_spread == pytest.approx(0.0)


def test_shape_evidence_grows_with_the_spread():
    assert shape_evidence(STILL_HAND).voluntary == 0.0
    assert "keeps its shape" in shape_evidence(STILL_HAND).reason
    assert shape_evidence(TAPPING_HAND).voluntary == 1.0
    half = HandArticulation(20, 45, 0.4, 0.1)
    assert 0 < shape_evidence(half).voluntary < 1


def test_a_tapping_hand_is_voluntary_and_not_rated():
    parts = {"left_hand": _finding(3.6, 3.0, context="postural")}
    decide_kinds(parts, {"left_hand": TAPPING_HAND}, SCALE)
    r = parts["left_hand"].rhythmic
    assert r.kind == "voluntary" and r.kind_confidence == 1.0
    assert "palm lengths" in r.kind_reasons[0]
    left = _item(parts, "3.15", "left_arm")
    assert not left.assessable and "voluntary movement" in left.reason


def test_a_hand_at_work_without_a_measured_rhythm_is_still_voluntary():
    parts = {"left_hand": _finding(None, twitches=2)}
    decide_kinds(parts, {"left_hand": TAPPING_HAND}, SCALE)
    f = parts["left_hand"]
    assert f.kind == "voluntary" and not f.rhythmic.detected
    assert f.twitches.count == 0 and "twitches_withdrawn" in f.quality.flags


def test_a_trembling_hand_that_keeps_its_shape_is_tremor_and_rated():
    parts = {"right_hand": _finding(5.0, 3.0)}
    decide_kinds(parts, {"right_hand": STILL_HAND}, SCALE)
    r = parts["right_hand"].rhythmic
    assert r.kind == "tremor" and r.kind_confidence > 0.5
    assert is_own_tremor(parts["right_hand"])
    rue = _item(parts, "3.17", "right_arm")
    assert rue.assessable and rue.score == 2  # 1.8 cm peak-to-peak


def test_the_waveform_cue_alone_does_not_make_a_rhythm_voluntary():
    parts = {"right_foot": _finding(3.0, 2.0, "voluntary")}  # engine: harmonic at 2x
    decide_kinds(parts, {}, SCALE)
    assert parts["right_foot"].rhythmic.kind == "tremor"
    assert any("waveform" in why for why in parts["right_foot"].rhythmic.kind_reasons)


def test_a_very_large_slow_rhythm_is_voluntary_by_its_size():
    parts = {"right_knee": _finding(2.5, 40.0)}  # 8 cm RMS
    decide_kinds(parts, {}, SCALE)
    assert parts["right_knee"].rhythmic.kind == "voluntary"
    middling = {"right_knee": _finding(2.5, 20.0)}  # 4 cm RMS: tremor or jiggling?
    decide_kinds(middling, {}, SCALE)
    assert middling["right_knee"].rhythmic.kind == "undetermined"


def test_no_voluntary_movement_is_faster_than_seven_hz():
    parts = {"right_knee": _finding(9.0, 20.0)}
    decide_kinds(parts, {}, SCALE)
    r = parts["right_knee"].rhythmic
    assert r.kind == "tremor"
    assert "faster than any voluntary" in r.kind_reasons[-1]


def test_a_fast_rhythm_of_a_tapping_hand_is_still_its_voluntary_movement():
    parts = {"left_hand": _finding(7.2, 0.64)}  # the tapping's second harmonic
    decide_kinds(parts, {"left_hand": TAPPING_HAND}, SCALE)
    assert parts["left_hand"].rhythmic.kind == "voluntary"


def test_a_slow_jerky_hand_rhythm_without_the_hands_shape_is_undetermined():
    unseen = {"right_hand": _finding(2.8, 4.5, "voluntary")}  # engine: harmonic at 2x
    decide_kinds(unseen, {}, SCALE)
    assert unseen["right_hand"].rhythmic.kind == "undetermined"
    foot = {"right_foot": _finding(2.8, 4.5, "voluntary")}  # no landmarks to miss there
    decide_kinds(foot, {}, SCALE)
    assert foot["right_foot"].rhythmic.kind == "tremor"
    seen = {"right_hand": _finding(2.8, 4.5, "voluntary")}
    decide_kinds(seen, {"right_hand": STILL_HAND}, SCALE)
    assert seen["right_hand"].rhythmic.kind == "tremor"


def test_a_tiny_rhythm_beside_a_voluntary_task_is_undetermined_not_tremor():
    parts = {
        "left_hand": _finding(None),
        "right_hand": _finding(3.6, 0.25),  # 0.5 mm while the left hand taps
        "right_foot": _finding(6.0, 1.5),  # 3 mm: large enough to stand on its own
    }
    decide_kinds(parts, {"left_hand": TAPPING_HAND, "right_hand": STILL_HAND}, SCALE)
    assert parts["right_hand"].rhythmic.kind == "undetermined"
    assert "may be passed on" in parts["right_hand"].rhythmic.kind_reasons[0]
    assert parts["right_foot"].rhythmic.kind == "tremor"
    rue = _item(parts, "3.17", "right_arm")
    assert not rue.assessable and "undetermined" in rue.reason


def test_camera_and_transmitted_rhythms_keep_their_kind():
    parts = {"head": _finding(4.0, 0.3, "camera"), "left_knee": _finding(3.0, 0.2, "transmitted")}
    decide_kinds(parts, {}, SCALE)
    assert parts["head"].rhythmic.kind == "camera"
    assert parts["left_knee"].rhythmic.kind == "transmitted"
    assert not any(is_own_tremor(f) for f in parts.values())


def test_a_weak_brief_rhythm_is_undetermined():
    parts = {"left_hand": _finding(8.8, 0.6, db=7.2, constancy=0.1)}
    parts["left_hand"].quality.flags.append("weak_rhythm")
    decide_kinds(parts, {}, SCALE)
    r = parts["left_hand"].rhythmic
    assert r.kind == "undetermined" and "too weak and brief" in r.kind_reasons[0]


def test_a_weak_tremor_is_not_rated():
    parts = {"right_hand": _finding(5.0, 2.0, db=13.0, constancy=0.35)}
    parts["right_hand"].quality.flags.append("weak_rhythm")
    decide_kinds(parts, {}, SCALE)
    r = parts["right_hand"].rhythmic
    assert r.kind == "tremor" and r.kind_confidence < 0.5
    assert not is_own_tremor(parts["right_hand"])
    rue = _item(parts, "3.17", "right_arm")
    assert not rue.assessable and "too uncertain" in rue.reason


def test_the_derived_kind_survives_a_json_round_trip():
    f = _finding(None, twitches=1)
    assert f.kind == "twitch"
    again = Finding.model_validate_json(f.model_dump_json())
    assert again.kind == "twitch" and again.twitches.count == 1


def test_jerks_of_a_hand_at_work_are_no_twitches_of_the_knee_it_passes_over():
    parts = {"left_hand": _finding(None), "left_knee": _finding(None, twitches=2)}
    parts["left_foot"] = _finding(None, twitches=1)
    boxes = {"left_hand": (100, 100, 40, 40), "left_knee": (110, 120, 30, 30)}
    boxes["left_foot"] = (100, 300, 40, 40)
    decide_kinds(parts, {"left_hand": TAPPING_HAND}, SCALE, boxes)
    assert parts["left_knee"].twitches.count == 0
    assert "overlaps" in parts["left_knee"].quality.messages[-1]
    assert parts["left_foot"].twitches.count == 1  # far from the hand: its own


def test_a_jerk_of_many_centimetres_is_a_movement_not_a_twitch():
    parts = {"right_knee": _finding(None, twitches=2)}
    parts["right_knee"].twitches.events[0].size = 40.0  # 8 cm at 5 px/cm
    decide_kinds(parts, {}, SCALE)
    tw = parts["right_knee"].twitches
    assert tw.count == 1 and tw.longer_movements == 1
    assert tw.rate_per_min == 6.0


def test_the_part_of_a_hand_that_moves_against_the_rest_is_found():
    from tremorscope.motion.articulation import part_offsets

    rng = np.random.default_rng(1)
    t = np.arange(120) / 30.0
    wave = np.sin(2 * np.pi * 5.0 * t)
    moving = np.zeros((120, 8, 2))
    moving[:, :, 0] = wave[:, None]  # the back of the hand: 8 points move by 1 px
    still = np.zeros((120, 6, 2))  # the fingertips: 6 points stay
    points = np.concatenate([moving, still], axis=1) + rng.normal(0, 0.02, (120, 14, 2))
    mean = points.mean(axis=1, keepdims=True)
    offsets = part_offsets(points - mean, max_jump_px=5.0)
    assert offsets is not None
    parts = [mean[:, 0, :] + o for o in offsets]
    amplitudes = sorted(float(np.std(p[:, 0]) * np.sqrt(2)) for p in parts)
    assert amplitudes[0] < 0.05 and amplitudes[1] == pytest.approx(1.0, rel=0.05)
    assert float(np.std(mean[:, 0, 0]) * np.sqrt(2)) == pytest.approx(8 / 14, rel=0.05)
    assert part_offsets(points[:, :4] - mean, max_jump_px=5.0) is None  # too few points


def test_a_tremor_that_comes_and_goes_is_confident_enough_to_rate():
    # on for 37 % of 8 s at 5.5 Hz: 16 clear cycles, as much evidence as a constant one has
    parts = {"head": _finding(5.5, 2.0, db=10.0, constancy=0.37)}
    parts["head"].quality.analysed_duration_s = 8.0
    decide_kinds(parts, {}, SCALE)
    assert parts["head"].rhythmic.kind == "tremor"
    assert parts["head"].rhythmic.kind_confidence >= 0.5


def test_a_resting_hand_at_the_other_hands_voluntary_rhythm_is_not_called_a_tremor():
    # HM_R beside another person: the right hand opens and closes at 2.76 Hz, the left hand,
    # at rest and keeping its shape, moves 2.3 mm at 2.81 Hz
    parts = {"left_hand": _finding(2.81, 1.2), "right_hand": _finding(2.76, 4.0)}
    decide_kinds(parts, {"left_hand": STILL_HAND, "right_hand": TAPPING_HAND}, SCALE)
    assert parts["right_hand"].rhythmic.kind == "voluntary"
    assert parts["left_hand"].rhythmic.kind == "undetermined"
    assert "right hand's larger voluntary movement" in parts["left_hand"].rhythmic.kind_reasons[0]


def test_a_foot_tremor_at_a_tapping_hands_rhythm_stays_a_tremor():
    # mirror movements pair a limb with its counterpart: a foot does not go with a hand
    parts = {"right_foot": _finding(3.5, 2.1), "left_hand": _finding(3.6, 3.5)}
    decide_kinds(parts, {"left_hand": TAPPING_HAND}, SCALE)
    assert parts["left_hand"].rhythmic.kind == "voluntary"
    assert parts["right_foot"].rhythmic.kind == "tremor"


def test_a_tremor_beside_a_voluntary_movement_at_another_rhythm_stays_a_tremor():
    parts = {"left_hand": _finding(5.0, 1.2), "right_hand": _finding(2.76, 4.0)}
    decide_kinds(parts, {"left_hand": STILL_HAND, "right_hand": TAPPING_HAND}, SCALE)
    assert parts["left_hand"].rhythmic.kind == "tremor"
