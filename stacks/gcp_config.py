"""Google Cloud configuration (`llm-platform:gcp`): project, cluster, edge, secrets."""

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from components.catalog.gcp_zones import L4_ZONES, ZONES
from components.catalog.hardware import NVIDIA_L4
from components.catalog.vertex_maas import ARTICLE_MODEL, MAAS_MODELS
from components.clusters.gke_network import GkeNetworkArgs
from components.clusters.gke_pools import NodePoolSettings, SystemPoolSettings
from components.config_base import (
    ConfigModel,
    DnsLabel,
    NamespaceList,
    pool_name_problem,
    repeated,
)
from components.database.private_services import DEFAULT_RANGE as PRIVATE_SERVICES_RANGE
from components.edge.settings import EdgeSettings
from components.frontend.settings import FrontendSettings

_PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")


def _known_regions(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in ZONES]
    if unknown:
        raise ValueError(
            f"{unknown} are not Google Cloud regions; use one such as us-central1"
            " (`gcloud compute regions list`)"
        )
    duplicates = repeated(values)
    if duplicates:
        raise ValueError(f"{duplicates} listed more than once; list each region once")
    return values


def _default_pools() -> list[NodePoolSettings]:
    return [NodePoolSettings(name="l4", machine_type="g2-standard-8", min_nodes=0, max_nodes=2)]


class GkeClusterConfig(ConfigModel):
    regional: bool = False
    """False: zonal control plane in zones[0] (cheaper); True: regional control plane."""
    zones: Annotated[list[str], Field(min_length=1)]
    """Node zones; pick ones offering the GPUs (`gcloud compute accelerator-types list`)."""
    release_channel: Literal["RAPID", "REGULAR", "STABLE"] = "REGULAR"
    deletion_protection: bool = True
    system_pool: SystemPoolSettings = SystemPoolSettings()
    pools: list[NodePoolSettings] = Field(default_factory=_default_pools)
    master_authorized_cidrs: list[str] = Field(default_factory=list)
    require_on_demand_fallback: bool = False
    """True: every model on a Spot pool must name an on-demand fallbackPool."""
    image_streaming: bool = True
    """GKE image streaming on every pool, with the upstream server images pulled through
    Artifact Registry remote repositories in the region (streaming reads only from there)."""

    @model_validator(mode="after")
    def _unique_pools(self) -> "GkeClusterConfig":
        problem = pool_name_problem(p.name for p in self.pools)
        if problem is not None:
            raise ValueError(problem)
        return self


class SecretManagerConfig(ConfigModel):
    replica_locations: list[str] = Field(default_factory=list)
    """Empty: automatic replication. Else the regions that may hold the secrets' data."""

    @field_validator("replica_locations")
    @classmethod
    def _regions(cls, values: list[str]) -> list[str]:
        return _known_regions(values)


class VertexAiSettings(ConfigModel):
    """The managed Model Garden model the frontend can call instead of the self-hosted one."""

    model: str = ARTICLE_MODEL
    region: str = "us-central1"
    """Where the model is called; must offer it (components/catalog/vertex_maas.py)."""

    @model_validator(mode="after")
    def _offered(self) -> "VertexAiSettings":
        offered = MAAS_MODELS.get(self.model)
        if offered is None:
            raise ValueError(
                f"model: {self.model!r} is not a known MaaS model; use one of"
                f" {sorted(MAAS_MODELS)}"
            )
        if self.region not in offered.regions:
            raise ValueError(
                f"region: Vertex AI offers {self.model} in {list(offered.regions)}, not"
                f" {self.region}; use one of those (the call may cross regions)"
            )
        return self


def _default_monitoring_namespaces() -> list[str]:
    # gmp-system: GKE managed Prometheus collectors; monitoring: a self-run Prometheus.
    return ["gmp-system", "monitoring"]


class GcpConfig(ConfigModel):
    project: str
    region: str
    namespace: DnsLabel = "llm"
    cluster: GkeClusterConfig
    edge: EdgeSettings = EdgeSettings()
    secrets: SecretManagerConfig = SecretManagerConfig()
    monitoring_namespaces: NamespaceList = Field(default_factory=_default_monitoring_namespaces)
    """Namespaces allowed (besides the load balancer) to reach the model servers' port."""
    vertex_ai: VertexAiSettings = VertexAiSettings()
    frontend: FrontendSettings | None = None
    """The article's Spring AI quotes app on Cloud Run with its Cloud SQL database; unset: none."""

    @field_validator("project")
    @classmethod
    def _project_id(cls, value: str) -> str:
        if not _PROJECT_ID.match(value):
            raise ValueError(
                f"{value!r} is not a project ID (6-30 lowercase letters, digits, '-');"
                " use the ID from `gcloud projects list`, not the name or number"
            )
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: str) -> str:
        return _known_regions([value])[0]

    @model_validator(mode="after")
    def _zones_in_region(self) -> "GcpConfig":
        zones = self.cluster.zones
        outside = [z for z in zones if z not in ZONES[self.region]]
        if outside:
            raise ValueError(
                f"cluster.zones {outside} are not zones of {self.region}; use some of"
                f" {list(ZONES[self.region])}"
            )
        duplicates = repeated(zones)
        if duplicates:
            raise ValueError(f"cluster.zones lists {duplicates} more than once")
        l4_pools = [p.name for p in self.cluster.pools if p.shape.accelerator is NVIDIA_L4]
        without_l4 = [z for z in zones if z not in L4_ZONES]
        if l4_pools and without_l4:
            raise ValueError(
                f"cluster.zones {without_l4} offer no NVIDIA L4 but pools {l4_pools} need it"
                " in every cluster zone; use zones from `gcloud compute accelerator-types list"
                f" --filter=name=nvidia-l4` ({sorted(set(ZONES[self.region]) & L4_ZONES)} here)"
            )
        return self

    @model_validator(mode="after")
    def _egress_outside_cluster_ranges(self) -> "GcpConfig":
        if self.frontend is None:
            return self
        egress = ipaddress.ip_network(self.frontend.egress_cidr)
        ranges = GkeNetworkArgs(region=self.region)
        taken = [ranges.nodes_cidr, ranges.pods_cidr, ranges.services_cidr, PRIVATE_SERVICES_RANGE]
        clashes = [c for c in taken if ipaddress.ip_network(c).overlaps(egress)]
        if clashes:
            raise ValueError(
                f"frontend.egressCidr {egress} overlaps the VPC's ranges {clashes}; pick a"
                " free private range such as 10.30.0.0/24"
            )
        return self

    @property
    def cluster_location(self) -> str:
        return self.region if self.cluster.regional else self.cluster.zones[0]
