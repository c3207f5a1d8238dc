"""Monthly cost of the frontend: its Cloud SQL instance and its Cloud Run instances."""

from components.cost.estimate import CostLine
from components.cost.prices import (
    CLOUD_RUN_ACTIVE_GIB_SECOND,
    CLOUD_RUN_ACTIVE_VCPU_SECOND,
    CLOUD_RUN_IDLE_GIB_SECOND,
    CLOUD_RUN_IDLE_VCPU_SECOND,
    CLOUD_SQL_GIB_HOUR,
    CLOUD_SQL_HA_FACTOR,
    CLOUD_SQL_SHARED_CORE_HOUR,
    CLOUD_SQL_SSD_GB_MONTH,
    CLOUD_SQL_VCPU_HOUR,
    HOURS_PER_MONTH,
    SECONDS_PER_MONTH,
)
from components.database.settings import DatabaseSettings
from components.database.tiers import tier_size
from components.frontend.cloud_run_limits import memory_mib
from components.frontend.settings import FrontendSettings


def cloud_sql_hourly(database: DatabaseSettings) -> float:
    """The instance's hourly price (HA doubles it); storage not included."""
    factor = CLOUD_SQL_HA_FACTOR if database.availability == "REGIONAL" else 1
    shared = CLOUD_SQL_SHARED_CORE_HOUR.get(database.tier)
    if shared is not None:
        return shared * factor
    size = tier_size(database.tier)
    if size is None:
        raise ValueError(f"{database.tier} is not a validated Cloud SQL tier")
    vcpus, gib = size
    edition = database.edition
    return (vcpus * CLOUD_SQL_VCPU_HOUR[edition] + gib * CLOUD_SQL_GIB_HOUR[edition]) * factor


def cloud_sql_line(database: DatabaseSettings) -> CostLine:
    factor = CLOUD_SQL_HA_FACTOR if database.availability == "REGIONAL" else 1
    storage = database.disk_size_gb * CLOUD_SQL_SSD_GB_MONTH * factor
    monthly = cloud_sql_hourly(database) * HOURS_PER_MONTH + storage
    return CostLine(
        item="cloud sql quotes db",
        monthly_min=monthly,
        monthly_max=monthly,
        basis=(
            f"{database.tier} {database.availability.lower()} + {database.disk_size_gb} GB SSD"
            " (plus backups at $0.08/GB-month)"
        ),
    )


def cloud_run_line(frontend: FrontendSettings) -> CostLine:
    """From min instances idle all month to max instances busy all month."""
    gib = (memory_mib(frontend.memory) or 0) / 1024
    idle = frontend.cpu * CLOUD_RUN_IDLE_VCPU_SECOND + gib * CLOUD_RUN_IDLE_GIB_SECOND
    active = frontend.cpu * CLOUD_RUN_ACTIVE_VCPU_SECOND + gib * CLOUD_RUN_ACTIVE_GIB_SECOND
    return CostLine(
        item="cloud run frontend",
        monthly_min=frontend.min_instances * idle * SECONDS_PER_MONTH,
        monthly_max=frontend.max_instances * active * SECONDS_PER_MONTH,
        basis=(
            f"{frontend.min_instances} idle .. {frontend.max_instances} busy x"
            f" {frontend.cpu} vCPU {frontend.memory} (plus $0.40 per million requests)"
        ),
    )
