"""Every public way to a model server is rate-limited and routes only the OpenAI-compatible API
(`/v1/...`) and the health check. The servers answer other paths that must stay private: vLLM
checks its API key only under `/v1`, so `/invocations` runs inference for anyone, and `/metrics`,
`/tokenize`, `/load` answer anyone.

- GKE: an external Ingress (class `gce`, GKE's default) routes `/v1` and `/health` only, has no
  default backend, and each Service behind it has a BackendConfig with a Cloud Armor policy; every
  Cloud Armor policy has a rate-limit rule.
- OCI: each API Gateway deployment rate-limits and routes `/v1/...` and `/health` only, and no
  Kubernetes Service opens a public load balancer (it would bypass the gateway).
"""

import json
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

from platform_guard.values import Resource, dig, is_unknown, items, mapping

API_PREFIX = "/v1"
HEALTH_PATH = "/health"
INGRESS = "kubernetes:networking.k8s.io/v1:Ingress"
SERVICE = "kubernetes:core/v1:Service"
BACKEND_CONFIG = "kubernetes:cloud.google.com/v1:BackendConfig"
SECURITY_POLICY = "gcp:compute/securityPolicy:SecurityPolicy"
GATEWAY_DEPLOYMENT = "oci:ApiGateway/deployment:Deployment"
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
INTERNAL_INGRESS_CLASS = "gce-internal"
BACKEND_CONFIG_ANNOTATIONS = (
    "cloud.google.com/backend-config",
    "beta.cloud.google.com/backend-config",
)
RATE_LIMIT_ACTIONS = ("throttle", "rate_based_ban")
INTERNAL_LOAD_BALANCER = {
    "service.beta.kubernetes.io/oci-load-balancer-internal": "true",
    "oci-network-load-balancer.oraclecloud.com/internal": "true",
    "networking.gke.io/load-balancer-type": "Internal",
    "cloud.google.com/load-balancer-type": "Internal",
}
"""Annotations that keep a `LoadBalancer` Service's address private (OKE's load balancer and
network load balancer, GKE)."""


def is_api_path(path: str, exact: bool) -> bool:
    if path == HEALTH_PATH:
        return True
    if exact:
        return path.startswith(f"{API_PREFIX}/")
    return path in (API_PREFIX, f"{API_PREFIX}/") or path.startswith(f"{API_PREFIX}/")


def ingress_problems(ingress: Resource) -> list[str]:
    if ingress.type != INGRESS or not _is_external(ingress):
        return []
    problems = []
    default_backend = dig(ingress.props, "spec", "defaultBackend")
    if default_backend and not is_unknown(default_backend):
        problems.append("external Ingress with a default backend: every other path reaches it")
    for path, path_type in _ingress_paths(ingress):
        if is_unknown(path) or is_unknown(path_type):
            continue  # computed: checked again by `pulumi up`
        if path_type not in ("Exact", "Prefix"):
            problems.append(f"path {path!r}: pathType {path_type!r}; use Exact or Prefix")
        elif not is_api_path(path, exact=path_type == "Exact"):
            problems.append(
                f"path {path!r} is public: only {API_PREFIX}/... and {HEALTH_PATH} may be"
            )
    return problems


def armor_problems(policy: Resource) -> list[str]:
    if policy.type != SECURITY_POLICY or policy.props.get("type") not in (None, "CLOUD_ARMOR"):
        return []
    rules = policy.props.get("rules")
    if is_unknown(rules) or any(_limits_rate(r) for r in items(rules)):
        return []
    return [
        "Cloud Armor policy without a rate limit in force: add a throttle or rate_based_ban"
        " rule (not in preview mode, which only logs)"
    ]


def _limits_rate(rule: Any) -> bool:
    rule = mapping(rule)
    action = rule.get("action")
    return (
        (action in RATE_LIMIT_ACTIONS or is_unknown(action))
        and bool(rule.get("rateLimitOptions"))
        and rule.get("preview") is not True
    )


def gateway_deployment_problems(deployment: Resource) -> list[str]:
    if deployment.type != GATEWAY_DEPLOYMENT:
        return []
    problems = []
    limit = dig(deployment.props, "specification", "requestPolicies", "rateLimiting")
    if not is_unknown(limit) and not mapping(limit).get("rateInRequestsPerSecond"):
        problems.append(
            "API Gateway deployment without rate limiting:"
            " set specification.request_policies.rate_limiting"
        )
    for route in items(dig(deployment.props, "specification", "routes")):
        if not is_unknown(route):
            problems += _route_problems(mapping(route))
    return problems


def _route_problems(route: dict[str, Any]) -> list[str]:
    """The route's path and, since the gateway does not append it, the backend URL's path too:
    a `/v1/...` route to `http://lb:8000/invocations` is as public as `/invocations`."""
    problems = []
    path = route.get("path")
    if not is_unknown(path) and not is_api_path(str(path), exact=True):
        problems.append(
            f"route {path!r} is public: only {API_PREFIX}/... and {HEALTH_PATH} may be"
        )
    url = dig(route, "backend", "url")
    if isinstance(url, str) and not is_unknown(url):
        backend_path = urlsplit(url).path
        if not is_api_path(backend_path, exact=True):
            problems.append(
                f"route {path!r} forwards to {backend_path!r} on the server: only"
                f" {API_PREFIX}/... and {HEALTH_PATH} may be public"
            )
    return problems


def load_balancer_problems(service: Resource) -> list[str]:
    if service.type != SERVICE or dig(service.props, "spec", "type") != "LoadBalancer":
        return []
    annotations = dig(service.props, "metadata", "annotations")
    if is_unknown(annotations) or any(
        mapping(annotations).get(k) == v or is_unknown(mapping(annotations).get(k))
        for k, v in INTERNAL_LOAD_BALANCER.items()
    ):
        return []
    return [
        "LoadBalancer Service with a public address: it serves every path without the edge's"
        " rate limits; make it internal (service.beta.kubernetes.io/oci-load-balancer-internal"
        ' or networking.gke.io/load-balancer-type: "Internal") and expose it through the edge'
    ]


def ingress_backend_problems(resources: Sequence[Resource]) -> list[tuple[str, str]]:
    """(urn, problem) for each Service behind an external Ingress whose BackendConfig is
    missing or carries no Cloud Armor policy that rate-limits."""
    by_name = {(r.type, _namespace(r), _name(r)): r for r in resources}
    by_urn = {r.urn: r for r in resources}
    problems = []
    for ingress in (r for r in resources if r.type == INGRESS and _is_external(r)):
        for service_name in sorted(_backend_services(ingress)):
            service = by_name.get((SERVICE, _namespace(ingress), service_name))
            if service is None:
                continue  # not created by this stack: nothing to check it against
            configs = [
                by_name.get((BACKEND_CONFIG, _namespace(service), config_name))
                for config_name in _backend_config_names(service)
            ]
            problems += [
                (service.urn, f"Service {service_name}: {problem}")
                for problem in _backend_config_problems(configs, by_urn)
            ]
    return problems


def _backend_config_problems(
    configs: list[Resource | None], by_urn: dict[str, Resource]
) -> list[str]:
    if not configs:
        return [
            "behind an external Ingress without a BackendConfig"
            " (cloud.google.com/backend-config) to attach Cloud Armor"
        ]
    problems = []
    for config in configs:
        if config is None:
            problems.append("its BackendConfig is not part of this stack")
        elif not dig(config.props, "spec", "securityPolicy", "name"):
            problems.append(f"BackendConfig {_name(config)} has no spec.securityPolicy")
        elif any(armor_problems(by_urn[u]) for u in config.dependencies if u in by_urn):
            problems.append(
                f"BackendConfig {_name(config)}'s Cloud Armor policy has no rate limit"
            )
    return problems


def _is_external(ingress: Resource) -> bool:
    annotations = mapping(dig(ingress.props, "metadata", "annotations"))
    ingress_class = annotations.get(INGRESS_CLASS_ANNOTATION) or dig(
        ingress.props, "spec", "ingressClassName"
    )
    return ingress_class != INTERNAL_INGRESS_CLASS  # unknown counts as external


def _ingress_paths(ingress: Resource) -> Iterator[tuple[str, str]]:
    for rule in items(dig(ingress.props, "spec", "rules")):
        for path in items(dig(rule, "http", "paths")):
            path = mapping(path)
            yield str(path.get("path", "/")), str(path.get("pathType"))


def _backend_services(ingress: Resource) -> set[str]:
    names = {
        dig(path, "backend", "service", "name")
        for rule in items(dig(ingress.props, "spec", "rules"))
        for path in items(dig(rule, "http", "paths"))
    }
    return {n for n in names if isinstance(n, str) and not is_unknown(n)}


def _backend_config_names(service: Resource) -> list[str]:
    """From `{"default": name}` and/or `{"ports": {port: name}}`."""
    annotations = mapping(dig(service.props, "metadata", "annotations"))
    value = next((annotations[k] for k in BACKEND_CONFIG_ANNOTATIONS if k in annotations), None)
    if not isinstance(value, str) or is_unknown(value):
        return []
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError:
        return []
    if not isinstance(parsed, dict):
        return []
    names = [parsed.get("default")]
    ports = parsed.get("ports")
    if isinstance(ports, dict):
        names += list(ports.values())
    return [n for n in names if isinstance(n, str)]


def _namespace(resource: Resource) -> str:
    return str(dig(resource.props, "metadata", "namespace") or "default")


def _name(resource: Resource) -> str:
    return str(dig(resource.props, "metadata", "name") or resource.name)
