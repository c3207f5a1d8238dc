"""The namespace model servers live in: its ServiceAccount and who may reach its servers.

Cloud-neutral: the Kubernetes provider arrives through `opts`; the cloud says which source
ranges its load balancer uses and which annotations bind the ServiceAccount to a cloud identity.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components import PACKAGE
from components.naming import known_name
from components.serving.network_policy import model_server_ingress_policy
from components.serving.scrape_key import scrape_key_secret

SERVICE_ACCOUNT_NAME = "model-server"
"""Fixed, because the cloud identity binding names it before the namespace exists."""


@dataclass(frozen=True, kw_only=True)
class ServingNamespaceArgs:
    namespace: str
    server_port: int
    load_balancer_ranges: Sequence[str]
    """Source ranges of the load balancer's proxies and health checks."""
    monitoring_namespaces: Sequence[str]
    """Namespaces whose pods may scrape `/metrics` on the server port."""
    service_account_annotations: dict[str, pulumi.Input[str]] = field(default_factory=dict)
    """E.g. GKE Workload Identity's `iam.gke.io/gcp-service-account`."""
    scrape_key: bool = False
    """Create the key Prometheus scrapes llama-server with (see scrape_key.py)."""
    client_pods: Sequence[dict[str, str]] = ()
    """Labels of pods in this namespace that may call the servers (load-test Jobs)."""


class ServingNamespace(pulumi.ComponentResource):
    namespace: pulumi.Output[str]
    """The namespace, once created (depend on it through this)."""
    namespace_name: str
    """The same name, known before creation (for values such as alert-rule selectors)."""
    service_account_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: ServingNamespaceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:serving:ServingNamespace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ns = k8s.core.v1.Namespace(
            f"{name}-ns",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.namespace,
                labels={"app.kubernetes.io/part-of": "llm-platform"},
            ),
            opts=child,
        )
        namespace = ns.metadata.apply(lambda m: m.name or args.namespace)
        account = k8s.core.v1.ServiceAccount(
            f"{name}-sa",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=SERVICE_ACCOUNT_NAME,
                namespace=namespace,
                annotations=args.service_account_annotations or None,
            ),
            # Model servers call no Kubernetes API.
            automount_service_account_token=False,
            opts=child,
        )
        model_server_ingress_policy(
            f"{name}-ingress-policy",
            namespace=namespace,
            port=args.server_port,
            source_ranges=args.load_balancer_ranges,
            monitoring_namespaces=args.monitoring_namespaces,
            client_pods=args.client_pods,
            opts=child,
        )
        if args.scrape_key:
            scrape_key_secret(f"{name}-scrape-key", namespace, child)
        self.namespace = namespace
        self.namespace_name = args.namespace
        self.service_account_name = known_name(account, SERVICE_ACCOUNT_NAME)
        self.register_outputs(
            {"namespace": self.namespace, "service_account_name": self.service_account_name}
        )
