"""One model server on any Kubernetes cluster: Deployment, ClusterIP Service and PDB."""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components import PACKAGE
from components.clusters.placement import NodePlacement
from components.serving.network_policy import MODEL_SERVER_COMPONENT
from components.serving.pod_spec import PORT_NAME, model_server_pod_spec
from components.serving.secret_files import SecretFiles
from components.serving.server_plan import ServerPlan
from components.weights.mounts import WeightsMount

SECRET_REVISION_ANNOTATION = "llm-platform/secret-revision"


@dataclass(frozen=True, kw_only=True)
class ModelServerArgs:
    namespace: pulumi.Input[str]
    plan: ServerPlan
    placement: NodePlacement
    secrets: SecretFiles
    service_account_name: pulumi.Input[str]
    replicas: int = 1
    service_annotations: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Cloud-specific Service annotations (e.g. GKE's BackendConfig and NEG bindings)."""
    service_type: str = "ClusterIP"
    """LoadBalancer: the cloud controller builds a load balancer from the annotations."""
    image: pulumi.Input[str] | None = None
    """The image reference, when it is only known at deploy time (built and pushed by the
    stack, by digest); None: the plan's pinned reference."""
    weights: WeightsMount | None = None
    """How the pod reads the checkpoint from the weights cache; None: from Hugging Face."""
    after: Sequence[pulumi.Resource] = ()
    """What must exist before the pods start: the cache's fill Job and the read grant."""


def readiness_timeouts(plan: ServerPlan, replicas: int) -> pulumi.CustomTimeouts:
    """How long `pulumi up` waits for the server to become ready.

    pulumi-kubernetes gives a Deployment (and a Service, until a ready pod backs it) 10 minutes;
    a model server from an empty pool needs a node, the image and the weights first (the
    start-up budget, with the image mirror still cold). Creation starts every replica at once;
    an update replaces them one by one (maxSurge 1).
    """
    minutes = math.ceil(plan.startup.deploy_seconds / 60)
    return pulumi.CustomTimeouts(create=f"{minutes}m", update=f"{minutes * replicas}m")


class ModelServer(pulumi.ComponentResource):
    service_name: str
    """The Service's name (the component's), known before the Service exists: callers such as
    an Ingress use it without waiting for pulumi-kubernetes to report the Service ready."""
    port: int
    """Port of the Service and of the OpenAI-compatible API (`/v1`) and `/metrics`."""
    labels: dict[str, str]
    load_balancer_address: pulumi.Output[str] | None
    """The load balancer's address; None unless service_type is LoadBalancer."""

    def __init__(
        self, name: str, args: ModelServerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:serving:ModelServer", name, None, opts)
        if (args.weights is None) != (args.plan.weights_dir is None):
            raise ValueError(
                f"{name}: the plan reads weights from {args.plan.weights_dir or 'Hugging Face'}"
                " but ModelServerArgs.weights says otherwise"
            )
        if args.image is None and args.plan.image.build is not None:
            raise ValueError(
                f"{args.plan.image.reference} is built from this repository: pass the pushed"
                " image's reference as ModelServerArgs.image"
            )
        child = pulumi.ResourceOptions(parent=self)
        timeouts = readiness_timeouts(args.plan, args.replicas)
        self.labels = {
            "app.kubernetes.io/name": name,
            **MODEL_SERVER_COMPONENT,
            "app.kubernetes.io/part-of": "llm-platform",
        }
        self.port = args.plan.port
        metadata = k8s.meta.v1.ObjectMetaArgs(
            name=name, namespace=args.namespace, labels=self.labels
        )
        k8s.apps.v1.Deployment(
            f"{name}-deployment",
            metadata=metadata,
            spec=k8s.apps.v1.DeploymentSpecArgs(
                replicas=args.replicas,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=self.labels),
                # Surge one pod at a time: the autoscaler adds a GPU node for it if needed,
                # and the old pod keeps serving until the new one passes its readiness probe.
                strategy=k8s.apps.v1.DeploymentStrategyArgs(
                    type="RollingUpdate",
                    rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(
                        max_surge=1, max_unavailable=0
                    ),
                ),
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        labels=self.labels,
                        annotations={
                            # Servers read their secrets once at start: roll them on a change.
                            SECRET_REVISION_ANNOTATION: args.secrets.revision,
                            **(args.weights.annotations if args.weights else {}),
                        },
                    ),
                    spec=model_server_pod_spec(
                        args.plan,
                        args.image or args.plan.image.reference,
                        args.placement,
                        args.secrets,
                        args.service_account_name,
                        args.weights,
                    ),
                ),
            ),
            opts=pulumi.ResourceOptions(
                parent=self,
                ignore_changes=["spec.replicas"],
                custom_timeouts=timeouts,
                depends_on=list(args.after),
            ),
        )
        service = k8s.core.v1.Service(
            f"{name}-service",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=name,
                namespace=args.namespace,
                labels=self.labels,
                annotations=dict(args.service_annotations) or None,
            ),
            spec=k8s.core.v1.ServiceSpecArgs(
                type=args.service_type,
                selector=self.labels,
                ports=[
                    k8s.core.v1.ServicePortArgs(
                        name=PORT_NAME, port=self.port, target_port=PORT_NAME, protocol="TCP"
                    )
                ],
            ),
            # Ready once a pod backs it: as long as the Deployment, not pulumi-kubernetes' 10 min.
            opts=pulumi.ResourceOptions(parent=self, custom_timeouts=timeouts),
        )
        # At most one pod down for voluntary disruptions (node upgrades, autoscaler scale-down);
        # with one replica this still lets nodes drain instead of blocking upgrades forever.
        k8s.policy.v1.PodDisruptionBudget(
            f"{name}-pdb",
            metadata=metadata,
            spec=k8s.policy.v1.PodDisruptionBudgetSpecArgs(
                max_unavailable=1,
                selector=k8s.meta.v1.LabelSelectorArgs(match_labels=self.labels),
            ),
            opts=child,
        )
        self.service_name = name
        # pulumi-kubernetes waits for a LoadBalancer Service to get an address before it
        # reports the Service created, so this resolves to the address, never to nothing.
        self.load_balancer_address = (
            service.status.apply(_load_balancer_address)
            if args.service_type == "LoadBalancer"
            else None
        )
        self.register_outputs({"service_name": self.service_name, "port": self.port})


def _load_balancer_address(status: k8s.core.v1.outputs.ServiceStatus | None) -> str:
    balancer = status.load_balancer if status else None
    ingress = (balancer.ingress or []) if balancer else []
    addresses = [a for i in ingress if (a := i.ip or i.hostname)]
    if not addresses:
        raise ValueError("the Service has no load balancer address (is it type LoadBalancer?)")
    return addresses[0]
