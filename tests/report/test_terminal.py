"""The terminal summary (rich): what a reader of the console sees for a sensor and a video."""

import io

import numpy as np
import pytest
from rich.console import Console

from tremorscope import analyze_signal
from tremorscope.report.kinds import KIND_LABELS, KIND_WORDS
from tremorscope.report.terminal import describe_rhythm, print_analysis
from tremorscope.results import (
    Analysis,
    Camera,
    Finding,
    Group,
    Person,
    Quality,
    RatingItem,
    RegionKey,
    Rhythmic,
    Signature,
    Source,
    Twitches,
)

DISCLAIMER = "A measurement of movement, not a diagnosis."


def printed(analysis: Analysis) -> str:
    """What print_analysis shows on a 100-column console, whitespace runs made one space."""
    console = Console(file=io.StringIO(), width=100, color_system=None)
    print_analysis(analysis, console)
    return " ".join(console.file.getvalue().split())


@pytest.fixture(scope="module")
def sensor() -> Analysis:
    t = np.arange(3000) / 100.0
    x = np.sin(2 * np.pi * 6.0 * t) + 0.05 * np.random.default_rng(0).standard_normal(t.size)
    return analyze_signal(x, rate_hz=100.0, context="rest")


def test_a_sensor_analysis_shows_the_rhythm_its_kind_and_the_disclaimer(sensor):
    r = sensor.dominant.rhythmic
    assert r.detected and r.frequency_hz == pytest.approx(6.0, abs=0.05)
    text = printed(sensor)
    assert "tremorscope" in text and "<array>" in text
    assert "30.0 s at 100 Hz" in text
    lo, hi = r.frequency_ci_hz
    main = (
        f"Main finding ({sensor.dominant_group}): {KIND_WORDS[r.kind]} at {r.frequency_hz:.2f} Hz"
    )
    assert main in text
    assert f"(95 % {lo:.2f}-{hi:.2f})" in text
    assert f"{100 * r.constancy:.0f} % of the time" in text
    assert r.kind == "tremor" and "tremor-like rhythm at 6.0" in text
    assert f"Twitches: {sensor.dominant.twitches.count}" in text
    assert sensor.dominant.signature.closest in text
    assert sensor.disclaimer in text


def test_a_sensor_recording_without_rhythm_has_no_main_rhythm():
    noise = np.random.default_rng(1).standard_normal(3000)
    analysis = analyze_signal(noise, rate_hz=100.0)
    text = printed(analysis)
    assert "tremor-like rhythm at" not in text
    assert DISCLAIMER in text
    assert "│ signal │ none │ - │ - │ - │ 0 (0.0/min) │ - │" in text  # the table's row
    assert "Main finding (signal): no rhythm stands out of the noise." in text
    assert "No rhythm to compare with tremor types." in text


def quiet() -> Finding:
    return Finding(
        rhythmic=Rhythmic(detected=False),
        twitches=Twitches(count=0, rate_per_min=0.0, unit="px"),
        signature=Signature(),
        quality=Quality(),
    )


def foot_tremor() -> Finding:
    return Finding(
        rhythmic=Rhythmic(
            detected=True,
            kind="tremor",
            kind_reasons=["steady rhythm while the foot rests"],
            frequency_hz=4.73,
            frequency_ci_hz=(4.61, 4.85),
            amplitude=2.5,
            amplitude_unit="px",
            amplitude_cm=0.31,
            constancy=0.82,
        ),
        twitches=Twitches(count=3, rate_per_min=9.0, unit="px"),
        signature=Signature(
            context="rest",
            closest="Parkinsonian rest tremor",
            statement="Closest resemblance: Parkinsonian rest tremor.",
        ),
        quality=Quality(messages=["compression may shrink the size"]),
    )


def video_analysis(dominant: bool = True) -> Analysis:
    foot, head = foot_tremor(), quiet()
    keys = {
        "left_foot": RegionKey.body_part(1, "left_foot"),
        "head": RegionKey.body_part(1, "head"),
    }
    groups = [
        Group(name=key.name, channels=["x", "y"], kind="position", unit="px", finding=f, key=key)
        for key, f in ((keys["head"], head), (keys["left_foot"], foot))
    ]
    return Analysis(
        source=Source(
            path="walk.mp4",
            kind="video",
            duration_s=12.0,
            sample_rate_hz=30.0,
            fps=30.0,
            width=1280,
            height=720,
            frame_count=360,
        ),
        groups=groups,
        dominant=foot if dominant else None,
        dominant_group="person1.left_foot" if dominant else None,
        people=[
            Person(
                id=1,
                box=(100, 50, 400, 600),
                first_seen_s=0.0,
                last_seen_s=12.0,
                body_parts={"head": head, "left_foot": foot},
                ratings=[
                    RatingItem(
                        item="3.17",
                        label="3.17 Rest tremor amplitude, left lower extremity",
                        body_part="left_leg",
                        assessable=True,
                        score=1,
                        score_range=(1, 2),
                    ),
                    RatingItem(item="3.18", label="3.18 Constancy of rest", assessable=False),
                ],
            )
        ],
        camera=Camera(compensated_share=0.95, max_shift_px=3.2),
    )


def test_a_video_analysis_names_the_person_the_body_part_and_the_rhythm():
    text = printed(video_analysis())
    assert "walk.mp4" in text
    assert "1280x720, 30 fps, 12.0 s, 360 frames" in text and "1 person(s)" in text
    assert "camera motion measured and removed in 95 % of the video" in text
    # the table: one row per body part, the foot's rhythm in a word or two
    assert f"P1 left foot {KIND_LABELS['tremor']} 4.73 Hz 2.5 px (3.1 mm) 82 % 3" in text
    assert "P1 head - " in text
    # the main finding in a sentence
    assert (
        "Main finding (person1.left_foot): tremor-like rhythm at 4.73 Hz (95 % 4.61-4.85), "
        "RMS 2.5 px, present 82 % of the time." in text
    )
    assert "steady rhythm while the foot rests" in text
    assert "Twitches: 3 (9.0 per minute)." in text
    assert "limit: compression may shrink the size" in text
    assert "P1 MDS-UPDRS-style estimates: 3.17 LLE=1 (1-2) (1 not assessable" in text
    assert DISCLAIMER in text and "not evidence of a disease" in text


def test_a_video_without_any_finding_says_so():
    text = printed(video_analysis(dominant=False))
    assert "No rhythm and no twitch stands out in any region." in text
    assert "Main finding" not in text
    assert DISCLAIMER in text


@pytest.mark.parametrize("kind", ["voluntary", "transmitted", "camera", "undetermined"])
def test_each_kind_has_its_own_words(kind):
    finding = foot_tremor()
    finding.rhythmic.kind = kind
    sentence = describe_rhythm(finding)
    assert sentence.startswith(f"{KIND_WORDS[kind]} at 4.73 Hz")
    assert "tremor-like" not in sentence
    analysis = video_analysis()
    analysis.people[0].body_parts["left_foot"].rhythmic.kind = kind
    assert f"P1 left foot {KIND_LABELS[kind]} 4.73 Hz" in printed(analysis)


def test_a_finding_without_a_rhythm_is_described_as_such():
    assert describe_rhythm(quiet()) == "no rhythm stands out of the noise"


def test_with_only_a_voluntary_movement_it_names_it_and_no_main_finding():
    analysis = video_analysis(dominant=False)
    analysis.people[0].body_parts["left_foot"].rhythmic.kind = "voluntary"
    text = printed(analysis)
    assert "No involuntary rhythm and no twitch stands out; a voluntary movement in person " in text
    assert "1's left foot." in text
    assert "Main finding" not in text
