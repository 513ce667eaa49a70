"""A figure and the finding it illustrates come from the same numbers (analysis -> report)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tremorscope import analyze_video
from tremorscope.analysis.engine import analyze_uniform
from tremorscope.config import AnalysisConfig
from tremorscope.report.figures import TraceInput, spectrum_figure, trace_figure
from tremorscope.results import RegionKey
from tremorscope.signals import to_uniform
from tremorscope.signals.model import SignalGroup
from tremorscope.synth import Oscillation

HEAD = RegionKey.body_part(1, "head")
#: The injected head tremor (Hz, px RMS), as in the HTML report tests.
FREQ, AMP = 5.5, 3.0
#: Settings far from the defaults: a shorter Welch segment, a looser false-alarm chance.
CONFIG = AnalysisConfig(welch_segment_s=3.0, false_alarm=0.02, min_peak_ratio=2.5)


@pytest.fixture(scope="module")
def analysis(carphone, tmp_path_factory: pytest.TempPathFactory):
    clip = carphone.with_head_tremor(
        tmp_path_factory.mktemp("figures") / "clip.mp4", Oscillation(FREQ, AMP, 0.0)
    )
    return analyze_video(clip, config=CONFIG)


def _line(fig, label: str):
    return next(line for ax in fig.axes for line in ax.get_lines() if line.get_label() == label)


def test_the_config_the_analysis_ran_with_is_stored(analysis):
    assert analysis.config.analysis == CONFIG
    assert analysis.config.video is not None
    assert Path(analysis.source.path).name == "clip.mp4"


def test_the_spectrum_drawn_is_the_one_the_finding_was_judged_on(analysis):
    group = analysis.group_of(HEAD)
    judged, r = group.evidence, group.finding.rhythmic
    assert r.detected and r.frequency_hz == pytest.approx(FREQ, abs=0.1)
    fig = spectrum_figure(judged, r.frequency_hz, r.frequency_ci_hz)
    level = _line(fig, "significance level")
    inside = (judged.freqs >= judged.band_hz[0]) & (judged.freqs <= judged.band_hz[1])
    np.testing.assert_allclose(level.get_xdata(), judged.freqs[inside])
    np.testing.assert_allclose(level.get_ydata(), judged.background[inside] * judged.threshold)
    xs, ys = _line(fig, "spectrum").get_data()
    band = (xs >= judged.band_hz[0]) & (xs <= judged.band_hz[1])
    peak = xs[band][np.argmax(ys[band])]
    assert peak == pytest.approx(r.frequency_hz, abs=0.2)
    # with the default settings the same series gives another level: a report that recomputed
    # the spectrum with its own defaults would draw a level the finding was not judged by
    times = analysis.tracks.time_s
    position = analysis.tracks.position_of(group.key)
    signal = SignalGroup("head", ["x", "y"], position, "position", "px")
    default = analyze_uniform(to_uniform(signal, times, CONFIG.max_gap_s, []), AnalysisConfig())
    assert default.evidence.threshold != pytest.approx(judged.threshold, rel=0.05)
    assert not np.allclose(default.evidence.power, judged.power)  # another Welch segment


def test_the_rhythm_drawn_is_the_series_the_analysis_measured(analysis):
    group = analysis.group_of(HEAD)
    judged, r = group.evidence, group.finding.rhythmic
    data = TraceInput(
        analysis.tracks.time_s,
        np.zeros((len(analysis.tracks.time_s), 2)),
        r.direction,
        judged,
        r.frequency_hz,
        list(r.episodes),
        [],
        None,
        [],
    )
    lower = trace_figure(data).axes[1]
    drawn = np.concatenate([line.get_ydata() for line in lower.get_lines()])
    np.testing.assert_allclose(drawn, np.concatenate(judged.rhythm))
    rms = float(np.sqrt(np.mean(np.concatenate(judged.rhythm) ** 2)))
    assert rms == pytest.approx(r.amplitude, rel=0.25)  # the size reported is that series'
    assert f"{judged.rhythm_band_hz[0]:.1f}-{judged.rhythm_band_hz[1]:.1f} Hz" in lower.get_title(
        loc="left"
    )
