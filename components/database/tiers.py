"""Which Cloud SQL for PostgreSQL machine tiers exist, per edition.

Sources (read 2026-11-23):
- https://cloud.google.com/sql/docs/postgres/instance-settings: custom tiers
  `db-custom-<vCPUs>-<MiB>`, "Cores 1 to 96 (must be either 1 or an even number)", "Memory 0.9 to
  6.5 GB per vCPU (must be a multiple of 256 MB and at least 3.75 GB)".
- https://cloud.google.com/sql/docs/postgres/machine-series-overview: shared-core
  (db-f1-micro, db-g1-small) and custom tiers are Enterprise edition; Enterprise Plus runs
  `db-perf-optimized-N-<vCPUs>` (N2, 8 GB per vCPU).
- pulumi-gcp 10.2.0 `DatabaseInstanceSettings.edition`: PostgreSQL 16+ defaults to
  ENTERPRISE_PLUS, where Enterprise tiers fail with "Invalid Tier (...) for (ENTERPRISE_PLUS)
  Edition"; so the edition is always set explicitly.
"""

import re
from typing import Literal

Edition = Literal["ENTERPRISE", "ENTERPRISE_PLUS"]

SHARED_CORE_TIERS = ("db-f1-micro", "db-g1-small")
PERF_OPTIMIZED_VCPUS = (2, 4, 8, 16, 32, 48, 64, 80, 96, 128)
PERF_OPTIMIZED_GIB_PER_VCPU = 8
CUSTOM_MAX_VCPUS = 96
CUSTOM_MIN_MIB = 3840
CUSTOM_MIB_STEP = 256
_MIB_PER_GB = 1024
"""Cloud SQL's "GB" in these limits is 1024 MiB: its smallest tier, 3.75 GB, is 3840 MiB."""
CUSTOM_MIB_PER_VCPU = (0.9 * _MIB_PER_GB, 6.5 * _MIB_PER_GB)

_CUSTOM = re.compile(r"^db-custom-(\d+)-(\d+)$")
_PERF_OPTIMIZED = re.compile(r"^db-perf-optimized-N-(\d+)$")

_FORMS = (
    "db-custom-<vCPUs>-<MiB> (e.g. db-custom-1-3840, db-custom-2-7680) or db-f1-micro /"
    " db-g1-small on ENTERPRISE, db-perf-optimized-N-<vCPUs> (e.g. db-perf-optimized-N-2) on"
    " ENTERPRISE_PLUS"
)


def tier_size(tier: str) -> tuple[int, float] | None:
    """vCPUs and GiB of a dedicated-core tier; None for shared core or an unknown form."""
    if match := _CUSTOM.match(tier):
        return int(match[1]), int(match[2]) / _MIB_PER_GB
    if match := _PERF_OPTIMIZED.match(tier):
        vcpus = int(match[1])
        return vcpus, vcpus * PERF_OPTIMIZED_GIB_PER_VCPU
    return None


def tier_problem(tier: str, edition: Edition) -> str | None:
    """What is wrong with `tier` on `edition`, or None when Cloud SQL accepts it."""
    if tier in SHARED_CORE_TIERS:
        return _needs(tier, "ENTERPRISE", edition)
    if match := _CUSTOM.match(tier):
        return _custom_problem(tier, int(match[1]), int(match[2])) or _needs(
            tier, "ENTERPRISE", edition
        )
    if match := _PERF_OPTIMIZED.match(tier):
        vcpus = int(match[1])
        if vcpus not in PERF_OPTIMIZED_VCPUS:
            return f"{tier!r}: Enterprise Plus has N-{'/'.join(map(str, PERF_OPTIMIZED_VCPUS))}"
        return _needs(tier, "ENTERPRISE_PLUS", edition)
    return f"{tier!r} is not a Cloud SQL for PostgreSQL tier; use {_FORMS}"


def _needs(tier: str, required: Edition, edition: Edition) -> str | None:
    if edition == required:
        return None
    return f"{tier!r} runs on edition {required}, not {edition}; set edition: {required}"


def _custom_problem(tier: str, vcpus: int, mib: int) -> str | None:
    if vcpus < 1 or vcpus > CUSTOM_MAX_VCPUS or (vcpus > 1 and vcpus % 2):
        return f"{tier!r}: a custom tier has 1 or an even number of vCPUs up to {CUSTOM_MAX_VCPUS}"
    if mib % CUSTOM_MIB_STEP:
        return f"{tier!r}: memory must be a multiple of {CUSTOM_MIB_STEP} MiB"
    low, high = (vcpus * bound for bound in CUSTOM_MIB_PER_VCPU)
    low = max(low, CUSTOM_MIN_MIB)
    if not low <= mib <= high:
        return (
            f"{tier!r}: {vcpus} vCPU take {int(low)}..{int(high)} MiB (0.9-6.5 GB per vCPU,"
            f" at least {CUSTOM_MIN_MIB}); e.g. db-custom-{vcpus}-{_nearest(vcpus)}"
        )
    return None


def _nearest(vcpus: int) -> int:
    """A valid memory for `vcpus`: 3.75 GB per vCPU, the ratio of Google's standard tiers."""
    return max(CUSTOM_MIN_MIB, vcpus * 3840)
