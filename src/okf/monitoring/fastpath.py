"""The request fast path: a counter and a histogram child updated in one call.

A monitored request costs two metric updates; through prometheus_client's public
methods they re-check what is fixed for a labelled child and scan the buckets in
Python. :class:`LeanSeries` reaches into the children's value objects (private
attributes of the pinned prometheus_client) to do the same updates for less: in one
process, a ``MutexValue``'s own lock and float, without a Python call per update; in
multi-worker mode, the value objects' ``inc``. When they are missing it uses the public
methods, and ``tests/monitoring/test_lean_paths.py`` fails if the pinned client changes
them.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from typing import Any

from prometheus_client.samples import Exemplar
from prometheus_client.values import MutexValue

_new_tuple = tuple.__new__
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

    __slots__ = ("_bounds", "_buckets", "_count", "_direct", "_sum", "counter", "histogram")

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
            return
        values = (self._count, self._sum, *self._buckets)
        # One process: each value is a float behind its own lock (MutexValue.inc is
        # ``with self._lock: self._value += amount``), updated here without a call.
        self._direct = all(
            type(v) is MutexValue and hasattr(v, "_lock") and hasattr(v, "_value") for v in values
        )

    def record(self, duration: float, trace_id: str | None = None) -> None:
        """``counter.inc()`` then ``histogram.observe(duration, {"trace_id": ...})``."""
        if self._count is None or (trace_id and len(trace_id) > _EXEMPLAR_VALUE_MAX):
            self.counter.inc()
            self.histogram.observe(duration, {"trace_id": trace_id} if trace_id else None)
            return
        bounds = self._bounds
        i = bisect_left(bounds, duration)  # the first bucket with duration <= bound
        bucket = self._buckets[i] if i < len(bounds) and duration <= bounds[i] else None
        # (no bucket for NaN, as in observe)
        if self._direct:
            value = self._count
            with value._lock:
                value._value += 1
            value = self._sum
            with value._lock:
                value._value += duration
            if bucket is not None:
                exemplar = None
                if trace_id:  # Exemplar(labels, value, timestamp), a namedtuple, built in C
                    exemplar = _new_tuple(Exemplar, ({"trace_id": trace_id}, duration, time.time()))
                with bucket._lock:
                    bucket._value += 1
                    if exemplar is not None:
                        bucket._exemplar = exemplar
            return
        self._count.inc(1)
        self._sum.inc(duration)
        if bucket is not None:
            bucket.inc(1)
            if trace_id:
                bucket.set_exemplar(Exemplar({"trace_id": trace_id}, duration, time.time()))
