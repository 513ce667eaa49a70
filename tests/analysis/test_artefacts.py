"""What video can't vouch for (analysis/artefacts.py): floors, the encoder's cycle, video jumps."""

from __future__ import annotations

import numpy as np
import pytest

from tremorscope.analysis.artefacts import (
    apply_floor,
    camera_jumps,
    encoding_cycle_hz,
    withdraw_encoding_cycle,
    withdraw_simultaneous_jumps,
    withdraw_small_twitches,
)
from tremorscope.config import VideoConfig
from tremorscope.results import (
    Finding,
    Quality,
    Rhythmic,
    Signature,
    Twitches,
    TwitchEvent,
)
from tremorscope.video import iter_frames

VIDEO = VideoConfig()


def _group(freq: float | None = None, amp: float | None = None, twitches=()) -> Finding:
    events = [TwitchEvent(t=t, size=size, duration_s=0.1) for t, size in twitches]
    finding = Finding(
        rhythmic=Rhythmic(
            detected=freq is not None,
            kind="tremor" if freq else "none",
            frequency_hz=freq,
            amplitude=amp,
            amplitude_unit="px",
        ),
        twitches=Twitches(
            count=len(events), rate_per_min=10.0 * len(events), events=events, unit="px"
        ),
        signature=Signature(),
        quality=Quality(),
    )
    return finding


def test_encoding_cycle_of_three_b_frames_at_30_fps_is_7_5_hz():
    assert encoding_cycle_hz("I" + "BBBP" * 40, 30.0) == [7.5]
    assert encoding_cycle_hz("I" + "BBP" * 50, 30.0) == [10.0]
    assert encoding_cycle_hz("IBP" * 3 + "P" * 100, 25.0) == []  # no B frames: no cycle
    assert encoding_cycle_hz("?" * 200, 30.0) == []  # types unknown
    assert encoding_cycle_hz("I" + "BP" * 60, 30.0) == []  # at Nyquist: never seen


def test_the_cycle_is_read_from_real_x264_output(carphone):
    frames = list(iter_frames(carphone.base))
    types = "".join(f.picture_type for f in frames)
    assert types[0] == "I" and "BBBP" in types  # libx264's default: three B frames
    fps = 1 / np.median(np.diff([f.t for f in frames]))
    assert encoding_cycle_hz(types, fps) == pytest.approx([fps / 4])


def test_a_small_rhythm_at_the_encoders_cycle_is_withdrawn_with_its_frequency_kept():
    findings = {"knee": _group(7.51, 0.15), "foot": _group(7.51, 1.2), "hand": _group(6.0, 0.15)}
    given = dict(findings)
    findings = withdraw_encoding_cycle(findings, [7.5], VIDEO)
    knee = findings["knee"]
    assert not knee.rhythmic.detected and knee.rhythmic.frequency_hz == pytest.approx(7.51)
    assert "encoding_cycle" in knee.quality.flags and knee.kind == "none"
    assert findings["foot"].rhythmic.detected  # too large for the encoder
    assert findings["hand"].rhythmic.detected  # another frequency
    assert given["knee"].rhythmic.detected and findings["foot"] is given["foot"]


def test_a_rhythm_a_little_larger_than_the_encoders_artefacts_is_undetermined():
    size = 0.5 * (VIDEO.encoding_artefact_max_px + VIDEO.encoding_doubt_max_px)
    findings = {"hand": _group(7.52, size), "foot": _group(7.52, VIDEO.encoding_doubt_max_px)}
    findings = withdraw_encoding_cycle(findings, [7.5], VIDEO)
    hand = findings["hand"].rhythmic
    assert hand.detected and hand.kind == "undetermined" and hand.kind_confidence == 0.5
    assert "encoding_cycle" in findings["hand"].quality.flags
    assert "the compression's or a movement" in hand.kind_reasons[0]
    assert findings["foot"].rhythmic.kind == "tremor"  # as large as a movement


def test_an_undetermined_rhythm_stays_undetermined_when_kinds_are_decided():
    from tremorscope.analysis.kinds import decide_kinds

    finding = _group(7.52, 0.5)
    finding.rhythmic.kind = "undetermined"
    finding.rhythmic.constancy = 0.9
    finding.rhythmic.peak_to_background_db = 20.0
    parts = {"right_hand": finding}
    decide_kinds(parts, {}, None)
    assert parts["right_hand"].rhythmic.kind == "undetermined"


def test_floor_keeps_the_frequency_of_what_it_withdraws():
    given = {"a": _group(4.0, 0.5 * VIDEO.min_rhythm_px), "b": _group(4.0, 0.5)}
    findings = apply_floor(given, VIDEO)
    a = findings["a"]
    assert not a.rhythmic.detected and a.rhythmic.frequency_hz == 4.0
    assert a.rhythmic.amplitude == pytest.approx(0.05)
    assert "below_measurement_floor" in a.quality.flags
    assert findings["b"].rhythmic.detected
    assert given["a"].rhythmic.detected  # a new finding: the one given is left as it was


def test_twitches_obey_a_floor():
    findings = {"a": _group(twitches=[(1.0, 0.5 * VIDEO.min_twitch_px), (2.0, 1.0)])}
    findings = withdraw_small_twitches(findings, VIDEO)
    tw = findings["a"].twitches
    assert tw.count == 1 and tw.events[0].t == 2.0 and tw.rate_per_min == 10.0


def test_a_jump_in_every_region_at_once_is_a_video_event():
    findings = {n: _group(twitches=[(3.0 + 0.01 * i, 1.0)]) for i, n in enumerate("abcd")}
    findings["e"] = _group(twitches=[(5.0, 1.0)])
    findings = withdraw_simultaneous_jumps(findings, None, VIDEO)
    assert all(findings[n].twitches.count == 0 for n in "abcd")
    assert "video_event" in findings["a"].quality.flags
    assert findings["e"].twitches.count == 1


def test_a_twitch_while_the_camera_jumps_is_the_cameras():
    times = np.arange(0, 6, 1 / 30)
    camera = np.zeros((len(times), 2))
    camera[times >= 3.0] = [1.2, 0.0]  # a digital zoom's crop steps by a pixel at 3 s
    findings = {"a": _group(twitches=[(3.0, 1.0)]), "b": _group(twitches=[(4.5, 1.0)])}
    findings = withdraw_simultaneous_jumps(findings, None, VIDEO, times, camera_jumps(camera))
    assert findings["a"].twitches.count == 0
    assert findings["b"].twitches.count == 1


def test_camera_jumps_are_frame_to_frame_distances():
    jumps = camera_jumps(np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 4.0], [np.nan, 0.0]]))
    assert jumps[:3].tolist() == [0.0, 5.0, 0.0] and np.isnan(jumps[3])
