"""The stack's monthly cost range and each server's cost per million output tokens, from the
validated config and the dated price tables (no cloud call; what the plan and outputs show)."""

from dataclasses import dataclass, field
from typing import Any

from components.clusters.oke_pools import OkePoolSettings
from components.cost.estimate import (
    CostLine,
    cost_per_million_output_tokens,
    fixed_line,
    hourly_line,
    node_pool_line,
    total,
)
from components.cost.frontend_cost import cloud_run_line, cloud_sql_line
from components.cost.prices import (
    CLOUD_ARMOR_POLICY_MONTH,
    CLOUD_ARMOR_RULE_MONTH,
    CLOUD_RUN_REGIONS,
    CLOUD_SQL_REGIONS,
    GCLB_FIRST_FIVE_RULES_HOUR,
    GCP_MACHINES,
    GCP_PD_BALANCED_GB_MONTH,
    GKE_CLUSTER_HOUR,
    HOURS_PER_MONTH,
    OCI_A10_GPU_HOUR,
    OCI_API_GATEWAY_PER_MILLION_CALLS,
    OCI_BALANCED_BLOCK_GB_MONTH,
    OCI_FLEX_GB_HOUR,
    OCI_FLEX_OCPU_HOUR,
    OCI_LB_BASE_HOUR,
    OCI_LB_MBPS_HOUR,
    OKE_ENHANCED_CLUSTER_HOUR,
    PRICES_AS_OF,
)
from components.cost.throughput import THROUGHPUT, throughput_key
from components.edge.cloud_armor import security_policy_rules
from components.frontend.settings import FrontendSettings
from components.observability.settings import MonitoringConfig
from stacks.capacity import replicas_per_node
from stacks.config import LoadedConfig, PlannedServer
from stacks.gcp_config import GcpConfig
from stacks.oci_config import OciConfig

OCI_MIN_VOLUME_GB = 50
"""OCI block volumes start at 50 GB: smaller claims are rounded up."""
OCI_LB_MIN_MBPS = 10


@dataclass(kw_only=True)
class StackCost:
    lines: list[CostLine] = field(default_factory=list)
    unpriced: list[str] = field(default_factory=list)
    """Items with no listed price (a region or machine outside the table)."""
    servers: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_output(self) -> dict[str, Any]:
        low, high = total(self.lines)
        return {
            "currency": "USD",
            "pricesAsOf": PRICES_AS_OF,
            "monthly": {"min": round(low, 2), "max": round(high, 2)},
            "lines": [
                {
                    "item": c.item,
                    "monthlyMin": round(c.monthly_min, 2),
                    "monthlyMax": round(c.monthly_max, 2),
                    "basis": c.basis,
                }
                for c in self.lines
            ],
            "unpriced": self.unpriced,
            "servers": self.servers,
        }


def _gcp_node_hourly(settings: GcpConfig, machine: str, spot: bool, disk_gb: int) -> float | None:
    price = GCP_MACHINES.get(settings.region, {}).get(machine)
    if price is None:
        return None
    disk = GCP_PD_BALANCED_GB_MONTH[settings.region] * disk_gb / HOURS_PER_MONTH
    return price.at(spot) + disk


def _oci_node_hourly(pool: OkePoolSettings) -> float:
    disk = OCI_BALANCED_BLOCK_GB_MONTH * pool.boot_volume_gb / HOURS_PER_MONTH
    shape = pool.shape
    if shape.has_gpu:
        return OCI_A10_GPU_HOUR * shape.gpu_count + disk
    assert pool.ocpus is not None and pool.memory_gb is not None
    return (
        OCI_FLEX_OCPU_HOUR[pool.node_shape] * pool.ocpus
        + OCI_FLEX_GB_HOUR[pool.node_shape] * pool.memory_gb
        + disk
    )


def _monitoring_volumes_gb(monitoring: MonitoringConfig, minimum: int = 0) -> int:
    sizes = (
        monitoring.prometheus_storage_gb,
        monitoring.alertmanager_storage_gb,
        monitoring.grafana_storage_gb,
    )
    return sum(max(size, minimum) for size in sizes)


def _gcp_lines(config: LoadedConfig, settings: GcpConfig, cost: StackCost) -> dict[str, float]:
    """Adds GKE's lines; returns each pool's node hourly price for the token costs."""
    zones = len(settings.cluster.zones)
    node_hourly: dict[str, float] = {}
    for pool in [settings.cluster.system_pool.as_pool(), *settings.cluster.pools]:
        hourly = _gcp_node_hourly(settings, pool.machine_type, pool.spot, pool.disk_size_gb)
        if hourly is None:
            cost.unpriced.append(f"gke pool {pool.name}: {pool.machine_type} in {settings.region}")
            continue
        node_hourly[pool.name] = hourly
        kind = "Spot " if pool.spot else ""
        cost.lines.append(
            node_pool_line(
                f"gke pool {pool.name}",
                hourly,
                pool.min_nodes * zones,
                pool.max_nodes * zones,
                f"{kind}{pool.machine_type} + {pool.disk_size_gb} GB disk",
            )
        )
    cost.lines.append(hourly_line("gke cluster fee", GKE_CLUSTER_HOUR, "1 Standard cluster"))
    cost.lines.append(
        hourly_line("gclb forwarding rules", GCLB_FIRST_FIVE_RULES_HOUR, "the first five rules")
    )
    rules = len(security_policy_rules(settings.edge, list(config.stack.tenants)))
    cost.lines.append(
        fixed_line(
            "cloud armor",
            CLOUD_ARMOR_POLICY_MONTH + rules * CLOUD_ARMOR_RULE_MONTH,
            f"1 policy + {rules} rules (plus $0.75 per million requests)",
        )
    )
    if settings.frontend is not None:
        _frontend_lines(settings, settings.frontend, cost)
    volumes = _monitoring_volumes_gb(config.stack.monitoring)
    pd = GCP_PD_BALANCED_GB_MONTH.get(settings.region)
    if pd is None:
        cost.unpriced.append(f"gke monitoring volumes: pd-balanced in {settings.region}")
    else:
        cost.lines.append(
            fixed_line("gke monitoring volumes", volumes * pd, f"{volumes} GB pd-balanced")
        )
    return node_hourly


def _frontend_lines(settings: GcpConfig, frontend: FrontendSettings, cost: StackCost) -> None:
    if settings.region in CLOUD_SQL_REGIONS:
        cost.lines.append(cloud_sql_line(frontend.database))
    else:
        cost.unpriced.append(f"cloud sql quotes db: {frontend.database.tier} in {settings.region}")
    if settings.region in CLOUD_RUN_REGIONS:
        cost.lines.append(cloud_run_line(frontend))
    else:
        cost.unpriced.append(f"cloud run frontend in {settings.region}")


def _oci_lines(
    config: LoadedConfig, settings: OciConfig, servers: list[PlannedServer], cost: StackCost
) -> dict[str, float]:
    cluster = settings.cluster
    system = cluster.system_pool.as_pool()
    node_hourly: dict[str, float] = {}
    pools: list[OkePoolSettings] = [system, *cluster.pools]
    for pool in pools:
        hourly = _oci_node_hourly(pool)
        node_hourly[pool.name] = hourly
        cost.lines.append(
            node_pool_line(
                f"oke pool {pool.name}",
                hourly,
                pool.min_nodes,
                pool.max_nodes,
                f"{pool.shape.name} ({pool.shape.vcpus} vCPU, {pool.shape.memory_gib} GB)"
                f" + {pool.boot_volume_gb} GB boot volume",
            )
        )
    cost.lines.append(
        hourly_line("oke enhanced cluster fee", OKE_ENHANCED_CLUSTER_HOUR, "1 enhanced cluster")
    )
    balancers = sum(1 for s in servers if s.cloud == "oci")
    lb_hourly = OCI_LB_BASE_HOUR + OCI_LB_MIN_MBPS * OCI_LB_MBPS_HOUR
    cost.lines.append(
        hourly_line(
            "oci load balancers",
            lb_hourly * balancers,
            f"{balancers} flexible LBs at {OCI_LB_MIN_MBPS} Mbps"
            " (Oracle waives the first: not subtracted)",
        )
    )
    cost.lines.append(
        fixed_line(
            "oci api gateway",
            0.0,
            f"${OCI_API_GATEWAY_PER_MILLION_CALLS:.2f} per million calls, nothing fixed",
        )
    )
    volumes = _monitoring_volumes_gb(config.stack.monitoring, OCI_MIN_VOLUME_GB)
    cost.lines.append(
        fixed_line(
            "oke monitoring volumes",
            volumes * OCI_BALANCED_BLOCK_GB_MONTH,
            f"{volumes} GB balanced block volume (50 GB minimum each)",
        )
    )
    return node_hourly


def _server_cost(server: PlannedServer, node_hourly: float | None) -> dict[str, Any]:
    shape = server.pool.shape
    hardware = shape.accelerator.key if shape.accelerator else shape.name
    measured = THROUGHPUT.get(
        throughput_key(server.config.model, hardware, server.config.server.type)
    )
    per_node = replicas_per_node(shape, server.plan, server.pool.pods_per_gpu)
    entry: dict[str, Any] = {
        "usdPerMillionOutputTokens": None,
        "hourlyPerReplica": None if node_hourly is None else round(node_hourly / per_node, 4),
        "throughput": None,
    }
    if measured is not None and node_hourly is not None:
        entry["usdPerMillionOutputTokens"] = round(
            cost_per_million_output_tokens(
                node_hourly, per_node, measured.output_tokens_per_second
            ),
            2,
        )
        entry["throughput"] = {
            "outputTokensPerSecond": measured.output_tokens_per_second,
            "setup": measured.setup,
            "source": measured.source,
        }
    return entry


def estimate(config: LoadedConfig) -> StackCost:
    cost = StackCost()
    node_hourly: dict[tuple[str, str], float] = {}
    if config.stack.gcp is not None:
        prices = _gcp_lines(config, config.stack.gcp, cost)
        node_hourly |= {("gcp", pool): price for pool, price in prices.items()}
    if config.stack.oci is not None:
        prices = _oci_lines(config, config.stack.oci, config.servers, cost)
        node_hourly |= {("oci", pool): price for pool, price in prices.items()}
    for server in config.servers:
        cost.servers[server.config.name] = _server_cost(
            server, node_hourly.get((server.cloud, server.pool.name))
        )
    return cost
