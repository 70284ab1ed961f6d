"""Shared set-up of the twin benchmarks: Django settings and a median timer."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "territoire.settings")

import django

django.setup()


def median_time(label: str, fn: Callable[[], object], runs: int = 5) -> float:
    fn()  # warm-up (imports, caches)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(
        f"{label}: median {median * 1000:.0f} ms over {runs} runs (min {min(times) * 1000:.0f} ms)"
    )
    return median
