"""Make the real-data loaders of ``tests/analytics`` importable (``from datasets import ...``)."""

from __future__ import annotations

import sys
from pathlib import Path

ANALYTICS_TESTS = str(Path(__file__).resolve().parent.parent / "analytics")
if ANALYTICS_TESTS not in sys.path:
    sys.path.append(ANALYTICS_TESTS)
