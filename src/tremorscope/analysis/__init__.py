"""Analysis of uniform movement signals: rhythm, twitches, signatures, quality."""

from tremorscope.analysis.engine import analyze_uniform, choose_dominant

__all__ = ["analyze_uniform", "choose_dominant"]
