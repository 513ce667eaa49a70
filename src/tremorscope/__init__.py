"""tremorscope: objective measurement of tremor and twitches from video and sensor recordings.

A measurement, never a diagnosis.
"""

__version__ = "0.4.0"

__all__ = ["__version__", "analyze_batch", "analyze_signal", "analyze_video"]


def __getattr__(name: str) -> object:
    # The API is imported on first use: importing a part of the package (the video reader, the
    # result model) then costs only what that part needs.
    if name in ("analyze_signal", "analyze_video"):
        from tremorscope import api

        return getattr(api, name)
    if name == "analyze_batch":
        from tremorscope.batch import analyze_batch

        return analyze_batch
    raise AttributeError(f"module 'tremorscope' has no attribute {name!r}")
