"""How measured values are rounded for the results: to significant digits."""

from __future__ import annotations

import numpy as np


def round_sig(value: float, digits: int = 4) -> float:
    """Round to significant digits."""
    if value == 0 or not np.isfinite(value):
        return float(value)
    return float(f"{value:.{digits}g}")
