"""The request fast path: a counter and a histogram child updated in one call.

A monitored request costs two metric updates; through prometheus_client's public
methods they re-check what is fixed for a labelled child and scan the buckets in
Python. :class:`LeanSeries` reaches into the children's value objects (private
attributes of the pinned prometheus_client) to do the same updates for less; when they
are missing it uses the public methods, and ``tests/monitoring/test_lean_paths.py``
fails if the pinned client changes them.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from typing import Any

from prometheus_client.samples import Exemplar

# An exemplar's labels may hold 128 characters, names included ("trace_id" is 8).
_EXEMPLAR_VALUE_MAX = 128 - len("trace_id")


class LeanSeries:
    """A counter child and a histogram child updated together, in one call per request.

    ``Counter.inc`` and ``Histogram.observe`` re-check on every call what is fixed for a
    labelled child (that it is observable, that the exemplar's label name is valid) and
    scan the buckets in Python; this does the same updates on the same value objects,
    so the exposition (exemplars included) is the client's own. A ``trace_id`` too long
    for an exemplar (over 128 characters with its label name) goes through ``observe``,
    which raises as before. Children of an unexpected shape use the public methods.
    """

    __slots__ = ("_bounds", "_buckets", "_count", "_sum", "counter", "histogram")

    def __init__(self, counter: Any, histogram: Any) -> None:
        self.counter = counter
        self.histogram = histogram
        try:
            self._count = counter._value
            self._sum = histogram._sum
            self._buckets = list(histogram._buckets)
            self._bounds = list(histogram._upper_bounds)
        except AttributeError:  # another client version: no shortcut
            self._count = None

    def record(self, duration: float, trace_id: str | None = None) -> None:
        """``counter.inc()`` then ``histogram.observe(duration, {"trace_id": ...})``."""
        if self._count is None or (trace_id and len(trace_id) > _EXEMPLAR_VALUE_MAX):
            self.counter.inc()
            self.histogram.observe(duration, {"trace_id": trace_id} if trace_id else None)
            return
        self._count.inc(1)
        self._sum.inc(duration)
        bounds = self._bounds
        i = bisect_left(bounds, duration)  # the first bucket with duration <= bound
        if i < len(bounds) and duration <= bounds[i]:  # (never for NaN, as in observe)
            bucket = self._buckets[i]
            bucket.inc(1)
            if trace_id:
                bucket.set_exemplar(Exemplar({"trace_id": trace_id}, duration, time.time()))
