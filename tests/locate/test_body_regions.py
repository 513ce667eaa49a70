"""Body-part regions placed from pose landmarks, and the condition each part is in."""

import numpy as np
import pytest

from tremorscope.locate.context import hand_state, part_conditions, posture
from tremorscope.locate.pose import LANDMARK_NAMES, PersonPose
from tremorscope.locate.regions import (
    BODY_PARTS,
    MIN_SIDE,
    PART_SIZE,
    body_scale,
    grow_box,
    part_regions,
    shoulder_width,
)

FRAME = (720, 1280)  # height, width

# A seated person facing the camera (the person's left is the picture's right), torso 200 px
# (shoulders at y=200, hips at y=400), shoulders 120 px apart: the body scale is the torso.
FACE = {
    "nose": (640, 130),
    "left_eye_inner": (648, 120),
    "left_eye": (655, 120),
    "left_eye_outer": (662, 120),
    "right_eye_inner": (632, 120),
    "right_eye": (625, 120),
    "right_eye_outer": (618, 120),
    "left_ear": (670, 125),
    "right_ear": (610, 125),
    "mouth_left": (650, 145),
    "mouth_right": (630, 145),
}
TORSO = {
    "left_shoulder": (700, 200),
    "right_shoulder": (580, 200),
    "left_hip": (680, 400),
    "right_hip": (600, 400),
}
# seated, seen from the front: the thighs point at the camera and look short
SEATED_LEGS = {
    "left_knee": (690, 450),
    "right_knee": (590, 450),
    "left_ankle": (690, 600),
    "right_ankle": (590, 600),
    "left_heel": (685, 615),
    "right_heel": (595, 615),
    "left_foot_index": (700, 630),
    "right_foot_index": (580, 630),
}
LAP_HANDS = {
    "left_wrist": (670, 410),
    "left_index": (660, 425),
    "left_pinky": (675, 425),
    "left_thumb": (655, 415),
    "right_wrist": (610, 410),
    "right_index": (620, 425),
    "right_pinky": (605, 425),
    "right_thumb": (625, 415),
}
# arms held out in front at shoulder height
HELD_OUT_HANDS = {
    "left_wrist": (720, 215),
    "left_index": (725, 205),
    "left_pinky": (730, 215),
    "left_thumb": (715, 205),
    "right_wrist": (560, 215),
    "right_index": (555, 205),
    "right_pinky": (550, 215),
    "right_thumb": (565, 205),
}
# standing: legs straight, the thighs as long as the shins in the picture
STANDING_LEGS = {
    "left_knee": (680, 560),
    "right_knee": (600, 560),
    "left_ankle": (680, 720 - 5),
    "right_ankle": (600, 720 - 5),
}
HANGING_HANDS = {"left_wrist": (720, 420), "right_wrist": (560, 420)}


def pose(*parts: dict[str, tuple[float, float]], shift: tuple[float, float] = (0, 0)) -> PersonPose:
    """A pose with the given landmarks seen (visibility 0.9), every other one unseen."""
    points = np.zeros((len(LANDMARK_NAMES), 2))
    visibility = np.full(len(LANDMARK_NAMES), 0.1)
    for landmarks in parts:
        for name, xy in landmarks.items():
            i = LANDMARK_NAMES.index(name)
            points[i] = np.add(xy, shift)
            visibility[i] = 0.9
    return PersonPose(points, visibility, (0, 0, 1, 1))


def centre(box: tuple[int, int, int, int]) -> np.ndarray:
    return np.array([box[0] + box[2] / 2, box[1] + box[3] / 2])


def mean_of(landmarks: dict[str, tuple[float, float]], part: str) -> np.ndarray:
    return np.mean([landmarks[n] for n in BODY_PARTS[part] if n in landmarks], axis=0)


SEATED = pose(FACE, TORSO, SEATED_LEGS, LAP_HANDS)
ALL_SEATED = {**FACE, **TORSO, **SEATED_LEGS, **LAP_HANDS}


# --------------------------------------------------------------------------------------------
# scale and shoulders


def test_body_scale_is_the_torso_then_the_shoulders_then_the_ears():
    assert body_scale(SEATED) == pytest.approx(200.0)
    shoulders_only = pose(FACE, {k: v for k, v in TORSO.items() if "shoulder" in k})
    assert body_scale(shoulders_only) == pytest.approx(1.5 * 120)
    ears_only = pose({k: v for k, v in FACE.items() if "ear" in k})
    assert body_scale(ears_only) == pytest.approx(3.0 * 60)
    assert body_scale(pose({"nose": (10, 10)})) is None


def test_body_scale_is_at_least_1_2_shoulder_widths_when_the_torso_looks_short():
    bent = {**TORSO, "left_hip": (680, 260), "right_hip": (600, 260)}  # leaning at the camera
    assert body_scale(pose(bent)) == pytest.approx(1.2 * 120)


def test_shoulder_width_needs_both_shoulders():
    assert shoulder_width(SEATED) == pytest.approx(120.0)
    tilted = {"left_shoulder": (700, 230), "right_shoulder": (580, 200)}
    assert shoulder_width(pose(tilted)) == pytest.approx(np.hypot(120, 30))
    assert shoulder_width(pose({"left_shoulder": (700, 200)})) is None


# --------------------------------------------------------------------------------------------
# part regions


def test_every_seen_part_gets_a_square_of_its_share_of_the_body_scale():
    regions = part_regions(SEATED, FRAME)
    assert set(regions) == set(BODY_PARTS)
    for part, (_, _, w, h) in regions.items():
        side = PART_SIZE[part] * 200
        assert w == pytest.approx(side, abs=1) and h == pytest.approx(side, abs=1), part


def test_regions_are_centred_on_their_landmarks():
    regions = part_regions(SEATED, FRAME)
    for part, box in regions.items():
        assert np.allclose(centre(box), mean_of(ALL_SEATED, part), atol=1.0), part


def test_regions_sit_where_the_body_parts_are():
    regions = part_regions(SEATED, FRAME)
    y = {part: centre(box)[1] for part, box in regions.items()}
    x = {part: centre(box)[0] for part, box in regions.items()}
    assert y["head"] < y["left_hand"] < y["left_knee"] < y["left_foot"]
    assert x["right_hand"] < x["head"] < x["left_hand"]  # the person's left: picture's right
    assert x["right_foot"] < x["left_foot"]
    head = regions["head"]
    assert head[1] + head[3] <= TORSO["left_shoulder"][1]  # the head box ends above shoulders


def test_a_part_needs_its_first_landmark_seen():
    no_wrist = {k: v for k, v in ALL_SEATED.items() if k != "left_wrist"}  # fingers still seen
    no_nose = {k: v for k, v in no_wrist.items() if k != "nose"}
    regions = part_regions(pose(no_nose), FRAME)
    assert "left_hand" not in regions and "head" not in regions
    assert "right_hand" in regions and "left_foot" in regions


def test_a_part_with_only_its_first_landmark_is_placed_on_it():
    only_wrist = pose(FACE, TORSO, {"right_wrist": (600, 300)})
    box = part_regions(only_wrist, FRAME)["right_hand"]
    assert np.allclose(centre(box), (600, 300), atol=1.0)
    assert box[2] == pytest.approx(0.4 * 200, abs=1)


def test_a_widely_spread_hand_gets_a_region_around_all_its_fingers():
    spread = {
        "left_wrist": (700, 300),
        "left_index": (820, 260),
        "left_pinky": (800, 340),
        "left_thumb": (760, 240),
    }
    box = part_regions(pose(FACE, TORSO, spread), FRAME)["left_hand"]
    assert box[2] == pytest.approx(1.3 * 120, abs=1)  # 1.3 x the spread, over 0.4 x 200
    x, y, w, h = box
    for px, py in spread.values():
        assert x <= px <= x + w and y <= py <= y + h


def test_without_a_body_scale_there_are_no_regions():
    assert part_regions(pose({"nose": (100, 100), "left_wrist": (200, 300)}), FRAME) == {}


def test_regions_too_small_for_texture_are_left_out():
    # a far-away person: torso 25 px, so a hand would be 10 px and a head 14 px
    small = {k: (v[0] / 8, v[1] / 8) for k, v in ALL_SEATED.items()}
    regions = part_regions(pose(small), FRAME)
    assert body_scale(pose(small)) == pytest.approx(25.0)
    assert "head" in regions and "left_hand" not in regions and "left_knee" not in regions
    assert all(min(box[2:]) >= MIN_SIDE for box in regions.values())


def test_regions_at_the_frame_edge_are_clipped_to_the_frame():
    height, width = FRAME
    # the person's right side beyond the picture's left edge, heels and toes below its bottom
    edge = pose(FACE, TORSO, SEATED_LEGS, HELD_OUT_HANDS, shift=(-560, 115))
    regions = part_regions(edge, FRAME)
    for part, (x, y, w, h) in regions.items():
        assert x >= 0 and y >= 0 and x + w <= width and y + h <= height, part
    hand = regions["right_hand"]
    assert hand[0] == 0 and hand[2] < 0.4 * 200  # cut at the left edge
    foot = regions["left_foot"]
    assert foot[1] + foot[3] == height and foot[3] < 0.4 * 200  # cut at the bottom
    assert regions["head"][2] == pytest.approx(0.55 * 200, abs=1)  # inside: whole
    # the ankles below the bottom too: the feet are not in the picture, whatever the model says
    lower = part_regions(pose(FACE, TORSO, SEATED_LEGS, HELD_OUT_HANDS, shift=(-560, 125)), FRAME)
    assert "left_foot" not in lower and "right_foot" not in lower and "head" in lower


# --------------------------------------------------------------------------------------------
# grow_box


def test_grow_box_scales_about_the_centre():
    box = (100, 200, 40, 60)
    grown = grow_box(box, 1.5, FRAME)
    assert grown == (90, 185, 60, 90)
    assert np.allclose(centre(grown), centre(box))
    assert grow_box(box, 1.0, FRAME) == box
    assert grow_box(box, 0.5, FRAME) == (110, 215, 20, 30)


def test_grow_box_is_clipped_to_the_frame():
    height, width = FRAME
    assert grow_box((0, 0, 100, 100), 2.0, FRAME) == (0, 0, 150, 150)
    x, y, w, h = grow_box((width - 50, height - 40, 50, 40), 3.0, FRAME)
    assert (x, y) == (width - 100, height - 80)
    assert x + w == width and y + h == height


# --------------------------------------------------------------------------------------------
# conditions from the pose


def test_seated_with_hands_in_the_lap_is_rest_everywhere_but_the_head():
    conditions = part_conditions(SEATED)
    assert set(conditions) == set(BODY_PARTS)
    assert {part: c for part, (c, _) in conditions.items()} == {
        "head": "postural",
        "left_hand": "rest",
        "right_hand": "rest",
        "left_knee": "rest",
        "right_knee": "rest",
        "left_foot": "rest",
        "right_foot": "rest",
    }
    assert posture(SEATED)[0] == "seated"
    assert "seated" in conditions["left_foot"][1] and "thighs" in conditions["left_foot"][1]
    assert "hip" in conditions["left_hand"][1]


def test_arms_held_out_are_postural():
    conditions = part_conditions(pose(FACE, TORSO, SEATED_LEGS, HELD_OUT_HANDS))
    assert conditions["left_hand"][0] == "postural" and conditions["right_hand"][0] == "postural"
    assert conditions["left_knee"][0] == "rest"  # still seated
    assert hand_state(pose(TORSO, HELD_OUT_HANDS), "left")[1].startswith("wrist held at 8 %")


def test_standing_with_hands_hanging():
    standing = pose(FACE, TORSO, STANDING_LEGS, HANGING_HANDS)
    assert posture(standing)[0] == "standing"
    conditions = part_conditions(standing)
    for part in ("left_knee", "right_knee", "left_foot", "right_foot"):
        assert conditions[part][0] == "standing", part
    assert conditions["left_hand"][0] == "rest" and conditions["right_hand"][0] == "rest"
    assert conditions["head"][0] == "postural"


def test_one_hand_up_and_one_down():
    mixed = {"left_wrist": HELD_OUT_HANDS["left_wrist"], "right_wrist": LAP_HANDS["right_wrist"]}
    conditions = part_conditions(pose(TORSO, STANDING_LEGS, mixed))
    assert conditions["left_hand"][0] == "postural" and conditions["right_hand"][0] == "rest"


def test_a_wrist_at_the_chest_is_neither_rest_nor_postural():
    chest = pose(TORSO, {"left_wrist": (680, 300)})  # half way from shoulders to hips
    assert hand_state(chest, "left")[0] == "unknown"
    assert part_conditions(chest)["left_hand"][0] == "unknown"


def test_nothing_to_go_by_is_unknown():
    conditions = part_conditions(pose(FACE))  # a face alone: no torso, no legs
    assert all(c == "unknown" for c, _ in conditions.values()), conditions
    assert "not seen" in conditions["left_hand"][1]


def test_a_body_upside_down_in_the_picture_has_no_hand_state():
    flipped = {k: (x, 600 - y) for k, (x, y) in {**TORSO, **LAP_HANDS}.items()}
    assert hand_state(pose(flipped), "left") == ("unknown", "body not upright in the picture")
