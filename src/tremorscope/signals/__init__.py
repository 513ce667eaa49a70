"""Uniform time series from sensor files: loading, grouping into vectors, resampling."""

from tremorscope.signals.loaders import load_recording
from tremorscope.signals.model import Recording, SignalGroup, UniformSignal
from tremorscope.signals.uniform import to_uniform

__all__ = ["Recording", "SignalGroup", "UniformSignal", "load_recording", "to_uniform"]
