"""tremorscope: objective measurement of tremor and twitches from video and sensor recordings.

A measurement, never a diagnosis.
"""

__version__ = "0.3.0"

from tremorscope.api import analyze_signal, analyze_video

__all__ = ["__version__", "analyze_signal", "analyze_video"]
