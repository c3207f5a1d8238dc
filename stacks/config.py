"""The whole stack configuration: one pydantic tree, validated before any resource exists.

Pulumi config keys (namespace `llm-platform`):
  gcp                   object  GcpConfig (stacks/gcp_config.py); optional
  oci                   object  OciConfig (stacks/oci_config.py); optional, at least one of the two
  models                list    ModelServerConfig below; each runs on one cloud's pool
  tenants               list    who may call the API, each with its own key and rate limit
  monitoring            object  MonitoringConfig (components/observability/settings.py)
  loadTests             list    LoadTestConfig (components/loadtest/settings.py); unset: the
                                article's chatbot and rag tests; [] for none
  weightsCache          object  WeightsCacheConfig (components/weights/settings.py)
  huggingFaceToken      secret  needed for gated models (Llama, Gemma)
  keySecret-<tenant>    secret  optional secret part of a tenant's key; generated when absent
"""

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol

import pulumi
from pydantic import Field, ValidationError, field_validator, model_validator

from components.catalog.hardware import MachineShape
from components.catalog.models import MODELS, ModelCheckpoint
from components.clusters.gke_pools import NodePoolSettings
from components.config_base import ConfigModel, DnsLabel, SettingError, repeated
from components.edge.settings import MANAGED_CERTIFICATE_DOMAIN_MAX
from components.edge.tenants import TenantList, default_tenants
from components.loadtest.settings import LoadTestConfig, default_load_tests
from components.loadtest.targets import PlannedLoadTest, ServerCandidate, plan_load_tests
from components.observability.settings import MonitoringConfig
from components.serving.autoscaling import AutoscalingSettings, ScalingPlan
from components.serving.metrics import LLAMACPP_QUEUE
from components.serving.planner import plan_server
from components.serving.server_plan import PlanRequest, Resources, ServerPlan
from components.serving.settings import LlamaCppSettings, ServerSettings, VllmSettings
from components.serving.startup_budget import Delivery, WeightsSource
from components.weights.settings import WeightsCacheConfig
from stacks.capacity import PoolReach, ScalingRequest, plan_pool
from stacks.gcp_config import GcpConfig
from stacks.oci_config import OciConfig

NAMESPACE = "llm-platform"


class ModelServerConfig(ConfigModel):
    name: DnsLabel
    """Kubernetes name of the Deployment/Service and the host label behind the edge."""
    model: str
    """Catalogue key, e.g. llama-3.1-8b-instruct (see README)."""
    pool: str
    """Name of the node pool (gcp.cluster.pools[].name or oci.cluster.pools[].name)."""
    cloud: Literal["gcp", "oci"] | None = None
    """Which cloud's pool; unset: the only cloud configured, or the one that has `pool`."""
    fallback_pool: str | None = None
    """GKE only: on-demand pool of the same machine type for when the Spot `pool` is full."""
    replicas: Annotated[int, Field(ge=0, le=100)] = 1
    """Replicas at creation and the autoscaler's minimum; 0 is refused (`_no_scale_to_zero`)."""
    autoscaling: AutoscalingSettings = AutoscalingSettings()
    server: ServerSettings = VllmSettings()
    resources: Resources = Resources()
    tenants: Annotated[list[str], Field(min_length=1)] | None = None
    """Tenants whose keys this server accepts; unset: every tenant."""

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        if value not in MODELS:
            raise ValueError(f"unknown model {value!r}; choose one of {', '.join(MODELS)}")
        return value

    @property
    def checkpoint(self) -> ModelCheckpoint:
        return MODELS[self.model]

    @model_validator(mode="after")
    def _no_scale_to_zero(self) -> "ModelServerConfig":
        # Scale to zero needs a component that holds requests while a replica starts (KEDA's
        # HTTP add-on, Knative's activator); the edges here route straight to the Service.
        if self.replicas == 0:
            raise ValueError(
                "replicas: 0 (scale to zero) is not supported: with no ready replica the load"
                " balancer answers 502/503 until a new pod has a node, its image and its weights"
                " (minutes: see the start-up budget in the plan), and nothing here holds requests"
                " meanwhile; set replicas to 1 or more (a Spot pool keeps one cheap)"
            )
        return self

    @model_validator(mode="after")
    def _scaling_bounds(self) -> "ModelServerConfig":
        most = self.autoscaling.max_replicas
        if self.autoscaling.enabled and most is not None and most < self.replicas:
            raise ValueError(
                f"autoscaling.maxReplicas ({most}) is below replicas ({self.replicas}, the"
                " minimum); raise maxReplicas or lower replicas"
            )
        return self

    @model_validator(mode="after")
    def _scrape_path(self) -> "ModelServerConfig":
        if (
            self.autoscaling.enabled
            and isinstance(self.server, LlamaCppSettings)
            and not self.server.metrics
        ):
            raise ValueError(
                "server.metrics: false leaves llama-server without /metrics, but autoscaling"
                f" scales on its queue ({LLAMACPP_QUEUE}); set metrics: true, or"
                " autoscaling.enabled: false"
            )
        return self


def default_gcp_models() -> list[ModelServerConfig]:
    """Article 000: Llama-3.1-8B-Instruct on vLLM on one L4."""
    return [
        ModelServerConfig(
            name="llama-3-1-8b", model="llama-3.1-8b-instruct", pool="l4", cloud="gcp"
        )
    ]


def default_oci_models() -> list[ModelServerConfig]:
    """Article 001: vLLM serving Llama 3.1 8B and 3.2 1B on A10s, llama.cpp serving Llama 3.1
    8B Q8_0 on Ampere A1. One A10 cannot hold the 8B model's full 128k context: 16k fits."""
    return [
        ModelServerConfig(
            name="llama-8b-a10",
            model="llama-3.1-8b-instruct",
            pool="a10",
            cloud="oci",
            server=VllmSettings(max_model_len=16384),
        ),
        ModelServerConfig(
            name="llama-1b-a10", model="llama-3.2-1b-instruct", pool="a10", cloud="oci"
        ),
        ModelServerConfig(
            name="llama-8b-a1",
            model="llama-3.1-8b-instruct-q8_0-gguf",
            pool="a1",
            cloud="oci",
            server=LlamaCppSettings(),
        ),
    ]


class StackConfig(ConfigModel):
    gcp: GcpConfig | None = None
    oci: OciConfig | None = None
    models: Annotated[list[ModelServerConfig], Field(min_length=1)] | None = None
    """Unset: each configured cloud's article defaults."""
    tenants: TenantList = Field(default_factory=default_tenants)
    monitoring: MonitoringConfig = MonitoringConfig()
    load_tests: list[LoadTestConfig] | None = None
    """Unset: the article's two use cases (`default_load_tests`); [] for none."""
    weights_cache: WeightsCacheConfig = WeightsCacheConfig()

    @model_validator(mode="after")
    def _some_cloud(self) -> "StackConfig":
        if self.gcp is None and self.oci is None:
            raise ValueError(
                f"no cloud configured: set {NAMESPACE}:gcp, {NAMESPACE}:oci or both"
                " (see Pulumi.dev.yaml and Pulumi.oci.yaml)"
            )
        return self

    @property
    def served_models(self) -> list[ModelServerConfig]:
        if self.models is not None:
            return self.models
        defaults: list[ModelServerConfig] = []
        if self.gcp is not None:
            defaults += default_gcp_models()
        if self.oci is not None:
            defaults += default_oci_models()
        return defaults

    @model_validator(mode="after")
    def _unique_tenants(self) -> "StackConfig":
        duplicates = repeated(t.name for t in self.tenants)
        if duplicates:
            raise ValueError(f"tenant names must be unique: {duplicates}")
        return self

    @model_validator(mode="after")
    def _unique_models(self) -> "StackConfig":
        duplicates = repeated(m.name for m in self.served_models)
        if duplicates:
            raise ValueError(f"model names must be unique: {duplicates}")
        return self


class PoolSettings(Protocol):
    """What planning needs from a node pool of either cloud."""

    @property
    def name(self) -> str: ...

    @property
    def shape(self) -> MachineShape: ...

    @property
    def pods_per_gpu(self) -> int: ...

    @property
    def max_nodes(self) -> int: ...


Cloud = Literal["gcp", "oci"]


@dataclass(frozen=True, kw_only=True)
class PlannedServer:
    config: ModelServerConfig
    cloud: Cloud
    pool: PoolSettings
    fallback_pool: NodePoolSettings | None
    plan: ServerPlan
    scaling: ScalingPlan


@dataclass(frozen=True, kw_only=True)
class LoadedConfig:
    stack: StackConfig
    servers: list[PlannedServer]
    hf_token: pulumi.Output[str] | None
    tenant_secrets: dict[str, pulumi.Output[str] | None]
    """Tenant -> the secret part of its key set in config, or None to generate one."""
    load_tests: list[PlannedLoadTest] = field(default_factory=list)


class ConfigError(pulumi.RunError):
    """Invalid configuration; Pulumi prints RunError messages without a traceback."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"invalid stack configuration ({len(problems)} problems):\n{lines}")


_TYPE_ONLY_ERRORS = ("model_type", "list_type", "dict_type", "model_attributes_type")


def _key_path(loc: tuple[int | str, ...]) -> str:
    path = f"{NAMESPACE}:{loc[0]}" if loc else NAMESPACE
    for part in loc[1:]:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _describe(error: Any) -> str:
    # Discriminated unions add the variant tag to the location; it is not a key users write.
    loc = tuple(p for p in error["loc"] if p not in ("vllm", "tgi", "llamacpp"))
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return f"{_key_path(loc)}: unknown key; remove it or fix its spelling (see README)"
    if error["type"] == "missing":
        return f"{_key_path(loc)}: required; add it (see README for an example)"
    if isinstance(error["input"], dict | list) or error["type"] in _TYPE_ONLY_ERRORS:
        # A model-level rule already names the fields it compares; echoing the whole object
        # would bury a one-field mistake under the entry's YAML.
        return f"{_key_path(loc)}: {message}"
    return f"{_key_path(loc)}: {message} (got {error['input']!r})"


def _fallback_problem(
    model: ModelServerConfig,
    pool: NodePoolSettings,
    pools: dict[str, NodePoolSettings],
    require_on_demand: bool,
) -> str | None:
    """What is wrong with the model's fallbackPool (relative key and message), if anything."""
    if model.fallback_pool is None:
        if pool.spot and require_on_demand:
            return (
                f"fallbackPool: required because pool {pool.name!r} is Spot and"
                " gcp.cluster.requireOnDemandFallback is true; add an on-demand pool with"
                f" machineType {pool.machine_type} and name it here"
            )
        return None
    fallback = pools.get(model.fallback_pool)
    if fallback is None:
        return f"fallbackPool: no pool named {model.fallback_pool!r}; use one of {sorted(pools)}"
    if not pool.spot:
        return f"fallbackPool: pool {pool.name!r} is on-demand already; remove fallbackPool"
    if fallback.spot:
        return f"fallbackPool: {fallback.name!r} is a Spot pool; name an on-demand pool"
    if fallback.machine_type != pool.machine_type:
        return (
            f"fallbackPool: {fallback.name!r} is {fallback.machine_type} but {pool.name!r} is"
            f" {pool.machine_type}; the server is sized for one machine type, use the same"
        )
    return None


def _tenant_problem(model: ModelServerConfig, tenants: list[str]) -> str | None:
    if model.tenants is None:
        return None
    unknown = [t for t in model.tenants if t not in tenants]
    if unknown:
        return f"tenants: {unknown} are not in {NAMESPACE}:tenants; use some of {tenants}"
    duplicates = repeated(model.tenants)
    if duplicates:
        return f"tenants: {duplicates} listed more than once"
    return None


def _cloud_pools(stack: StackConfig) -> dict[Cloud, dict[str, PoolSettings]]:
    pools: dict[Cloud, dict[str, PoolSettings]] = {}
    if stack.gcp is not None:
        pools["gcp"] = {p.name: p for p in stack.gcp.cluster.pools}
    if stack.oci is not None:
        pools["oci"] = {p.name: p for p in stack.oci.cluster.pools}
    return pools


def _resolve_cloud(
    model: ModelServerConfig, pools: dict[Cloud, dict[str, PoolSettings]]
) -> tuple[Cloud | None, str | None]:
    """The cloud a model runs on, or the problem (relative key and message)."""
    holders: list[Cloud] = [c for c, named in pools.items() if model.pool in named]
    if model.cloud is not None:
        if model.cloud not in pools:
            return None, (
                f"cloud: {model.cloud} is not configured; add {NAMESPACE}:{model.cloud}"
                f" or run the model on {' or '.join(pools)}"
            )
        if model.pool not in pools[model.cloud]:
            other = [c for c in holders if c != model.cloud]
            where = f" ({other[0]}.cluster.pools has it: set cloud: {other[0]})" if other else ""
            return None, (
                f"pool: {model.cloud} has no pool named {model.pool!r}{where}; use one of"
                f" {sorted(pools[model.cloud])} ({model.cloud}.cluster.pools[].name)"
            )
        return model.cloud, None
    if len(holders) == 1:
        return holders[0], None
    if len(holders) > 1:
        return None, f"cloud: both clouds have a pool named {model.pool!r}; set cloud: gcp or oci"
    known = {cloud: sorted(named) for cloud, named in pools.items()}
    return None, f"pool: no pool named {model.pool!r}; use one of {known} (<cloud>.cluster.pools)"


def _placement_problem(
    model: ModelServerConfig, cloud: Cloud, stack: StackConfig
) -> tuple[NodePoolSettings | None, str | None]:
    """The GKE fallback pool, or what is wrong with the model's pool choice."""
    if cloud == "oci":
        if model.fallback_pool is not None:
            return None, "fallbackPool: OKE pools here are on-demand; remove fallbackPool"
        return None, None
    assert stack.gcp is not None
    cluster = stack.gcp.cluster
    pools = {p.name: p for p in cluster.pools}
    pool = pools[model.pool]
    problem = _fallback_problem(model, pool, pools, cluster.require_on_demand_fallback)
    fallback = pools.get(model.fallback_pool) if model.fallback_pool else None
    return fallback, problem


@dataclass(frozen=True, kw_only=True)
class _PlacedServer:
    key: str
    config: ModelServerConfig
    cloud: Cloud
    pool: PoolSettings
    fallback_pool: NodePoolSettings | None
    plan: ServerPlan


_CACHE_MEDIUM: dict[Cloud, WeightsSource] = {
    "gcp": WeightsSource.GCS_FUSE,
    "oci": WeightsSource.OCI_COPY,
}


def delivery(stack: StackConfig, cloud: Cloud) -> Delivery:
    """How this cloud's nodes get images and weights: its cache medium when the cache is on;
    image streaming on GKE when enabled (OKE has no equivalent)."""
    streaming = cloud == "gcp" and stack.gcp is not None and stack.gcp.cluster.image_streaming
    return Delivery(
        weights=_CACHE_MEDIUM[cloud] if stack.weights_cache.enabled else WeightsSource.HUB,
        image_streaming=streaming,
    )


def _plan_servers(stack: StackConfig, has_hf_token: bool) -> tuple[list[_PlacedServer], list[str]]:
    pools = _cloud_pools(stack)
    servers: list[_PlacedServer] = []
    problems: list[str] = []
    tenants = [t.name for t in stack.tenants]
    for index, model in enumerate(stack.served_models):
        key = f"{NAMESPACE}:models[{index}]"
        cloud, problem = _resolve_cloud(model, pools)
        fallback = None
        if cloud is not None:
            fallback, problem = _placement_problem(model, cloud, stack)
        problem = problem or _tenant_problem(model, tenants)
        if problem is not None or cloud is None:
            problems.append(f"{key}.{problem}")
            continue
        pool = pools[cloud][model.pool]
        request = PlanRequest(
            checkpoint=model.checkpoint,
            shape=pool.shape,
            resources=model.resources,
            tenants=tuple(model.tenants or tenants),
            has_hf_token=has_hf_token,
            pods_per_gpu=pool.pods_per_gpu,
            delivery=delivery(stack, cloud),
        )
        try:
            plan = plan_server(model.server, request)
        except SettingError as error:
            problems.append(f"{key}.{error.key}: {error.message}")
            continue
        servers.append(
            _PlacedServer(
                key=key, config=model, cloud=cloud, pool=pool, fallback_pool=fallback, plan=plan
            )
        )
    return servers, problems


def _pool_reach(stack: StackConfig, server: _PlacedServer) -> PoolReach:
    pools: list[PoolSettings] = [server.pool]
    if server.fallback_pool is not None:
        pools.append(server.fallback_pool)
    max_nodes = sum(p.max_nodes for p in pools)
    nodes, description = max_nodes, f"maxNodes {max_nodes}"
    if server.cloud == "gcp":
        assert stack.gcp is not None
        zones = len(stack.gcp.cluster.zones)
        # GKE's autoscaling bounds are per zone.
        nodes, description = max_nodes * zones, f"maxNodes {max_nodes} x {zones} zones"
    if server.fallback_pool is not None:
        description += f", with fallback pool {server.fallback_pool.name!r}"
    return PoolReach(
        name=server.pool.name,
        shape=server.pool.shape,
        nodes=nodes,
        pods_per_gpu=server.pool.pods_per_gpu,
        description=description,
    )


def _scale_servers(
    stack: StackConfig, placed: list[_PlacedServer]
) -> tuple[list[PlannedServer], list[str]]:
    groups: dict[tuple[Cloud, str], list[ScalingRequest]] = {}
    for server in placed:
        groups.setdefault((server.cloud, server.pool.name), []).append(
            ScalingRequest(
                key=server.key,
                name=server.config.name,
                replicas=server.config.replicas,
                autoscaling=server.config.autoscaling,
                plan=server.plan,
                pool=_pool_reach(stack, server),
            )
        )
    scaling: dict[str, ScalingPlan] = {}
    problems: list[str] = []
    for requests in groups.values():
        plans, pool_problems = plan_pool(requests)
        scaling.update(plans)
        problems += pool_problems
    if problems:
        return [], problems
    return [
        PlannedServer(
            config=s.config,
            cloud=s.cloud,
            pool=s.pool,
            fallback_pool=s.fallback_pool,
            plan=s.plan,
            scaling=scaling[s.config.name],
        )
        for s in placed
    ], []


def _certificate_problems(stack: StackConfig, servers: list[PlannedServer]) -> list[str]:
    """Each GKE model is served at `<name>.<domain>`, which the managed certificate must cover."""
    domain = stack.gcp.edge.domain if stack.gcp is not None else None
    if domain is None:
        return []
    on_gke = {s.config.name for s in servers if s.cloud == "gcp"}
    return [
        f"{NAMESPACE}:models[{index}].name: {host} is {len(host)} characters but a"
        f" Google-managed certificate takes at most {MANAGED_CERTIFICATE_DOMAIN_MAX} per domain;"
        " shorten the model name or gcp.edge.domain"
        for index, model in enumerate(stack.served_models)
        if model.name in on_gke
        and len(host := f"{model.name}.{domain}") > MANAGED_CERTIFICATE_DOMAIN_MAX
    ]


OCI_USAGE_PLANS_PER_TENANCY = 20
"""API Gateway service limit (not raisable): one usage plan per tenant."""


def _cloud_problems(stack: StackConfig, servers: list[PlannedServer]) -> list[str]:
    problems = [
        f"{NAMESPACE}:{cloud}: no model runs on it; add a model with cloud: {cloud} (or a pool"
        f" of {cloud}) to {NAMESPACE}:models, or remove {NAMESPACE}:{cloud}"
        for cloud, settings in (("gcp", stack.gcp), ("oci", stack.oci))
        if settings is not None and not any(s.cloud == cloud for s in servers)
    ]
    built_on_oke = [
        s.config.name for s in servers if s.cloud == "oci" and s.plan.image.build is not None
    ]
    if stack.oci is not None and built_on_oke and stack.oci.llama_cpp_image is None:
        problems.append(
            f"{NAMESPACE}:oci.llamaCppImage: required because {built_on_oke} run llama.cpp on"
            " OKE; build images/llama-server for linux/arm64 and linux/amd64, push it to a"
            " registry the nodes can pull from (see README) and set its pinned reference"
        )
    if stack.oci is not None and len(stack.tenants) > OCI_USAGE_PLANS_PER_TENANCY:
        problems.append(
            f"{NAMESPACE}:tenants: {len(stack.tenants)} tenants, but OCI API Gateway allows"
            f" {OCI_USAGE_PLANS_PER_TENANCY} usage plans per tenancy (one per tenant); merge"
            " tenants or serve the extra ones from Google Cloud only"
        )
    return problems


def frontend_target(stack: StackConfig, servers: list[PlannedServer]) -> PlannedServer | None:
    """The self-hosted model the frontend calls: the one it names, else the first on Google
    Cloud (the edge's default backend), else the first; None without a frontend."""
    frontend = stack.gcp.frontend if stack.gcp is not None else None
    if frontend is None or not servers:
        return None
    named = {s.config.name: s for s in servers}
    if frontend.model is not None:
        return named.get(frontend.model)
    return next((s for s in servers if s.cloud == "gcp"), servers[0])


def _frontend_problems(stack: StackConfig, servers: list[PlannedServer]) -> list[str]:
    if stack.gcp is None or stack.gcp.frontend is None:
        return []
    frontend = stack.gcp.frontend
    key = f"{NAMESPACE}:gcp.frontend"
    tenants = [t.name for t in stack.tenants]
    if frontend.tenant not in tenants:
        return [
            f"{key}.tenant: {frontend.tenant!r} is not in {NAMESPACE}:tenants; add it there"
            f" or use one of {tenants}"
        ]
    target = frontend_target(stack, servers)
    if target is None:
        return [
            f"{key}.model: no model named {frontend.model!r}; use one of"
            f" {[s.config.name for s in servers]}"
        ]
    accepted = target.config.tenants
    if accepted is not None and frontend.tenant not in accepted:
        return [
            f"{key}.tenant: model {target.config.name!r} accepts only {accepted}; add"
            f" {frontend.tenant!r} to its tenants or pick another tenant"
        ]
    first_on_gke = next((s for s in servers if s.cloud == "gcp"), None)
    if target.cloud == "gcp" and target is not first_on_gke and stack.gcp.edge.domain is None:
        return [
            f"{key}.model: {target.config.name!r} is served at {target.config.name}.<domain>,"
            " and gcp.edge.domain is not set (without a domain the edge serves only its default"
            f" model {first_on_gke.config.name if first_on_gke else None!r}); set a domain or"
            " pick that model"
        ]
    return []


def _candidate(server: PlannedServer, tenants: list[str]) -> ServerCandidate:
    settings = server.config.server
    return ServerCandidate(
        name=server.config.name,
        engine=settings.type,
        model=server.config.model,
        tenants=tuple(server.config.tenants or tenants),
        context=server.plan.context,
        slots=settings.parallel if isinstance(settings, LlamaCppSettings) else 1,
    )


def load_test_plans(
    stack: StackConfig, servers: list[PlannedServer], *, has_hf_token: bool
) -> tuple[list[PlannedLoadTest], list[str]]:
    """The load tests to run (explicit, or the article defaults) and every problem."""
    configured = stack.load_tests if stack.load_tests is not None else default_load_tests()
    if not configured or not servers:
        return [], []
    if not has_hf_token:
        if stack.load_tests is None:
            # The defaults stay out of the way of a stack that serves only ungated models.
            return [], []
        # GuideLLM sizes its synthetic prompts with the served model's tokenizer, and each
        # base repository in the catalogue (Meta, Google) is gated.
        return [], [
            f"{NAMESPACE}:loadTests: the benchmark downloads the models' gated tokenizers, which"
            f" needs {NAMESPACE}:huggingFaceToken; set it (`pulumi config set --secret"
            f" {NAMESPACE}:huggingFaceToken hf_...`) or set loadTests to []"
        ]
    tenants = [t.name for t in stack.tenants]
    planned, problems = plan_load_tests(
        configured, [_candidate(s, tenants) for s in servers], tenants
    )
    return planned, [f"{NAMESPACE}:{p}" for p in problems]


def validate(
    raw: dict[str, Any], *, has_hf_token: bool
) -> tuple[StackConfig, list[PlannedServer]]:
    """Validate raw config values; raise ConfigError listing every problem."""
    stack, servers, _ = _validate(raw, has_hf_token=has_hf_token)
    return stack, servers


def _validate(
    raw: dict[str, Any], *, has_hf_token: bool
) -> tuple[StackConfig, list[PlannedServer], list[PlannedLoadTest]]:
    try:
        stack = StackConfig.model_validate(raw)
    except ValidationError as error:
        raise ConfigError([_describe(e) for e in error.errors()]) from None
    placed, problems = _plan_servers(stack, has_hf_token)
    servers: list[PlannedServer] = []
    load_tests: list[PlannedLoadTest] = []
    if not problems:
        servers, problems = _scale_servers(stack, placed)
    problems += _certificate_problems(stack, servers)
    if not problems:
        problems += _cloud_problems(stack, servers) + _frontend_problems(stack, servers)
        load_tests, test_problems = load_test_plans(stack, servers, has_hf_token=has_hf_token)
        problems += test_problems
    if problems:
        raise ConfigError(problems)
    return stack, servers, load_tests


def tenant_secret_key(tenant: str) -> str:
    """The config key holding the secret part of a tenant's key."""
    return f"keySecret-{tenant}"


def load() -> LoadedConfig:
    """Read the stack's Pulumi config; raise ConfigError before any resource is created."""
    config = pulumi.Config(NAMESPACE)
    if config.get_secret("apiKey") is not None:
        raise ConfigError(
            [
                f"{NAMESPACE}:apiKey: one shared key was replaced by per-tenant keys; remove it"
                f" (`pulumi config rm apiKey`), list callers under {NAMESPACE}:tenants, and set"
                f" a tenant's secret with `pulumi config set --secret"
                f" {tenant_secret_key('<tenant>')} ...` if it must not be generated"
            ]
        )
    raw = {
        key: value
        for key in ("gcp", "oci", "models", "tenants", "monitoring", "loadTests", "weightsCache")
        if (value := config.get_object(key)) is not None
    }
    hf_token = config.get_secret("huggingFaceToken")
    stack, servers, load_tests = _validate(raw, has_hf_token=hf_token is not None)
    return LoadedConfig(
        stack=stack,
        servers=servers,
        hf_token=hf_token,
        tenant_secrets={
            t.name: config.get_secret(tenant_secret_key(t.name)) for t in stack.tenants
        },
        load_tests=load_tests,
    )
