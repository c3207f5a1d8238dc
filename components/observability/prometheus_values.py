"""Values for kube-prometheus-stack and prometheus-adapter, built from typed settings."""

from collections.abc import Iterable
from typing import Any

from components.observability.charts import (
    KUBE_PROMETHEUS_STACK,
    PROMETHEUS_PORT,
    PROMETHEUS_SERVICE,
)
from components.observability.settings import MonitoringConfig
from components.serving.autoscaling import custom_metric_name

DASHBOARD_LABEL = "grafana_dashboard"
"""The Grafana sidecar loads every ConfigMap with this label set to "1" (chart default)."""
GRAFANA_ADMIN_USER_KEY = "admin-user"
GRAFANA_ADMIN_PASSWORD_KEY = "admin-password"
_RETENTION_SHARE = 0.9
"""Prometheus drops old blocks at 90% of its volume instead of failing on a full disk."""


def _volume_claim(storage_class: str, size_gb: int) -> dict[str, Any]:
    return {
        "volumeClaimTemplate": {
            "spec": {
                "storageClassName": storage_class,
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": f"{size_gb}Gi"}},
            }
        }
    }


def kube_prometheus_stack_values(
    settings: MonitoringConfig,
    *,
    storage_class: str,
    grafana_admin_secret: str,
    grafana_plugins: Iterable[str] = (),
    grafana_datasources: Iterable[dict[str, Any]] = (),
) -> dict[str, Any]:
    return {
        "fullnameOverride": KUBE_PROMETHEUS_STACK.release,
        # GKE and OKE run the control plane themselves: etcd, the scheduler and the controller
        # manager cannot be scraped, and GKE Dataplane V2 has no kube-proxy at all.
        "kubeControllerManager": {"enabled": False},
        "kubeScheduler": {"enabled": False},
        "kubeEtcd": {"enabled": False},
        "kubeProxy": {"enabled": False},
        "prometheus": {
            "prometheusSpec": {
                "retention": f"{settings.retention_days}d",
                "retentionSize": f"{int(settings.prometheus_storage_gb * _RETENTION_SHARE)}GiB",
                "storageSpec": _volume_claim(storage_class, settings.prometheus_storage_gb),
                # Select every monitor and rule in the cluster, not only this release's: the
                # model servers' monitors and the DCGM/OpenCost ones come from elsewhere.
                "serviceMonitorSelectorNilUsesHelmValues": False,
                "podMonitorSelectorNilUsesHelmValues": False,
                "ruleSelectorNilUsesHelmValues": False,
            }
        },
        "alertmanager": {
            "alertmanagerSpec": {
                "storage": _volume_claim(storage_class, settings.alertmanager_storage_gb)
            }
        },
        "grafana": {
            # The chart's default password is public (`prom-operator`): use a generated one.
            "admin": {
                "existingSecret": grafana_admin_secret,
                "userKey": GRAFANA_ADMIN_USER_KEY,
                "passwordKey": GRAFANA_ADMIN_PASSWORD_KEY,
            },
            "persistence": {
                "enabled": True,
                "storageClassName": storage_class,
                "size": f"{settings.grafana_storage_gb}Gi",
            },
            "sidecar": {
                "dashboards": {
                    "enabled": True,
                    "label": DASHBOARD_LABEL,
                    "labelValue": "1",
                    "searchNamespace": "ALL",
                }
            },
            "plugins": list(grafana_plugins),
            "additionalDataSources": list(grafana_datasources),
        },
    }


def prometheus_url(namespace: str) -> str:
    return f"http://{PROMETHEUS_SERVICE}.{namespace}.svc"


def adapter_rule(queue_metric: str) -> dict[str, Any]:
    """Serve a per-pod Prometheus gauge as a Pods metric of the custom metrics API."""
    return {
        "seriesQuery": f'{{__name__="{queue_metric}",namespace!="",pod!=""}}',
        "resources": {
            "overrides": {"namespace": {"resource": "namespace"}, "pod": {"resource": "pod"}}
        },
        "name": {"matches": f"^{queue_metric}$", "as": custom_metric_name(queue_metric)},
        "metricsQuery": "sum(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)",
    }


def prometheus_adapter_values(namespace: str, queue_metrics: Iterable[str]) -> dict[str, Any]:
    return {
        "prometheus": {"url": prometheus_url(namespace), "port": PROMETHEUS_PORT},
        # Two replicas: the HPAs of every model server stop scaling while the API is down.
        "replicas": 2,
        "rules": {
            "default": False,
            "custom": [adapter_rule(m) for m in sorted(set(queue_metrics))],
        },
    }
