"""Movement kinds on real footage as people have it: VisionMD's finger-tapping clip re-encoded.

``../shared/realdata/visionmd/FT_L.mp4`` (a healthy woman tapping with her left hand, 1080x1920
at 59.94 fps) is re-encoded as a messaging app would (720x1280, 30 fps, crf 26) with
``tremorscope.synth``; known motion is injected into its resting body parts. Skipped where the
shared recordings are absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tremorscope.api import analyze_video
from tremorscope.locate.pose import PoseDetector
from tremorscope.locate.regions import part_regions
from tremorscope.synth.motion import CameraMove, Injection, Oscillation, Twitch
from tremorscope.synth.video import inject_video
from tremorscope.video import iter_frames

EVERYDAY = {"resize_to_height": 1280, "fps": 30.0, "crf": 26, "preset": "veryfast"}


@pytest.fixture(scope="module")
def tapping(tmp_path_factory: pytest.TempPathFactory) -> dict:
    source = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "visionmd" / "FT_L.mp4"
    if not source.exists():
        pytest.skip("../shared/realdata is not present")
    folder = tmp_path_factory.mktemp("ft_l")
    plain = folder / "ft_l_720p30_crf26.mp4"
    inject_video(source, plain, [], **EVERYDAY)
    frame = next(iter_frames(plain))
    with PoseDetector(max_people=1) as detector:
        (person,) = detector.detect(frame.rgb())
    return {
        "source": source,
        "plain": plain,
        "folder": folder,
        "boxes": part_regions(person, frame.gray.shape),
    }


def _healthy(result) -> None:
    """No tremor anywhere, and every rating 0 or not assessable."""
    person = result.people[0]
    assert [n for n, f in person.body_parts.items() if f.kind == "tremor"] == []
    assert [i.item for i in person.ratings if i.assessable and i.score] == []


def test_finger_tapping_is_voluntary_and_never_rated(tapping):
    result = analyze_video(tapping["plain"])
    person = result.people[0]
    assert person.body_parts["left_hand"].kind == "voluntary"
    assert any(
        "palm lengths" in why for why in person.body_parts["left_hand"].rhythmic.kind_reasons
    )
    signature = person.body_parts["left_hand"].signature
    assert signature.closest is None and "not compared" in signature.statement
    _healthy(result)
    left = next(i for i in person.ratings if i.item == "3.15" and i.body_part == "left_arm")
    assert not left.assessable


def test_a_smooth_zoom_makes_no_rhythm(tapping):
    zoomed = tapping["folder"] / "zoom.mp4"
    inject_video(tapping["source"], zoomed, [], camera=CameraMove(1.0, 1.3), **EVERYDAY)
    _healthy(analyze_video(zoomed))


def test_a_wandering_rest_tremor_of_the_resting_hand_is_tremor_beside_the_tapping(tapping):
    path = tapping["folder"] / "rest_tremor.mp4"
    tremor = Oscillation(5.0, 2.0, 30.0, frequency_sd_hz=0.25, amplitude_modulation=0.4, seed=3)
    hand = Injection("right_hand", tapping["boxes"]["right_hand"], [tremor])
    truth = inject_video(tapping["source"], path, [hand], **EVERYDAY)
    injected = truth.oscillations[0]
    person = analyze_video(path).people[0]
    r = person.body_parts["right_hand"].rhythmic
    assert r.kind == "tremor" and r.kind_confidence >= 0.5
    assert abs(r.frequency_hz - injected.mean_frequency_hz) <= 0.3
    assert r.amplitude == pytest.approx(injected.rms_px, rel=0.2)
    assert person.body_parts["left_hand"].kind == "voluntary"
    rue = next(i for i in person.ratings if i.item == "3.17" and i.body_part == "right_arm")
    assert rue.assessable and rue.score >= 1


def test_jerks_of_a_resting_foot_are_twitches(tapping):
    path = tapping["folder"] / "foot_twitches.mp4"
    times = (1.5, 3.5, 5.5)
    jerks = [Twitch(t, 4.0, 90.0, duration_s=0.15) for t in times]
    inject_video(
        tapping["source"],
        path,
        [Injection("right_foot", tapping["boxes"]["right_foot"], [], jerks)],
        **EVERYDAY,
    )
    result = analyze_video(path)
    foot = result.people[0].body_parts["right_foot"]
    assert foot.kind == "twitch"
    assert len(foot.twitches.events) == len(times)
    assert all(any(abs(e.t - t) <= 0.2 for e in foot.twitches.events) for t in times)
    _healthy(result)


def test_a_vibration_under_the_floor_is_reported_with_its_frequency_never_as_tremor(tapping):
    """A region drawn on the carpet, vibrating by 0.07 px RMS: shown, not detected, not tremor."""
    path = tapping["folder"] / "carpet.mp4"
    box = (20, 1080, 160, 160)
    shake = Oscillation(7.0, 0.1, 0.0)
    settings = {**EVERYDAY, "crf": 18}
    inject_video(tapping["source"], path, [Injection("carpet", box, [shake])], **settings)
    result = analyze_video(path, regions=[("carpet", box)], find_people=False)
    finding = result.regions[0].finding
    assert not finding.rhythmic.detected and finding.kind == "none"
    assert "below_measurement_floor" in finding.quality.flags
    assert finding.rhythmic.frequency_hz == pytest.approx(7.0, abs=0.1)
    assert 0.02 < finding.rhythmic.amplitude < 0.1


def test_what_an_opening_hand_shakes_elsewhere_is_transmitted():
    """HM_R as recorded (1080x1920, 59.94 fps): the right hand opens and closes; the head and
    the other side move a little at its frequency."""
    source = Path(__file__).resolve().parents[3] / "shared" / "realdata" / "visionmd" / "HM_R.mp4"
    if not source.exists():
        pytest.skip("../shared/realdata is not present")
    parts = analyze_video(source).people[0].body_parts
    assert parts["right_hand"].kind == "voluntary"
    passed_on = [n for n, f in parts.items() if f.kind == "transmitted"]
    assert "head" in passed_on
    f_hand = parts["right_hand"].rhythmic.frequency_hz
    assert all(abs(parts[n].rhythmic.frequency_hz - f_hand) <= 0.5 for n in passed_on)
    assert all(f.kind != "tremor" for f in parts.values())
