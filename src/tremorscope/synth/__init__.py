"""Ground truth: sensor signals and real footage with known oscillations, twitches and shake."""

from tremorscope.synth.motion import (
    CameraMove,
    Injection,
    Oscillation,
    Shake,
    Twitch,
    displacement,
    oscillation_stats,
)
from tremorscope.synth.signals import SyntheticTruth, synthetic_signal, write_signal_csv
from tremorscope.synth.truth import SynthTruth, write_truth
from tremorscope.synth.video import inject_video, side_by_side

__all__ = [
    "CameraMove",
    "Injection",
    "Oscillation",
    "Shake",
    "SynthTruth",
    "SyntheticTruth",
    "Twitch",
    "displacement",
    "inject_video",
    "oscillation_stats",
    "side_by_side",
    "synthetic_signal",
    "write_signal_csv",
    "write_truth",
]
