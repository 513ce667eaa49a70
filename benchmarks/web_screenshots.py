"""The web app's screenshots in ``docs/``: the browser test run with its shots kept there.

Runs ``tests/web/test_browser.py`` (a real clip uploaded through the page in headless
chromium, the report, the history after a restart, a phone's width) with
``TREMORSCOPE_WEB_SCREENSHOTS=docs``, which leaves ``docs/web-upload.png`` (1280 px wide, a
region drawn on the first frame), ``docs/web-report.png`` (the report in the page) and
``docs/web-phone.png`` (390 px wide, the history).

Run: ``python benchmarks/web_screenshots.py``; about 20 s.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    env = {**os.environ, "TREMORSCOPE_WEB_SCREENSHOTS": str(ROOT / "docs")}
    test = ROOT / "tests" / "web" / "test_browser.py"
    code = subprocess.call([sys.executable, "-m", "pytest", "-q", str(test)], env=env, cwd=ROOT)
    for name in ("web-upload.png", "web-report.png", "web-phone.png"):
        print(ROOT / "docs" / name, "written" if (ROOT / "docs" / name).is_file() else "MISSING")
    sys.exit(code)


if __name__ == "__main__":
    main()
