"""Who may reach the model servers: the load balancer's ranges and the monitoring namespaces.

With a NetworkPolicy selecting the model-server pods, every other source (other namespaces,
other pods in the cluster, anything inside the VPC) is refused; egress stays open because the
servers download weights from Hugging Face and reach the metadata server for Workload Identity.
"""

from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s

MODEL_SERVER_COMPONENT = {"app.kubernetes.io/component": "model-server"}
"""The label every model-server pod carries."""


def model_server_ingress_policy(
    name: str,
    *,
    namespace: pulumi.Input[str],
    port: int,
    source_ranges: Sequence[str],
    monitoring_namespaces: Sequence[str],
    client_pods: Sequence[dict[str, str]] = (),
    opts: pulumi.ResourceOptions,
) -> k8s.networking.v1.NetworkPolicy:
    """`client_pods`: labels of pods in the same namespace that may call the servers (the
    load-test Jobs)."""
    sources = (
        [
            k8s.networking.v1.NetworkPolicyPeerArgs(
                ip_block=k8s.networking.v1.IPBlockArgs(cidr=cidr)
            )
            for cidr in source_ranges
        ]
        + [
            k8s.networking.v1.NetworkPolicyPeerArgs(
                namespace_selector=k8s.meta.v1.LabelSelectorArgs(
                    match_labels={"kubernetes.io/metadata.name": monitoring}
                )
            )
            for monitoring in monitoring_namespaces
        ]
        + [
            k8s.networking.v1.NetworkPolicyPeerArgs(
                pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=labels)
            )
            for labels in client_pods
        ]
    )
    return k8s.networking.v1.NetworkPolicy(
        name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name="model-server-ingress", namespace=namespace),
        spec=k8s.networking.v1.NetworkPolicySpecArgs(
            pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels=MODEL_SERVER_COMPONENT),
            policy_types=["Ingress"],
            ingress=[
                k8s.networking.v1.NetworkPolicyIngressRuleArgs(
                    from_=sources,
                    ports=[k8s.networking.v1.NetworkPolicyPortArgs(port=port, protocol="TCP")],
                )
            ],
        ),
        opts=opts,
    )
