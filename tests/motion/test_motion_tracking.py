"""Sub-pixel region tracking and camera compensation on real textures with known motion."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
import pytest

from tremorscope.analysis.crossregion import mark_camera_rhythms, mark_transmitted
from tremorscope.locate.people import PeopleTracker
from tremorscope.locate.pose import PersonPose, box_iou, landmark_box
from tremorscope.motion.camera import camera_shift
from tremorscope.motion.points import select_background_points, select_points
from tremorscope.motion.robust import robust_mean
from tremorscope.motion.tracking import ReferenceTracker, share
from tremorscope.results import Finding, Quality, Rhythmic, Signature, Twitches
from tremorscope.video import GrayImage


def _texture(seed: int = 0, shape: tuple[int, int] = (360, 480)) -> np.ndarray:
    """A real photograph when matplotlib ships one, else smooth random texture."""
    try:
        import matplotlib.cbook as cbook

        with cbook.get_sample_data("grace_hopper.jpg") as f:
            data = np.frombuffer(f.read(), np.uint8)
        img = cv2.imdecode(data, cv2.IMREAD_GRAYSCALE)
        return cv2.resize(img, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    except (ImportError, OSError, ValueError):  # pragma: no cover - matplotlib comes with mediapipe
        rng = np.random.default_rng(seed)
        noise = rng.normal(128, 60, shape).astype(np.float32)
        return np.clip(cv2.GaussianBlur(noise, (0, 0), 2.0), 0, 255).astype(np.uint8)


def _shift(img: np.ndarray, dx: float, dy: float, box: tuple[int, int, int, int] | None = None):
    """Shift the whole image, or only the content of a box, by a sub-pixel amount."""
    m = np.float32([[1, 0, dx], [0, 1, dy]])
    moved = cv2.warpAffine(
        img, m, img.shape[::-1], flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT101
    )
    if box is None:
        return moved
    out = img.copy()
    x, y, w, h = box
    out[y : y + h, x : x + w] = moved[y : y + h, x : x + w]
    return out


def test_region_displacement_is_recovered_to_a_twentieth_of_a_pixel():
    ref = _texture()
    box = (180, 120, 100, 100)
    inner = (195, 135, 70, 70)  # points well inside the moving box
    tracker = ReferenceTracker(ref, {"r": select_points(ref, inner)}, np.zeros((0, 2)))
    errors = []
    for dx, dy in [(0.3, 0.0), (0.7, -0.4), (-1.2, 0.5), (2.5, 1.5), (0.0, 0.0)]:
        motion = tracker.track(_shift(ref, dx, dy, box))
        errors.append(np.abs(motion.regions["r"] - [dx, dy]).max())
    assert max(errors) < 0.05, errors


def test_large_jumps_are_followed_and_small_motion_stays_exact_after_them():
    # 12 px in one frame is beyond the cheap search near the last position: the full pyramid
    # must take over, and back near the reference the exact refinement must return.
    ref = _texture()
    box = (150, 100, 160, 160)
    inner = (190, 140, 80, 80)
    tracker = ReferenceTracker(ref, {"r": select_points(ref, inner)}, np.zeros((0, 2)))
    for dx, dy in [(0.4, 0.2), (12.0, -7.0), (18.0, -9.5), (6.3, 3.1), (0.25, -0.35)]:
        motion = tracker.track(_shift(ref, dx, dy, box))
        assert np.abs(motion.regions["r"] - [dx, dy]).max() < 0.1, (dx, dy, motion.regions["r"])
    assert not tracker.detached.any()


def test_camera_shake_is_removed_from_a_still_region_and_kept_for_a_moving_one():
    ref = _texture()
    still, moving = (40, 40, 90, 90), (300, 200, 100, 100)
    regions = {"still": select_points(ref, still), "moving": select_points(ref, (310, 210, 80, 80))}
    background = select_background_points(ref, [still, moving])
    assert len(background) >= 40
    tracker = ReferenceTracker(ref, regions, background)
    assert tracker.compensates
    for cam, own in [((1.3, -0.8), (0.6, 0.0)), ((-2.0, 1.0), (-0.5, 0.4)), ((0.4, 0.4), (0, 0))]:
        frame = _shift(_shift(ref, *own, moving), *cam)  # the region moves, then the camera
        motion = tracker.track(frame)
        assert np.abs(motion.regions["still"]).max() < 0.06
        assert np.abs(motion.regions["moving"] - own).max() < 0.08
        assert np.abs(motion.raw["still"] - cam).max() < 0.08  # where it is in the image


def _to_video_range(img: np.ndarray) -> np.ndarray:
    """Full-range grey as most H.264 stores it: 16-235."""
    return np.round(16 + img.astype(np.float32) * 219 / 255).astype(np.uint8)


def _shaken_scene(ref: np.ndarray, still: tuple, moving: tuple) -> list[np.ndarray]:
    frames = []
    for cam, own in [((1.3, -0.8), (0.6, 0.0)), ((-2.0, 1.0), (-0.5, 0.4)), ((9.0, 4.0), (0, 0))]:
        frames.append(_shift(_shift(ref, *own, moving), *cam))
    return frames


def test_a_helper_thread_and_a_video_range_plane_give_the_same_measurement():
    # The tracker splits a frame's work between the caller's thread and a helper, and follows
    # the luma plane as decoded (16-235) with its texture threshold scaled: neither may change
    # what it measures.
    ref = _texture()
    still, moving = (40, 40, 90, 90), (300, 200, 100, 100)
    regions = {"still": select_points(ref, still), "moving": select_points(ref, (310, 210, 80, 80))}
    background = select_background_points(ref, [still, moving])
    frames = _shaken_scene(ref, still, moving)

    def measure(reference, images, helper=None):
        tracker = ReferenceTracker(reference, regions, background, helper)
        return [tracker.track(image) for image in images]

    alone = measure(ref, frames)
    with ThreadPoolExecutor(max_workers=1) as helper:
        shared = measure(ref, frames, helper)
    limited = measure(
        GrayImage(_to_video_range(ref), limited_range=True),
        [GrayImage(_to_video_range(f), limited_range=True) for f in frames],
    )
    for a, b, c in zip(alone, shared, limited, strict=True):
        for key in regions:
            assert np.array_equal(a.regions[key], b.regions[key])
            assert np.abs(a.regions[key] - c.regions[key]).max() < 0.03
        assert np.array_equal(a.camera, b.camera)
    assert np.abs(limited[1].regions["moving"] - [-0.5, 0.4]).max() < 0.08


def test_points_on_a_low_contrast_video_range_plane_are_kept():
    # A faint texture in video range: the plane's steps are 219/255 of full range, so a
    # threshold left in full-range units would drop points that full-range grey keeps.
    faint = (128 + (_texture().astype(np.float32) - 128) * 0.06).astype(np.uint8)
    box = (180, 120, 100, 100)
    points = {"r": select_points(faint, (195, 135, 70, 70))}
    moved = _shift(faint, 0.5, 0.0, box)
    full = ReferenceTracker(faint, points, np.zeros((0, 2)))
    full.track(moved)
    plane = ReferenceTracker(GrayImage(_to_video_range(faint), True), points, np.zeros((0, 2)))
    plane.track(GrayImage(_to_video_range(moved), True))
    assert plane.alive.sum() >= full.alive.sum() - 1


def test_share_runs_every_job_once_and_raises_a_helper_error():
    done: list[int] = []
    with ThreadPoolExecutor(max_workers=1) as helper:
        share([lambda i=i: done.append(i) for i in range(50)], helper)
        assert sorted(done) == list(range(50))

        def broken() -> None:
            raise ValueError("job failed")

        with pytest.raises(ValueError, match="job failed"):
            share([broken] * 4, helper)


def test_without_background_texture_there_is_no_compensation():
    ref = _texture()
    tracker = ReferenceTracker(ref, {"r": select_points(ref, (100, 100, 80, 80))}, np.zeros((3, 2)))
    assert not tracker.compensates
    motion = tracker.track(_shift(ref, 1.0, 0.0))
    assert motion.camera is None
    assert abs(motion.regions["r"][0] - 1.0) < 0.05  # camera motion stays in the region


def test_robust_mean_ignores_a_few_lost_points():
    rng = np.random.default_rng(1)
    good = rng.normal([0.5, -0.2], 0.02, (40, 2))
    bad = rng.normal([8.0, 5.0], 1.0, (5, 2))
    assert np.allclose(robust_mean(np.vstack([good, bad])), [0.5, -0.2], atol=0.02)


def test_boxes_and_people_ids_follow_left_to_right_order():
    assert landmark_box(np.array([[10, 20], [30, 60]]), (100, 100), margin=0.0) == (10, 20, 20, 40)
    assert box_iou((0, 0, 10, 10), (5, 0, 10, 10)) == pytest.approx(1 / 3)

    def person(x: float) -> PersonPose:
        pts = np.array([[x, 100.0], [x + 50, 300.0]])
        return PersonPose(pts, np.ones(2), landmark_box(pts, (480, 640), 0.0))

    tracker = PeopleTracker()
    first = tracker.update(0.0, [person(400), person(50)])  # found right one first
    ids = tracker.ids()
    assert [ids[t.key] for t, p in first if p.box[0] < 200] == [1]
    again = tracker.update(2.0, [person(55), person(405)])
    assert {ids[t.key] for t, p in again if p.box[0] < 200} == {1}
    assert {ids[t.key] for t, p in again if p.box[0] > 200} == {2}
    tracker.cut()
    after_cut = tracker.update(4.0, [person(55)])
    assert after_cut[0][0].key == 2  # a new track after a cut


def _finding(freq: float | None, amp: float | None, kind: str = "tremor") -> Finding:
    rhythmic = Rhythmic(
        detected=freq is not None,
        kind=kind if freq else "none",
        frequency_hz=freq,
        amplitude=amp,
        amplitude_unit="px",
    )
    return Finding(
        rhythmic=rhythmic,
        twitches=Twitches(count=0, rate_per_min=0.0),
        signature=Signature(),
        quality=Quality(),
    )


def test_camera_rhythm_left_after_compensation_is_labelled_camera():
    findings = {"foot": _finding(5.0, 1.0), "hand": _finding(6.1, 0.05)}
    camera = _finding(6.0, 1.2)
    assert mark_camera_rhythms(findings, camera, compensated=True) == ["hand"]
    assert findings["hand"].rhythmic.kind == "camera"
    assert findings["foot"].rhythmic.kind == "tremor"


def test_a_rhythm_shared_by_every_region_without_background_is_the_camera():
    findings = {n: _finding(4.0 + 0.05 * i, 0.5) for i, n in enumerate("abcd")}
    findings["e"] = _finding(None, None)
    changed = mark_camera_rhythms(findings, None, compensated=False)
    assert sorted(changed) == list("abcd")
    one = {"a": _finding(4.0, 0.5), "b": _finding(None, None), "c": _finding(None, None)}
    assert mark_camera_rhythms(one, None, compensated=False) == []


def test_small_same_frequency_rhythm_is_transmitted_from_the_large_one():
    parts = {
        "left_hand": _finding(2.9, 6.0, "voluntary"),
        "head": _finding(2.95, 0.2),
        "right_foot": _finding(5.0, 0.3),
    }
    assert mark_transmitted(parts) == ["head"]
    assert parts["head"].rhythmic.kind == "transmitted"
    assert "transmitted" in parts["head"].quality.flags
    assert parts["right_foot"].rhythmic.kind == "tremor"


def test_a_tiny_rhythm_at_a_harmonic_of_a_large_movement_is_transmitted():
    parts = {
        "left_hand": _finding(2.9, 8.0, "voluntary"),
        "head": _finding(5.81, 0.12),  # 1.5 %: the movement's second harmonic passed on
        "left_foot": _finding(5.9, 1.4),  # 17 %: a tremor of its own at that frequency
    }
    assert mark_transmitted(parts) == ["head"]
    assert "harmonic 2" in parts["head"].rhythmic.kind_reasons[0]
    assert parts["left_foot"].rhythmic.kind == "tremor"


def test_sample_photo_exists_for_the_tracking_tests():
    import matplotlib.cbook as cbook

    assert Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).exists()


def test_scale_from_shoulders_takes_the_frontal_width_and_the_adult_range():
    from tremorscope.analysis.scale import SHOULDER_CM, apply_scale, scale_from_shoulders

    scale = scale_from_shoulders([300.0, 360.0, 355.0, 250.0, 358.0])  # turned: narrower
    assert scale.px_per_cm == pytest.approx(
        np.percentile([300, 360, 355, 250, 358], 90) / SHOULDER_CM, rel=1e-3
    )
    lo, hi = scale.px_per_cm_ci
    assert lo < scale.px_per_cm < hi and hi / lo == pytest.approx(1.39, abs=0.05)
    assert scale_from_shoulders([]) is None
    finding = _finding(5.0, 2.0)
    apply_scale(finding, scale)
    r = finding.rhythmic
    assert r.amplitude_cm == pytest.approx(2.0 / scale.px_per_cm, rel=1e-3)
    assert r.amplitude_cm_ci[0] < r.amplitude_cm < r.amplitude_cm_ci[1]


def test_a_given_scale_is_exact():
    from tremorscope.analysis.scale import apply_scale, scale_given

    finding = _finding(5.0, 3.0)
    apply_scale(finding, scale_given(12.0))
    assert finding.rhythmic.amplitude_cm == pytest.approx(0.25)
    assert finding.rhythmic.amplitude_cm_ci == (0.25, 0.25)
    with pytest.raises(ValueError):
        scale_given(0.0)


def _pose(points: dict[str, tuple[float, float]]) -> PersonPose:
    from tremorscope.locate.pose import LANDMARK_NAMES

    pts = np.zeros((33, 2))
    vis = np.zeros(33)
    for name, xy in points.items():
        i = LANDMARK_NAMES.index(name)
        pts[i], vis[i] = xy, 1.0
    return PersonPose(pts, vis, (0, 0, 10, 10))


_TORSO = {
    "left_shoulder": (260, 100),
    "right_shoulder": (140, 100),
    "left_hip": (240, 300),
    "right_hip": (160, 300),
}


def test_seated_and_standing_from_thigh_and_shin_lengths():
    from tremorscope.locate.context import posture

    seated = _pose(
        {
            **_TORSO,
            "left_knee": (245, 350),
            "left_ankle": (245, 500),
            "right_knee": (155, 350),
            "right_ankle": (155, 500),
        }
    )
    standing = _pose(
        {
            **_TORSO,
            "left_knee": (240, 460),
            "left_ankle": (240, 620),
            "right_knee": (160, 460),
            "right_ankle": (160, 620),
        }
    )
    assert posture(seated)[0] == "seated"
    assert posture(standing)[0] == "standing"
    assert posture(_pose(_TORSO))[0] == "unknown"


def test_hand_resting_on_the_lap_or_held_up():
    from tremorscope.locate.context import hand_state, part_conditions

    pose = _pose({**_TORSO, "left_wrist": (250, 290), "right_wrist": (120, 110)})
    assert hand_state(pose, "left")[0] == "resting"
    assert hand_state(pose, "right")[0] == "raised"
    conditions = part_conditions(pose)
    assert conditions["left_hand"][0] == "rest" and conditions["right_hand"][0] == "postural"
    assert conditions["left_foot"][0] == "unknown"  # legs not seen


def test_similarity_fit_recovers_shift_rotation_and_zoom():
    from tremorscope.motion.camera import similarity_fit

    rng = np.random.default_rng(3)
    src = rng.uniform(0, 500, (50, 2))
    angle, zoom = np.deg2rad(1.5), 1.02
    a, b = zoom * np.cos(angle), zoom * np.sin(angle)
    truth = np.array([[a, -b, 3.2], [b, a, -1.7]])
    dst = src @ truth[:, :2].T + truth[:, 2]
    assert np.allclose(similarity_fit(src, dst), truth, atol=1e-9)


def test_a_few_background_points_moving_below_the_ransac_threshold_do_not_move_the_camera():
    # The floor beside a trembling foot moves with it (the injector moves the whole box; real
    # skin pulls on socks and trousers): a tenth of the background, 0.8 px, inside RANSAC's
    # 1 px tolerance. The camera must stay still all the same.
    ref = _texture()
    background = select_background_points(ref, [(200, 150, 60, 60)])
    near = (background[:, 0] < 160) & (background[:, 1] < 140)
    assert 0.05 < near.mean() < 0.3
    box = (0, 0, 160, 140)
    tracker = ReferenceTracker(ref, {}, background)
    for dx in [0.8, -0.8, 0.5, -0.3]:
        motion = tracker.track(_shift(ref, dx, 0.0, box))
        assert np.abs(camera_shift(motion.camera, (240, 180))).max() < 0.02, dx


def test_warm_up_runs_every_compiled_search_of_the_pass():
    # in a fresh process: the tests before have run the kernels already
    code = (
        "from tremorscope.motion import kernels, robust, tracking\n"
        "tracking.warm_up()\n"
        "compiled = [kernels._cut_windows, kernels._follow_groups, kernels._settle,\n"
        "            robust._group_means]\n"
        "print(' '.join(str(len(k.signatures)) for k in compiled))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = [int(n) for n in done.stdout.split()]
    assert len(loaded) == 4 and min(loaded) >= 1, loaded
