"""Prometheus, Alertmanager, Grafana, the custom-metrics adapter, GPU metrics and OpenCost on
one cluster, from pinned charts, with the platform's dashboards and alert rules.

Cloud-neutral: the Kubernetes provider arrives through `opts`, and the cloud says which
storage class backs the volumes, where the GPU nodes are, and how OpenCost prices them.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components import PACKAGE
from components.observability.alert_rules import alert_groups
from components.observability.charts import (
    DCGM_EXPORTER,
    KUBE_PROMETHEUS_STACK,
    OPENCOST,
    PROMETHEUS_ADAPTER,
    PinnedChart,
)
from components.observability.dashboards import dashboard_names, load_dashboard
from components.observability.exporter_values import (
    CustomPrices,
    GpuNodes,
    dcgm_exporter_values,
    opencost_values,
)
from components.observability.prometheus_values import (
    DASHBOARD_LABEL,
    GRAFANA_ADMIN_PASSWORD_KEY,
    GRAFANA_ADMIN_USER_KEY,
    kube_prometheus_stack_values,
    prometheus_adapter_values,
)
from components.observability.settings import MonitoringConfig

GRAFANA_ADMIN_SECRET = "grafana-admin"
_CHART_TIMEOUT_SECONDS = 900
"""kube-prometheus-stack waits for its volumes, operator and Grafana (plugin downloads)."""


@dataclass(frozen=True, kw_only=True)
class MonitoringStackArgs:
    settings: MonitoringConfig
    cluster_name: str
    """OpenCost's cluster ID."""
    storage_class: str
    serving_namespace: str
    """Where the model servers run: the alert rules watch it."""
    queue_metrics: Sequence[str]
    """The queue gauges the HPAs scale on: the adapter serves each one."""
    gpu_nodes: GpuNodes | None
    """None: no GPU pool, no GPU exporter."""
    prices: CustomPrices | None
    """None: OpenCost prices the nodes from the cloud's public price list (OCI)."""
    grafana_plugins: Sequence[str] = ()
    grafana_datasources: Sequence[dict[str, Any]] = field(default_factory=list)


class MonitoringStack(pulumi.ComponentResource):
    namespace: str
    crds: pulumi.Resource
    """Resources that use the Prometheus Operator's CRDs (ServiceMonitor, PrometheusRule)
    depend on this: the chart installs them."""
    grafana_admin_password: pulumi.Output[str]

    def __init__(
        self, name: str, args: MonitoringStackArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(f"{PACKAGE}:observability:MonitoringStack", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        settings = args.settings
        self.namespace = settings.namespace
        namespace = k8s.core.v1.Namespace(
            f"{name}-ns",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=settings.namespace, labels={"app.kubernetes.io/part-of": "llm-platform"}
            ),
            opts=child,
        )
        in_namespace = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        password = random.RandomPassword(f"{name}-grafana-password", length=32, opts=child)
        admin = k8s.core.v1.Secret(
            f"{name}-grafana-admin",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=GRAFANA_ADMIN_SECRET, namespace=settings.namespace
            ),
            string_data={
                GRAFANA_ADMIN_USER_KEY: "admin",
                GRAFANA_ADMIN_PASSWORD_KEY: password.result,
            },
            opts=in_namespace,
        )
        prometheus = self._release(
            name,
            KUBE_PROMETHEUS_STACK,
            kube_prometheus_stack_values(
                settings,
                storage_class=args.storage_class,
                grafana_admin_secret=GRAFANA_ADMIN_SECRET,
                grafana_plugins=args.grafana_plugins,
                grafana_datasources=args.grafana_datasources,
            ),
            pulumi.ResourceOptions(parent=self, depends_on=[namespace, admin]),
        )
        self.crds = prometheus
        # Charts that ship a ServiceMonitor need the operator's CRDs first.
        with_crds = pulumi.ResourceOptions(parent=self, depends_on=[namespace, prometheus])
        self._release(
            name,
            PROMETHEUS_ADAPTER,
            prometheus_adapter_values(settings.namespace, args.queue_metrics),
            in_namespace,
        )
        if args.gpu_nodes is not None:
            self._release(name, DCGM_EXPORTER, dcgm_exporter_values(args.gpu_nodes), with_crds)
        self._release(
            name,
            OPENCOST,
            opencost_values(settings.namespace, args.cluster_name, args.prices),
            with_crds,
        )
        for board in dashboard_names(has_gpu=args.gpu_nodes is not None):
            k8s.core.v1.ConfigMap(
                f"{name}-dashboard-{board}",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=f"llm-platform-dashboard-{board}",
                    namespace=settings.namespace,
                    labels={DASHBOARD_LABEL: "1"},
                ),
                data={f"{board}.json": json.dumps(load_dashboard(board))},
                opts=in_namespace,
            )
        k8s.apiextensions.CustomResource(
            f"{name}-alerts",
            api_version="monitoring.coreos.com/v1",
            kind="PrometheusRule",
            metadata=k8s.meta.v1.ObjectMetaArgs(name="llm-platform", namespace=settings.namespace),
            spec={"groups": alert_groups(set(args.queue_metrics), args.serving_namespace)},
            opts=with_crds,
        )
        self.grafana_admin_password = pulumi.Output.secret(password.result)
        self.register_outputs({"namespace": self.namespace})

    def _release(
        self,
        name: str,
        chart: PinnedChart,
        values: dict[str, Any],
        opts: pulumi.ResourceOptions,
    ) -> k8s.helm.v3.Release:
        return k8s.helm.v3.Release(
            f"{name}-{chart.release}",
            name=chart.release,
            chart=chart.chart,
            version=chart.version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=chart.repo),
            namespace=self.namespace,
            values=values,
            timeout=_CHART_TIMEOUT_SECONDS,
            opts=opts,
        )
