"""The whole stack configuration: one pydantic tree, validated before any resource exists.

Pulumi config keys (namespace `llm-platform`):
  gcp                   object  GcpConfig (stacks/gcp_config.py)
  models                list    ModelServerConfig below
  tenants               list    who may call the API, each with its own key and rate limit
  huggingFaceToken      secret  needed for gated models (Llama, Gemma)
  keySecret-<tenant>    secret  optional secret part of a tenant's key; generated when absent
"""

from dataclasses import dataclass
from typing import Annotated, Any

import pulumi
from pydantic import Field, ValidationError, field_validator, model_validator

from components.catalog.models import MODELS, ModelCheckpoint
from components.clusters.gke_pools import NodePoolSettings
from components.config_base import ConfigModel, DnsLabel, SettingError, repeated
from components.edge.settings import MANAGED_CERTIFICATE_DOMAIN_MAX
from components.edge.tenants import TenantList, default_tenants
from components.serving.planner import plan_server
from components.serving.server_plan import PlanRequest, Resources, ServerPlan
from components.serving.settings import ServerSettings, VllmSettings
from stacks.gcp_config import GcpConfig

NAMESPACE = "llm-platform"


class ModelServerConfig(ConfigModel):
    name: DnsLabel
    """Kubernetes name of the Deployment/Service and the host label behind the edge."""
    model: str
    """Catalogue key, e.g. llama-3.1-8b-instruct (see README)."""
    pool: str
    """Name of the node pool (gcp.cluster.pools[].name) to run on."""
    fallback_pool: str | None = None
    """On-demand pool of the same machine type to use when the Spot `pool` has no capacity."""
    replicas: Annotated[int, Field(ge=1, le=100)] = 1
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


def _default_models() -> list[ModelServerConfig]:
    """Article 000: Llama-3.1-8B-Instruct on vLLM on one L4."""
    return [ModelServerConfig(name="llama-3-1-8b", model="llama-3.1-8b-instruct", pool="l4")]


class StackConfig(ConfigModel):
    gcp: GcpConfig
    models: Annotated[list[ModelServerConfig], Field(min_length=1)] = Field(
        default_factory=_default_models
    )
    tenants: TenantList = Field(default_factory=default_tenants)

    @model_validator(mode="after")
    def _unique_tenants(self) -> "StackConfig":
        duplicates = repeated(t.name for t in self.tenants)
        if duplicates:
            raise ValueError(f"tenant names must be unique: {duplicates}")
        return self

    @model_validator(mode="after")
    def _unique_models(self) -> "StackConfig":
        duplicates = repeated(m.name for m in self.models)
        if duplicates:
            raise ValueError(f"model names must be unique: {duplicates}")
        return self


@dataclass(frozen=True, kw_only=True)
class PlannedServer:
    config: ModelServerConfig
    pool: NodePoolSettings
    fallback_pool: NodePoolSettings | None
    plan: ServerPlan


@dataclass(frozen=True, kw_only=True)
class LoadedConfig:
    stack: StackConfig
    servers: list[PlannedServer]
    hf_token: pulumi.Output[str] | None
    tenant_secrets: dict[str, pulumi.Output[str] | None]
    """Tenant -> the secret part of its key set in config, or None to generate one."""


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


def _plan_servers(stack: StackConfig, has_hf_token: bool) -> tuple[list[PlannedServer], list[str]]:
    cluster = stack.gcp.cluster
    pools = {p.name: p for p in cluster.pools}
    servers: list[PlannedServer] = []
    problems: list[str] = []
    tenants = [t.name for t in stack.tenants]
    for index, model in enumerate(stack.models):
        key = f"{NAMESPACE}:models[{index}]"
        pool = pools.get(model.pool)
        if pool is None:
            problems.append(
                f"{key}.pool: no pool named {model.pool!r}; use one of"
                f" {sorted(pools)} (gcp.cluster.pools[].name)"
            )
            continue
        problem = _fallback_problem(
            model, pool, pools, cluster.require_on_demand_fallback
        ) or _tenant_problem(model, tenants)
        if problem is not None:
            problems.append(f"{key}.{problem}")
            continue
        request = PlanRequest(
            checkpoint=model.checkpoint,
            shape=pool.shape,
            resources=model.resources,
            tenants=tuple(model.tenants or tenants),
            has_hf_token=has_hf_token,
            pods_per_gpu=pool.pods_per_gpu,
        )
        try:
            plan = plan_server(model.server, request)
        except SettingError as error:
            problems.append(f"{key}.{error.key}: {error.message}")
            continue
        fallback = pools[model.fallback_pool] if model.fallback_pool else None
        servers.append(PlannedServer(config=model, pool=pool, fallback_pool=fallback, plan=plan))
    return servers, problems


def _certificate_problems(stack: StackConfig) -> list[str]:
    """Each model is served at `<name>.<domain>`, which the managed certificate must cover."""
    domain = stack.gcp.edge.domain
    if domain is None:
        return []
    return [
        f"{NAMESPACE}:models[{index}].name: {host} is {len(host)} characters but a"
        f" Google-managed certificate takes at most {MANAGED_CERTIFICATE_DOMAIN_MAX} per domain;"
        " shorten the model name or gcp.edge.domain"
        for index, model in enumerate(stack.models)
        if len(host := f"{model.name}.{domain}") > MANAGED_CERTIFICATE_DOMAIN_MAX
    ]


def validate(
    raw: dict[str, Any], *, has_hf_token: bool
) -> tuple[StackConfig, list[PlannedServer]]:
    """Validate raw config values; raise ConfigError listing every problem."""
    try:
        stack = StackConfig.model_validate(raw)
    except ValidationError as error:
        raise ConfigError([_describe(e) for e in error.errors()]) from None
    servers, problems = _plan_servers(stack, has_hf_token)
    problems += _certificate_problems(stack)
    if problems:
        raise ConfigError(problems)
    return stack, servers


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
        for key in ("gcp", "models", "tenants")
        if (value := config.get_object(key)) is not None
    }
    hf_token = config.get_secret("huggingFaceToken")
    stack, servers = validate(raw, has_hf_token=hf_token is not None)
    return LoadedConfig(
        stack=stack,
        servers=servers,
        hf_token=hf_token,
        tenant_secrets={
            t.name: config.get_secret(tenant_secret_key(t.name)) for t in stack.tenants
        },
    )
