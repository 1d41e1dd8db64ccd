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


def spare_cpus(count: int | None = None) -> set[int] | None:
    """The CPUs a background process (a research job worker) should keep to, so the
    request path has the others to itself: the ``count`` highest-numbered CPUs this
    process may use; ``None`` = all but the first when there are two or more; ``0`` (or
    as many as there are, or a platform without affinity) = None, no restriction."""
    try:
        usable = sorted(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return None
    if count is None:
        limit = _cgroup_cpu_limit()
        # Under a CPU quota the affinity mask overstates the CPUs: keep a quota's worth.
        count = min(len(usable), limit or len(usable)) - 1
    if count <= 0 or count >= len(usable):
        return None
    return set(usable[-count:])


def pin_to(cpus: set[int] | None) -> bool:
    """Keep this process (and the threads it starts later) to ``cpus``; False when not
    pinned (nothing asked, or the platform cannot)."""
    if not cpus:
        return False
    try:
        os.sched_setaffinity(0, cpus)
    except (AttributeError, OSError):
        return False
    return True
