"""Ground truth: sensor signals and real footage with known oscillations, twitches and shake."""

from tremorscope.synth.signals import SyntheticTruth, synthetic_signal, write_signal_csv
from tremorscope.synth.video import (
    Injection,
    Oscillation,
    Shake,
    SynthTruth,
    Twitch,
    displacement,
    inject_video,
    side_by_side,
    write_truth,
)

__all__ = [
    "Injection",
    "Oscillation",
    "Shake",
    "SynthTruth",
    "SyntheticTruth",
    "Twitch",
    "displacement",
    "inject_video",
    "side_by_side",
    "synthetic_signal",
    "write_signal_csv",
    "write_truth",
]
