"""Motion of image regions: sub-pixel tracking against a reference, camera compensation."""
