"""The frontend's Cloud SQL for PostgreSQL instance, as configured in `gcp.frontend.database`."""

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from components.config_base import ConfigModel
from components.database.tiers import Edition, tier_problem

_HH_MM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
LOG_RETENTION_MAX_DAYS: dict[Edition, int] = {"ENTERPRISE": 7, "ENTERPRISE_PLUS": 35}
"""Point-in-time recovery's transaction-log retention limit per edition
(https://cloud.google.com/sql/docs/postgres/backup-recovery/pitr)."""


class DatabaseSettings(ConfigModel):
    version: Literal["POSTGRES_16", "POSTGRES_17", "POSTGRES_18"] = "POSTGRES_17"
    edition: Edition = "ENTERPRISE"
    tier: str = "db-custom-1-3840"
    """Machine tier; checked against the edition (see components/database/tiers.py)."""
    availability: Literal["ZONAL", "REGIONAL"] = "ZONAL"
    """REGIONAL: a standby in a second zone with automatic failover (and the SLA)."""
    disk_size_gb: Annotated[int, Field(ge=10, le=65536)] = 10
    """Initial SSD size; Cloud SQL grows it automatically when it fills."""
    deletion_protection: bool = True
    """Refuse to delete the instance (in Pulumi and in the Cloud SQL API) until set false."""
    backup_start_time: str = "03:00"
    """UTC start of the daily backup window, HH:MM."""
    retained_backups: Annotated[int, Field(ge=1, le=365)] = 7
    log_retention_days: Annotated[int, Field(ge=1, le=35)] = 7
    """Days of transaction logs kept for point-in-time recovery."""
    connection: Literal["privateIp", "connector"] = "privateIp"
    """privateIp: the app connects over TCP to the private IP with TLS required (what the
    article's app can do as published). connector: a JDBC URL for the Cloud SQL Java connector
    (postgres-socket-factory, ipTypes=PRIVATE); the app must bundle it."""

    @field_validator("backup_start_time")
    @classmethod
    def _hh_mm(cls, value: str) -> str:
        if not _HH_MM.match(value):
            raise ValueError(f"{value!r} is not a UTC time; use HH:MM, e.g. 03:00")
        return value

    @model_validator(mode="after")
    def _tier_fits_edition(self) -> "DatabaseSettings":
        problem = tier_problem(self.tier, self.edition)
        if problem is not None:
            raise ValueError(f"tier: {problem}")
        most = LOG_RETENTION_MAX_DAYS[self.edition]
        if self.log_retention_days > most:
            raise ValueError(
                f"logRetentionDays: {self.edition} keeps at most {most} days of logs; lower it"
                " or use ENTERPRISE_PLUS (35)"
            )
        return self
