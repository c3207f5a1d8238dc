"""Wire one cluster's monitoring: the metrics stack, and a monitor and HPA per model server."""

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi

from components.clusters.placement import NodePlacement, Toleration
from components.observability.exporter_values import CustomPrices, GpuNodes
from components.observability.monitoring_stack import MonitoringStack, MonitoringStackArgs
from components.observability.server_autoscaler import ServerAutoscaler, ServerAutoscalerArgs
from components.serving.model_server import ModelServer
from components.serving.namespace import ServingNamespace
from components.serving.pod_spec import PORT_NAME
from stacks.config import LoadedConfig, PlannedServer


def admitted_namespaces(configured: Sequence[str], monitoring_namespace: str) -> list[str]:
    """The NetworkPolicy always admits the namespace Prometheus scrapes from."""
    return list(dict.fromkeys([monitoring_namespace, *configured]))


def gpu_nodes(
    placements: Mapping[str, NodePlacement], driver_host_dir: str | None = None
) -> GpuNodes | None:
    gpu = [p for p in placements.values() if p.shape.has_gpu]
    if not gpu:
        return None
    tolerations: list[Toleration] = []
    for placement in gpu:
        tolerations += [t for t in placement.tolerations if t not in tolerations]
    return GpuNodes(
        pool_label=gpu[0].pool_label,
        pools=[pool for p in gpu for pool in p.pools],
        tolerations=tolerations,
        driver_host_dir=driver_host_dir,
    )


def build_monitoring(
    name: str,
    *,
    config: LoadedConfig,
    cluster_name: str,
    serving: ServingNamespace,
    storage_class: str,
    gpu: GpuNodes | None,
    prices: CustomPrices | None,
    planned: Sequence[PlannedServer],
    servers: Mapping[str, ModelServer],
    opts: pulumi.ResourceOptions,
    grafana_plugins: Sequence[str] = (),
    grafana_datasources: Sequence[dict[str, Any]] = (),
) -> MonitoringStack:
    scaled = [p for p in planned if p.scaling.queue_metric is not None]
    monitoring = MonitoringStack(
        name,
        MonitoringStackArgs(
            settings=config.stack.monitoring,
            cluster_name=cluster_name,
            storage_class=storage_class,
            serving_namespace=serving.namespace_name,
            queue_metrics=sorted({m for p in scaled if (m := p.scaling.queue_metric)}),
            gpu_nodes=gpu,
            prices=prices,
            grafana_plugins=grafana_plugins,
            grafana_datasources=list(grafana_datasources),
        ),
        opts=opts,
    )
    for plan in scaled:
        server = servers[plan.config.name]
        ServerAutoscaler(
            plan.config.name,
            ServerAutoscalerArgs(
                namespace=serving.namespace,
                server_name=server.service_name,
                selector=server.labels,
                port_name=PORT_NAME,
                scaling=plan.scaling,
                first_start_seconds=plan.plan.first_start_seconds,
                scrape_key=plan.plan.scrape_key_needed,
                crds=monitoring.crds,
            ),
            opts=opts,
        )
    return monitoring
