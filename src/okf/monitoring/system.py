"""``memory_usage_bytes`` and ``cpu_usage_percent``, computed when Prometheus scrapes.

``psutil.Process().cpu_percent()`` measures since the previous call on the *same*
handle, so a fresh handle always says 0.0: the collector keeps its handles for the life
of the process and primes each once. With several workers it sums the whole service
(the supervisor and its worker children), so any worker that answers the scrape reports
the same thing.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import psutil
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector


class SystemUsageCollector(Collector):
    """Resident memory and CPU percent of this service, read at scrape time."""

    def __init__(self, *, whole_service: bool = False) -> None:
        self.whole_service = whole_service
        self._lock = threading.Lock()
        self._handles: dict[int, psutil.Process] = {}
        self._memory = 0.0
        self._cpu = 0.0
        self.refresh()  # primes cpu_percent on every handle

    def _processes(self) -> list[psutil.Process]:
        me = psutil.Process(os.getpid())
        if not self.whole_service:
            return [self._handle(me)]
        parent = me.parent()
        if parent is None:
            return [self._handle(me)]
        family = [parent, *parent.children()]
        return [self._handle(p) for p in family]

    def _handle(self, proc: psutil.Process) -> psutil.Process:
        known = self._handles.get(proc.pid)
        if known is None:
            known = self._handles[proc.pid] = proc
            known.cpu_percent(None)  # first call primes and returns 0.0
        return known

    def refresh(self) -> tuple[float, float]:
        """Read memory (bytes) and CPU (percent of one core) now."""
        with self._lock:
            memory = cpu = 0.0
            alive: set[int] = set()
            try:
                processes = self._processes()
            except psutil.Error:
                processes = []
            for proc in processes:
                try:
                    memory += proc.memory_info().rss
                    cpu += proc.cpu_percent(None)
                    alive.add(proc.pid)
                except psutil.Error:
                    continue
            for pid in set(self._handles) - alive:
                del self._handles[pid]
            self._memory, self._cpu = memory, cpu
            return memory, cpu

    def collect(self) -> Iterator[GaugeMetricFamily]:
        memory, cpu = self.refresh()
        yield GaugeMetricFamily("memory_usage_bytes", "Uso de memória em bytes", value=memory)
        yield GaugeMetricFamily("cpu_usage_percent", "Uso de CPU em percentual", value=cpu)

    def describe(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily("memory_usage_bytes", "Uso de memória em bytes")
        yield GaugeMetricFamily("cpu_usage_percent", "Uso de CPU em percentual")
