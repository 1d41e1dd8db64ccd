"""How many CPUs this process may use: the figure thread pools are sized by.

``os.cpu_count()`` is the host's count; a process pinned to some CPUs, or a container
with a CPU quota, may use fewer. Shared by the service's model executor and the neural
models' encoder threads.
"""

from __future__ import annotations

import os
from pathlib import Path


def _cgroup_cpu_limit(path: Path = Path("/sys/fs/cgroup/cpu.max")) -> int | None:
    """CPUs allowed by a cgroup v2 quota (containers), None when unlimited or unknown."""
    try:
        quota, period = path.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    try:
        return max(1, int(int(quota) // int(period)))
    except (ValueError, ZeroDivisionError):
        return None


def available_cpus() -> int:
    """CPUs this process may run on: affinity mask, capped by a container CPU quota."""
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    limit = _cgroup_cpu_limit()
    return max(1, min(n, limit) if limit else n)
