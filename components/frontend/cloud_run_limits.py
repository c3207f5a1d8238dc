"""Cloud Run service limits the frontend's settings must respect.

Sources (read 2026-11-23): https://cloud.google.com/run/docs/configuring/services/cpu,
https://cloud.google.com/run/docs/configuring/services/memory-limits,
https://cloud.google.com/run/docs/about-concurrency and
https://cloud.google.com/run/docs/configuring/healthchecks.
"""

import re
from typing import Literal

CpuCount = Literal[1, 2, 4, 6, 8]
MEMORY_MIB_BY_CPU: dict[int, tuple[int, int]] = {
    1: (512, 4096),
    2: (512, 8192),
    4: (2048, 16384),
    6: (4096, 24576),
    8: (4096, 32768),
}
"""Memory a Cloud Run instance may have for its vCPUs (MiB, inclusive); 512 MiB is the
second-generation environment's minimum."""
MAX_CONCURRENCY = 1000
STARTUP_PROBE_MAX_SECONDS = 240
"""periodSeconds x failureThreshold of a startup probe may not exceed 240 s."""

_MEMORY = re.compile(r"^([1-9][0-9]*)(Mi|Gi)$")


def memory_mib(value: str) -> int | None:
    """`512Mi` / `2Gi` in MiB, or None if the string is not in that form."""
    match = _MEMORY.match(value)
    if match is None:
        return None
    return int(match[1]) * (1024 if match[2] == "Gi" else 1)


def memory_problem(memory: str, cpu: int) -> str | None:
    mib = memory_mib(memory)
    if mib is None:
        return f"{memory!r} is not a memory size; use Mi or Gi, e.g. 2Gi"
    low, high = MEMORY_MIB_BY_CPU[cpu]
    if not low <= mib <= high:
        return (
            f"{memory} does not fit {cpu} vCPU: Cloud Run allows {low}Mi..{high // 1024}Gi;"
            " change memory or cpu"
        )
    return None
