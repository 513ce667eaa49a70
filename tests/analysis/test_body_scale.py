"""A person's scale from their detections' world-landmark fits (analysis/scale.py)."""

from __future__ import annotations

import numpy as np
import pytest

from tremorscope.analysis.scale import (
    BODY_SIZE_REL,
    HEAD_SIZE_REL,
    SHOULDER_CM,
    at_one_scale,
    framing_factors,
    scale_from_body,
)
from tremorscope.locate.world_scale import ScaleSample
from tremorscope.measurement import RegionTrack
from tremorscope.results import RegionKey


def _samples(values, shoulder_px=None, source="body"):
    return [
        ScaleSample(0.5 * i, v, 0.02 if v is not None else None, shoulder_px, source if v else None)
        for i, v in enumerate(values)
    ]


def test_a_steady_person_gets_the_median_and_the_models_body_size_range():
    scale = scale_from_body(_samples([8.0, 8.1, 7.9, 8.0, 8.05]))
    assert scale.source == "body landmarks"
    assert scale.px_per_cm == pytest.approx(8.0)
    low, high = scale.px_per_cm_ci
    assert low < 8.0 / (1 + BODY_SIZE_REL) * 1.0001 and high > 8.0 * (1 + BODY_SIZE_REL) * 0.9999
    assert high / low < (1 + BODY_SIZE_REL) ** 2 * 1.01  # the spread adds little
    assert "world landmarks" in scale.note and "+-15 %" in scale.note


def test_a_spread_over_the_detections_widens_the_interval():
    steady = scale_from_body(_samples([4.0] * 6))
    moving = scale_from_body(_samples([3.0, 3.5, 4.0, 4.0, 4.5, 5.0]))  # walking towards us
    assert moving.px_per_cm == pytest.approx(4.0)
    s_low, s_high = steady.px_per_cm_ci
    m_low, m_high = moving.px_per_cm_ci
    assert m_low < s_low and m_high > s_high
    assert m_low < 3.0 < 5.0 < m_high  # the detections' range, and more


def test_side_on_detections_need_no_shoulders():
    side_on = _samples([2.6, 2.7, 2.5, 2.8])  # shoulder_px None: never facing the camera
    scale = scale_from_body(side_on)
    assert scale.source == "body landmarks" and 2.5 < scale.px_per_cm < 2.8


def test_shoulders_facing_the_camera_are_a_cross_check():
    agree = scale_from_body(_samples([8.0] * 4, shoulder_px=7.0 * SHOULDER_CM))  # 7 px/cm
    assert "consistent" in agree.note and agree.px_per_cm == pytest.approx(8.0)
    assert agree.px_per_cm_ci == scale_from_body(_samples([8.0] * 4)).px_per_cm_ci
    disagree = scale_from_body(_samples([8.0] * 4, shoulder_px=4.0 * SHOULDER_CM))  # 4 px/cm
    assert "widened" in disagree.note and disagree.px_per_cm == pytest.approx(8.0)
    assert disagree.px_per_cm_ci[0] == pytest.approx(4.0, rel=1e-3)


def test_without_credible_fits_the_frontal_shoulders_or_nothing():
    poor = _samples([None, None, 8.0, None])  # one credible fit in four detections
    assert scale_from_body(poor) is None
    frontal = _samples([None, None, 8.0, None], shoulder_px=252.0)
    fallback = scale_from_body(frontal)
    assert fallback.source == "shoulder width"
    assert fallback.px_per_cm == pytest.approx(252.0 / SHOULDER_CM)
    assert "facing the camera" in fallback.note
    assert scale_from_body([]) is None


def test_a_face_close_up_gets_the_heads_wider_range():
    scale = scale_from_body(_samples([25.0, 26.0, 25.5], source="head"))
    assert scale.source == "head landmarks" and scale.px_per_cm == pytest.approx(25.5)
    low, high = scale.px_per_cm_ci
    assert np.log(high / low) / 2 >= np.log1p(HEAD_SIZE_REL) - 1e-9


def test_shots_framed_otherwise_are_put_at_the_persons_scale_over_the_clip():
    # 8 px/cm in two wide shots, 16 in a 2x close-up between them, 8.4 in a reframing within 10 %
    samples = [ScaleSample(t, v, 0.02, None, "body") for t, v in
               [(0.5, 8.0), (1.0, 8.0), (2.5, 16.0), (3.0, 16.0), (4.5, 8.0), (5.5, 8.4)]]
    shots = [(0.0, 2.0), (2.0, 4.0), (4.0, 5.0), (5.0, float("inf"))]  # fmt: skip
    (close_up,) = framing_factors(samples, shots)
    # the clip's scale is the median of its detections (8.2 px/cm): the close-up's pixels shrink
    assert close_up == (2.0, 4.0, pytest.approx(8.2 / 16.0, rel=1e-3))
    assert framing_factors(samples[:2], shots) == []  # one framing: nothing to do


def test_a_series_is_put_at_one_scale_shot_by_shot():
    times = np.arange(6) * 1.0
    track = RegionTrack(
        key=RegionKey.body_part(1, "right_foot"),
        displacement=np.ones((6, 2)),
        position=np.full((6, 2), 100.0),
        breaks=[0, 3],
        boxes=[],
        part_displacement=np.full((6, 2), np.nan),
        articulation=np.full((6, 1), 2.0),
        articulation_breaks=[],
        uncompensated_frames=0,
    )
    scaled = at_one_scale(track, times, [(3.0, 6.0, 0.5)])
    assert scaled.displacement[:3].tolist() == [[1.0, 1.0]] * 3
    assert scaled.displacement[3:].tolist() == [[0.5, 0.5]] * 3
    assert scaled.articulation[3:, 0].tolist() == [1.0] * 3
    assert scaled.position.tolist() == track.position.tolist()  # where it is does not change
    assert at_one_scale(track, times, []) is track
