"""PeopleTracker: stable ids for the people found at each chunk start, from synthetic poses."""

import numpy as np
import pytest

from tremorscope.locate.hands import FoundHand, found_hand_box
from tremorscope.locate.people import PeopleTracker, PersonTrack, _match_cost
from tremorscope.locate.pose import LANDMARK_NAMES, PersonPose, landmark_box

FRAME = (720, 1280)  # height, width


def person(x: float, y: float = 150.0, w: float = 120.0, h: float = 400.0) -> PersonPose:
    """A standing figure whose 33 landmarks fill the box (x, y, w, h), all of them seen."""
    rng = np.random.default_rng(int(x * 10 + y))
    points = np.column_stack(
        [rng.uniform(x, x + w, len(LANDMARK_NAMES)), rng.uniform(y, y + h, len(LANDMARK_NAMES))]
    )
    points[0] = [x, y]  # corners pin the box
    points[1] = [x + w, y + h]
    visibility = np.full(len(LANDMARK_NAMES), 0.9)
    return PersonPose(points, visibility, landmark_box(points, FRAME, margin=0.0))


def public_ids(tracker: PeopleTracker, pairs: list[tuple[PersonTrack, PersonPose]]) -> list[int]:
    """The public id of each detection, in the order of the detections' x."""
    ids = tracker.ids()
    return [ids[track.key] for track, pose in sorted(pairs, key=lambda p: p[1].box[0])]


def test_the_synthetic_person_has_the_box_asked_for():
    assert person(300, 100, 120, 400).box == (300, 100, 120, 400)


def test_people_found_together_are_numbered_left_to_right_whatever_the_detection_order():
    tracker = PeopleTracker()
    right, left, middle = person(900), person(100), person(500)
    pairs = tracker.update(0.0, [right, left, middle])
    assert [pose for _, pose in pairs] == [left, middle, right]  # newcomers sorted by x
    assert [track.key for track, _ in pairs] == [0, 1, 2]
    assert public_ids(tracker, pairs) == [1, 2, 3]
    assert [track.first_x for track in tracker.tracks] == pytest.approx([160, 560, 960])
    assert all(track.first_t == 0.0 and track.open for track in tracker.tracks)


def test_ids_go_by_first_appearance_before_left_to_right():
    tracker = PeopleTracker()
    tracker.update(0.0, [person(900)])
    pairs = tracker.update(4.0, [person(905), person(100)])  # a newcomer on the left
    by_x = public_ids(tracker, pairs)
    assert by_x == [2, 1]  # the one on the left came later
    newcomer = next(track for track, pose in pairs if pose.box[0] < 500)
    assert newcomer.first_t == 4.0 and newcomer.key == 1


def test_people_are_followed_across_chunks_in_any_detection_order():
    tracker = PeopleTracker()
    first = tracker.update(0.0, [person(100), person(600)])
    keys = {pose.box[0]: track.key for track, pose in first}
    # the next chunk starts: both moved a little and the detector lists them the other way
    second = tracker.update(4.0, [person(640, 160), person(130, 140)])
    assert len(tracker.tracks) == 2
    matched = {pose.box[0]: track.key for track, pose in second}
    assert matched == {130: keys[100], 640: keys[600]}
    third = tracker.update(8.0, [person(170, 150), person(680, 150)])
    assert {pose.box[0]: track.key for track, pose in third} == {170: keys[100], 680: keys[600]}
    left = tracker.tracks[keys[100]]
    assert [t for t, _ in left.boxes] == [0.0, 4.0, 8.0]
    assert left.last_box == (170, 150, 120, 400)
    assert left.misses == 0


def test_each_detection_is_returned_once_with_its_own_pose_object():
    tracker = PeopleTracker()
    people = [person(100), person(400), person(700)]
    tracker.update(0.0, people)
    again = [person(110), person(410), person(710)]
    pairs = tracker.update(4.0, again)
    assert sorted(id(pose) for _, pose in pairs) == sorted(id(p) for p in again)
    assert len({track.key for track, _ in pairs}) == 3


def test_a_jump_far_beyond_the_box_starts_a_new_person():
    tracker = PeopleTracker()
    tracker.update(0.0, [person(100)])
    pairs = tracker.update(4.0, [person(900)])  # no overlap, shift of several box diagonals
    assert len(tracker.tracks) == 2
    assert pairs[0][0].key == 1
    assert tracker.tracks[0].misses == 1 and tracker.tracks[0].open


def test_an_overlapping_box_continues_the_track_even_when_its_centre_moved_far():
    tracker = PeopleTracker()
    tracker.update(0.0, [person(100, 300, 400, 50)])  # someone lying down: a wide box
    # moved by 210 px, over half the box's diagonal (403 px), but the boxes still overlap by
    # more than the minimum IoU (190 / 610)
    moved = person(310, 300, 400, 50)
    assert _match_cost((100, 300, 400, 50), moved.box) < np.inf
    pairs = tracker.update(4.0, [moved])
    assert len(tracker.tracks) == 1 and pairs[0][0].key == 0
    # the same shift with less overlap is someone else
    tracker.update(8.0, [person(760, 300, 400, 50)])
    assert len(tracker.tracks) == 2


def test_a_cut_closes_every_track_and_the_same_people_get_new_ids():
    tracker = PeopleTracker()
    tracker.update(0.0, [person(100), person(600)])
    tracker.cut()
    assert not any(track.open for track in tracker.tracks)
    pairs = tracker.update(4.0, [person(100), person(600)])  # same places, new shot
    assert sorted(track.key for track, _ in pairs) == [2, 3]
    assert public_ids(tracker, pairs) == [3, 4]
    assert [t for t, _ in tracker.tracks[0].boxes] == [0.0]  # the old tracks got nothing


def test_someone_missed_briefly_keeps_their_track_and_id():
    tracker = PeopleTracker(max_misses=2)
    tracker.update(0.0, [person(100), person(600)])
    for t in (4.0, 8.0):  # the right one is not found twice
        pairs = tracker.update(t, [person(105)])
        assert [track.key for track, _ in pairs] == [0]
    right = tracker.tracks[1]
    assert right.open and right.misses == 2
    back = tracker.update(12.0, [person(105), person(610)])
    assert {pose.box[0]: track.key for track, pose in back} == {105: 0, 610: 1}
    assert right.misses == 0
    assert [t for t, _ in right.boxes] == [0.0, 12.0]
    assert len(tracker.tracks) == 2


def test_someone_away_too_long_comes_back_as_a_new_person():
    tracker = PeopleTracker(max_misses=2)
    tracker.update(0.0, [person(100), person(600)])
    for t in (4.0, 8.0, 12.0):
        tracker.update(t, [person(100)])
    assert not tracker.tracks[1].open  # missed three times: ended
    pairs = tracker.update(16.0, [person(100), person(600)])
    assert {pose.box[0]: track.key for track, pose in pairs} == {100: 0, 600: 2}
    assert tracker.ids() == {0: 1, 1: 2, 2: 3}


def test_nobody_found_counts_as_a_miss_for_everyone():
    tracker = PeopleTracker(max_misses=0)
    tracker.update(0.0, [person(100)])
    assert tracker.update(4.0, []) == []
    assert not tracker.tracks[0].open
    assert tracker.update(8.0, [person(100)])[0][0].key == 1


def test_a_newcomer_beside_a_known_person_does_not_steal_their_track():
    tracker = PeopleTracker()
    tracker.update(0.0, [person(300)])
    pairs = tracker.update(4.0, [person(480), person(310)])  # one close to the old box
    keys = {pose.box[0]: track.key for track, pose in pairs}
    assert keys == {310: 0, 480: 1}


# --------------------------------------------------------------------------------------------
# Known again after a cut, by what they look like


def looking(pose: PersonPose, colour: int) -> PersonPose:
    """The pose with an appearance: every zone one hue bin (people alike share the bin)."""
    from tremorscope.locate.appearance import BINS, Appearance

    hist = np.zeros(BINS, np.float32)
    hist[colour % BINS[0], 2, 2] = 0.8
    hist[(colour + 1) % BINS[0], 1, 2] = 0.2
    pose.appearance = Appearance({"torso": hist, "head": hist})
    return pose


def test_after_a_cut_a_person_who_looks_the_same_keeps_their_id():
    tracker = PeopleTracker(frame_width=1280)
    tracker.update(0.0, [looking(person(100), 1), looking(person(700), 6)])
    tracker.cut()
    # a close-up of the right-hand person: another place and size, the same colours
    pairs = tracker.update(4.0, [looking(person(300, 50, 500, 650), 6)])
    assert [track.person for track, _ in pairs] == [2]
    tracker.cut()
    back = tracker.update(8.0, [looking(person(150), 1), looking(person(750), 6)])
    assert sorted((pose.box[0], track.person) for track, pose in back) == [(150, 1), (750, 2)]
    assert len(tracker.identities) == 2 and not tracker.identities[2].uncertain_of


def test_someone_who_looks_different_is_a_new_person():
    tracker = PeopleTracker(frame_width=1280)
    tracker.update(0.0, [looking(person(100), 1)])
    tracker.cut()
    pairs = tracker.update(4.0, [looking(person(100), 6)])
    assert [track.person for track, _ in pairs] == [2]
    assert not tracker.identities[2].uncertain_of


def test_two_people_alike_are_taken_in_left_to_right_order_when_both_come_back():
    tracker = PeopleTracker(frame_width=1280)
    tracker.update(0.0, [looking(person(100), 3), looking(person(700), 3)])
    tracker.cut()  # reframed: both moved and larger
    pairs = tracker.update(4.0, [looking(person(800, 100, 200, 500), 3), looking(person(50), 3)])
    assert sorted((pose.box[0], track.person) for track, pose in pairs) == [(50, 1), (800, 2)]


def test_one_of_two_people_alike_alone_in_a_close_up_is_not_merged_but_marked_uncertain():
    tracker = PeopleTracker(frame_width=1280)
    tracker.update(0.0, [looking(person(100), 3), looking(person(700), 3)])
    tracker.cut()
    pairs = tracker.update(4.0, [looking(person(300, 50, 500, 650), 3)])
    assert [track.person for track, _ in pairs] == [3]
    assert tracker.identities[3].uncertain_of == [1, 2]


def test_people_without_an_appearance_are_never_merged():
    tracker = PeopleTracker(frame_width=1280)
    tracker.update(0.0, [person(100)])
    tracker.cut()
    assert [track.person for track, _ in tracker.update(4.0, [person(100)])] == [2]


def test_two_people_alike_come_back_as_themselves_after_a_close_up_of_one():
    tracker = PeopleTracker(frame_width=1280)
    tracker.update(0.0, [looking(person(100), 3), looking(person(700), 3)])
    tracker.cut()
    tracker.update(4.0, [looking(person(300, 50, 500, 650), 3)])  # which one? uncertain: 3
    tracker.cut()
    pairs = tracker.update(8.0, [looking(person(820, 90, 150, 450), 3), looking(person(80), 3)])
    assert sorted((pose.box[0], track.person) for track, pose in pairs) == [(80, 1), (820, 2)]
    assert tracker.identities[3].uncertain_of == [1, 2]


def test_people_found_in_a_blend_are_forgotten_and_their_id_taken_again():
    tracker = PeopleTracker(frame_width=1280)
    tracker.update(0.0, [looking(person(100), 1), looking(person(700), 6)])
    tracker.update(3.8, [looking(person(100), 1), looking(person(400), 9), looking(person(700), 6)])
    assert len(tracker.identities) == 3
    # a dissolve is recognised at 4.1 s, having begun at 3.7 s
    assert tracker.forget_since(3.7) == [3]
    assert sorted(tracker.identities) == [1, 2]
    assert all(t < 3.7 for track in tracker.tracks for t, _ in track.boxes)
    tracker.cut()
    pairs = tracker.update(4.5, [looking(person(400), 9)])
    assert [track.person for track, _ in pairs] == [3]


def _hand_alone(x: float, y: float, side: str = "Left") -> FoundHand:
    points = np.array([[x, y]]) + np.random.default_rng(0).uniform(0, 200, (21, 2))
    return FoundHand(points, found_hand_box(points, (1080, 1920)), side, 0.9)


def test_a_hand_alone_stays_one_hand_wherever_it_sweeps_and_never_continues_a_person():
    tracker = PeopleTracker(frame_width=1920.0)
    first = tracker.update(0.0, [_hand_alone(100, 100)])
    far = tracker.update(0.5, [_hand_alone(1500, 800)])  # swept across the view
    assert public_ids(tracker, first) == public_ids(tracker, far) == [1]
    someone = tracker.update(1.0, [person(1500, 600)])  # a person where the hand was
    assert public_ids(tracker, someone) == [2]
    other_side = tracker.update(1.5, [_hand_alone(100, 100, "Right")])
    assert public_ids(tracker, other_side) == [3]  # the other hand: not the same hand alone


def test_after_a_cut_a_hand_alone_is_the_same_hand_alone_again():
    tracker = PeopleTracker(frame_width=1920.0)
    tracker.update(0.0, [_hand_alone(100, 100)])
    tracker.cut()
    again = tracker.update(1.0, [_hand_alone(900, 500)])
    assert public_ids(tracker, again) == [1]
    tracker.cut()
    both = tracker.update(2.0, [person(300, 200), _hand_alone(1500, 100)])
    assert sorted(public_ids(tracker, both)) == [1, 2]  # the hand as before, the person new
