"""Ground truth: movement signals (and later footage) with known oscillations and twitches."""

from tremorscope.synth.signals import SyntheticTruth, synthetic_signal, write_signal_csv

__all__ = ["SyntheticTruth", "synthetic_signal", "write_signal_csv"]
