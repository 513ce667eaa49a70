"""Real patient recordings from ../shared/realdata; skipped where that folder is absent."""

import csv

import pytest

from tremorscope import analyze_signal


def _mocap_reference(realdata, pid):
    with open(realdata / "kiel" / "reference_peaks.csv") as handle:
        return {r["id"]: float(r["mocap_raw_freq"]) for r in csv.DictReader(handle)}[pid]


@pytest.mark.parametrize("pid", ["005", "007"])
def test_kiel_landmarks_within_03_hz_of_motion_capture(realdata, pid):
    result = analyze_signal(realdata / "kiel" / "landmarks" / f"{pid}.csv")
    rhythm = result.dominant.rhythmic
    assert rhythm.detected and rhythm.kind == "tremor"
    assert abs(rhythm.frequency_hz - _mocap_reference(realdata, pid)) <= 0.3


@pytest.mark.parametrize("pid", ["002", "005", "006", "007"])
def test_kiel_imu_matches_motion_capture_where_both_saw_one_oscillation(realdata, pid):
    rhythm = analyze_signal(realdata / "kiel" / "imu" / f"{pid}.csv").dominant.rhythmic
    assert rhythm.detected
    assert abs(rhythm.frequency_hz - _mocap_reference(realdata, pid)) <= 0.25


def test_pdkit_rest_tremor_shows_a_rhythm_and_leg_agility_does_not_pass_as_tremor(realdata):
    folder = realdata / "pdkit" / "2458"
    rest = next(folder.glob("*REST_TREMOR_AMPLITUDE_-_LEFT_HAND*.csv"))
    rhythm = analyze_signal(rest).dominant.rhythmic
    assert rhythm.detected and rhythm.kind == "tremor" and 4.0 <= rhythm.frequency_hz <= 7.0
    for leg in folder.glob("*LEG_AGILITY*.csv"):
        r = analyze_signal(leg).dominant.rhythmic
        assert not (r.detected and r.kind == "tremor")
