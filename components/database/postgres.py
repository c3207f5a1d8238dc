"""Cloud SQL for PostgreSQL with a private IP only, a database, and a user whose generated
password lives in Secret Manager (the app reads it from there; it is never in plain text)."""

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_random as random

from components import PACKAGE
from components.database.settings import DatabaseSettings
from components.secrets.secret_manager import StoredSecret, store_secret

POSTGRES_PORT = 5432
PASSWORD_LENGTH = 32


@dataclass(frozen=True, kw_only=True)
class PostgresDatabaseArgs:
    project: str
    region: str
    network: pulumi.Input[str]
    """The VPC with private services access (its self link)."""
    settings: DatabaseSettings
    database: str
    user: str
    password_secret_id: str
    """Secret Manager ID for the user's password, unique in the project."""
    replica_locations: Sequence[str] = ()
    private_services: pulumi.Resource
    """The VPC's service-networking peering: the instance's private IP comes from it, so
    creating the instance fails until it exists."""


class PostgresDatabase(pulumi.ComponentResource):
    connection_name: pulumi.Output[str]
    """`<project>:<region>:<instance>`, what Cloud SQL connectors take."""
    private_ip: pulumi.Output[str]
    database: str
    user: str
    password: StoredSecret
    user_resource: gcp.sql.User
    """Exists once the app can log in."""

    def __init__(
        self, name: str, args: PostgresDatabaseArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:gcp:PostgresDatabase", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        instance = gcp.sql.DatabaseInstance(
            f"{name}-instance",
            project=args.project,
            region=args.region,
            database_version=args.settings.version,
            settings=_instance_settings(args.settings, args.network),
            deletion_protection=args.settings.deletion_protection,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[args.private_services]),
        )
        database = gcp.sql.Database(
            f"{name}-database",
            project=args.project,
            instance=instance.name,
            name=args.database,
            # Never drop the data ahead of the instance: with deletion protection on, the
            # instance refuses to go, and the database must still be there.
            deletion_policy="PREVENT" if args.settings.deletion_protection else "DELETE",
            opts=child,
        )
        password = random.RandomPassword(
            f"{name}-password",
            length=PASSWORD_LENGTH,
            # Letters and digits only: the value travels through env and JDBC properties.
            special=False,
            opts=child,
        )
        self.user_resource = gcp.sql.User(
            f"{name}-user",
            project=args.project,
            instance=instance.name,
            name=args.user,
            password=password.result,
            # PostgreSQL refuses to drop a user that owns objects (the app's tables); the
            # database goes with the instance anyway.
            deletion_policy="ABANDON",
            opts=pulumi.ResourceOptions(parent=self, depends_on=[database]),
        )
        self.password = store_secret(
            f"{name}-password-secret",
            project=args.project,
            secret_id=args.password_secret_id,
            key="db-password",
            value=password.result,
            replica_locations=args.replica_locations,
            opts=child,
        )
        self.connection_name = instance.connection_name
        self.private_ip = instance.private_ip_address
        self.database = args.database
        self.user = args.user
        self.register_outputs(
            {"connection_name": self.connection_name, "private_ip": self.private_ip}
        )


def _instance_settings(
    settings: DatabaseSettings, network: pulumi.Input[str]
) -> gcp.sql.DatabaseInstanceSettingsArgs:
    return gcp.sql.DatabaseInstanceSettingsArgs(
        tier=settings.tier,
        # Always explicit: PostgreSQL 16+ defaults to ENTERPRISE_PLUS, which refuses the
        # Enterprise tiers (db-custom-*, shared core).
        edition=settings.edition,
        availability_type=settings.availability,
        disk_size=settings.disk_size_gb,
        disk_type="PD_SSD",
        disk_autoresize=True,
        deletion_protection_enabled=settings.deletion_protection,
        ip_configuration=gcp.sql.DatabaseInstanceSettingsIpConfigurationArgs(
            ipv4_enabled=False,
            private_network=network,
            ssl_mode="ENCRYPTED_ONLY",
        ),
        backup_configuration=gcp.sql.DatabaseInstanceSettingsBackupConfigurationArgs(
            enabled=True,
            point_in_time_recovery_enabled=True,
            start_time=settings.backup_start_time,
            transaction_log_retention_days=settings.log_retention_days,
            backup_retention_settings=gcp.sql.DatabaseInstanceSettingsBackupConfigurationBackupRetentionSettingsArgs(
                retained_backups=settings.retained_backups, retention_unit="COUNT"
            ),
        ),
        insights_config=gcp.sql.DatabaseInstanceSettingsInsightsConfigArgs(
            query_insights_enabled=True
        ),
        user_labels={"app": "llm-platform", "component": "frontend"},
    )
