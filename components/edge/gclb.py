"""Expose model servers through a Google Cloud external Application Load Balancer (GKE Ingress).

GKE's Ingress controller builds the load balancer from an Ingress of class `gce`, reading the
BackendConfig (health check, timeout, Cloud Armor) named in each Service's annotation and the
FrontendConfig (HTTPS redirect) named in the Ingress annotation.
"""

import json
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components import PACKAGE
from components.edge.cloud_armor import security_policy_rules
from components.edge.public_paths import API_PREFIX, PUBLIC_EXACT_PATHS
from components.edge.settings import EdgeSettings
from components.edge.tenants import Tenant
from components.serving.pod_spec import HEALTH_PATH

# Google Front Ends and health checkers reach container-native (NEG) backends from these ranges
# (https://cloud.google.com/load-balancing/docs/health-check-concepts#ip-ranges).
GCLB_SOURCE_RANGES = ("130.211.0.0/22", "35.191.0.0/16")


def backend_config_name(edge_name: str) -> str:
    return f"{edge_name}-backend"


def gclb_service_annotations(edge_name: str) -> dict[str, str]:
    """What a Service needs to sit behind this edge: container-native NEG and BackendConfig."""
    return {
        "cloud.google.com/neg": json.dumps({"ingress": True}),
        "cloud.google.com/backend-config": json.dumps({"default": backend_config_name(edge_name)}),
    }


@dataclass(frozen=True, kw_only=True)
class ExposedService:
    host_label: str
    """Served at `<host_label>.<domain>` when a domain is set."""
    service_name: str
    """The Service's literal name, not its Output: the Ingress must not wait for a Service,
    which pulumi-kubernetes holds until the model's pods are ready (tens of minutes on a first
    `up`), or the load balancer would not exist after a timed-out run."""
    port: int


@dataclass(frozen=True, kw_only=True)
class GclbEdgeArgs:
    namespace: pulumi.Input[str]
    settings: EdgeSettings
    tenants: list[Tenant]
    default_service: ExposedService
    """Receives requests for the bare domain or IP."""
    services: list[ExposedService]


class GclbEdge(pulumi.ComponentResource):
    ip_address: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    """Base URL of the OpenAI-compatible API (`.../v1`), answered by the default service."""
    endpoints: dict[str, pulumi.Output[str]]
    """Host label -> the base URL reaching that service: the default one on `endpoint`, the
    others on `<label>.<domain>` (without a domain only the default one is reachable)."""
    security_policy: pulumi.Output[str]
    """Name of the Cloud Armor policy attached to every backend."""

    def __init__(
        self, name: str, args: GclbEdgeArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:gcp:GclbEdge", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings
        address = gcp.compute.GlobalAddress(
            f"{name}-ip", address_type="EXTERNAL", ip_version="IPV4", opts=child
        )
        policy = gcp.compute.SecurityPolicy(
            f"{name}-armor",
            description="Rate limits and deny list for the LLM API",
            type="CLOUD_ARMOR",
            rules=security_policy_rules(settings, args.tenants),
            opts=child,
        )
        self._backend_config(name, args, policy.name, child)
        annotations: dict[str, pulumi.Input[str]] = {
            "kubernetes.io/ingress.class": "gce",
            "kubernetes.io/ingress.global-static-ip-name": address.name,
        }
        if settings.domain is not None:
            annotations.update(self._tls(name, args, settings.domain, child))
        else:
            annotations["kubernetes.io/ingress.allow-http"] = "true"
        k8s.networking.v1.Ingress(
            f"{name}-ingress",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=name, namespace=args.namespace, annotations=annotations
            ),
            # No default backend: GKE's own answers 404 to every path outside the rules.
            spec=k8s.networking.v1.IngressSpecArgs(rules=_host_rules(args, settings.domain)),
            opts=child,
        )
        scheme, host = (
            ("https", pulumi.Output.from_input(settings.domain))
            if settings.domain
            else ("http", address.address)
        )
        self.ip_address = address.address
        self.endpoint = pulumi.Output.concat(scheme, "://", host, "/v1")
        self.endpoints = {args.default_service.host_label: self.endpoint}
        if settings.domain is not None:
            self.endpoints |= {
                s.host_label: pulumi.Output.from_input(
                    f"https://{s.host_label}.{settings.domain}/v1"
                )
                for s in args.services
                if s != args.default_service
            }
        self.security_policy = policy.name
        self.register_outputs(
            {
                "ip_address": self.ip_address,
                "endpoint": self.endpoint,
                "security_policy": self.security_policy,
            }
        )

    def _backend_config(
        self,
        name: str,
        args: GclbEdgeArgs,
        policy_name: pulumi.Output[str],
        child: pulumi.ResourceOptions,
    ) -> None:
        settings = args.settings
        k8s.apiextensions.CustomResource(
            f"{name}-backend-config",
            api_version="cloud.google.com/v1",
            kind="BackendConfig",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=backend_config_name(name), namespace=args.namespace
            ),
            spec={
                # The load balancer probes the pod directly (NEG), on the serving port.
                "healthCheck": {
                    "type": "HTTP",
                    "requestPath": HEALTH_PATH,
                    "port": args.default_service.port,
                    "checkIntervalSec": 15,
                    "timeoutSec": 5,
                    "healthyThreshold": 1,
                    "unhealthyThreshold": 2,
                },
                "timeoutSec": settings.backend_timeout_sec,
                "connectionDraining": {"drainingTimeoutSec": settings.draining_timeout_sec},
                "securityPolicy": {"name": policy_name},
                "logging": {"enable": True, "sampleRate": 1.0},
            },
            opts=child,
        )

    def _tls(
        self, name: str, args: GclbEdgeArgs, domain: str, child: pulumi.ResourceOptions
    ) -> dict[str, pulumi.Input[str]]:
        hosts = [domain, *(f"{s.host_label}.{domain}" for s in args.services)]
        k8s.apiextensions.CustomResource(
            f"{name}-certificate",
            api_version="networking.gke.io/v1",
            kind="ManagedCertificate",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=f"{name}-cert", namespace=args.namespace),
            spec={"domains": hosts},
            opts=child,
        )
        k8s.apiextensions.CustomResource(
            f"{name}-frontend-config",
            api_version="networking.gke.io/v1beta1",
            kind="FrontendConfig",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=f"{name}-frontend", namespace=args.namespace),
            spec={
                "redirectToHttps": {
                    "enabled": True,
                    # 308 keeps the method and body; after a 301 clients may replay a POST
                    # as a GET.
                    "responseCodeName": "PERMANENT_REDIRECT",
                }
            },
            opts=child,
        )
        return {
            "networking.gke.io/managed-certificates": f"{name}-cert",
            "networking.gke.io/v1beta1.FrontendConfig": f"{name}-frontend",
            # The redirect answers port 80; everything else is HTTPS.
            "kubernetes.io/ingress.allow-http": "true",
        }


def _backend(service: ExposedService) -> k8s.networking.v1.IngressBackendArgs:
    return k8s.networking.v1.IngressBackendArgs(
        service=k8s.networking.v1.IngressServiceBackendArgs(
            name=service.service_name,
            port=k8s.networking.v1.ServiceBackendPortArgs(number=service.port),
        )
    )


def _public_paths(service: ExposedService) -> k8s.networking.v1.HTTPIngressRuleValueArgs:
    backend = _backend(service)
    paths = [
        k8s.networking.v1.HTTPIngressPathArgs(path=API_PREFIX, path_type="Prefix", backend=backend)
    ] + [
        k8s.networking.v1.HTTPIngressPathArgs(path=path, path_type="Exact", backend=backend)
        for path in PUBLIC_EXACT_PATHS
    ]
    return k8s.networking.v1.HTTPIngressRuleValueArgs(paths=paths)


def _host_rules(args: GclbEdgeArgs, domain: str | None) -> list[k8s.networking.v1.IngressRuleArgs]:
    """The default model on the bare domain (or any host without one), the others on
    `<model>.<domain>`; only the public paths, everything else falls to GKE's 404 backend."""
    default = k8s.networking.v1.IngressRuleArgs(
        host=domain, http=_public_paths(args.default_service)
    )
    if domain is None:
        return [default]
    return [default] + [
        k8s.networking.v1.IngressRuleArgs(
            host=f"{service.host_label}.{domain}", http=_public_paths(service)
        )
        for service in args.services
    ]
