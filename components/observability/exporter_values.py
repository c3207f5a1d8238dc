"""Values for the GPU exporter (dcgm-exporter) and OpenCost, built from typed settings."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from components.clusters.placement import Toleration
from components.observability.charts import PROMETHEUS_PORT, PROMETHEUS_SERVICE

_DRIVER_MOUNT = "/usr/local/nvidia"
_DRIVER_VOLUME = "nvidia-driver"


@dataclass(frozen=True, kw_only=True)
class GpuNodes:
    """Where the GPU exporter runs: the GPU pools, by the pool label every node carries."""

    pool_label: str
    pools: Sequence[str]
    tolerations: Sequence[Toleration]
    driver_host_dir: str | None = None
    """GKE installs the NVIDIA driver under the host's /home/kubernetes/bin/nvidia and exposes
    it only to containers that request a GPU: a DaemonSet must mount it itself."""


@dataclass(frozen=True, kw_only=True)
class CustomPrices:
    """OpenCost's custom price model, per hour: a vCPU, a GiB of memory, a GPU; storage per
    GiB-hour. Used where OpenCost would need a pricing API key (Google Cloud)."""

    description: str
    cpu: float
    ram_gib: float
    gpu: float
    spot_cpu: float
    spot_ram_gib: float
    spot_gpu: float
    storage_gib: float


def dcgm_exporter_values(nodes: GpuNodes) -> dict[str, Any]:
    values: dict[str, Any] = {
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {
                                    "key": nodes.pool_label,
                                    "operator": "In",
                                    "values": list(nodes.pools),
                                }
                            ]
                        }
                    ]
                }
            }
        },
        "tolerations": [
            {"key": t.key, "operator": t.operator, "effect": t.effect, **_value(t)}
            for t in nodes.tolerations
        ],
        # Keep the exporter's own pod/namespace labels (the GPU's user), not its scrape target's.
        "serviceMonitor": {"enabled": True, "interval": "30s", "honorLabels": True},
    }
    if nodes.driver_host_dir is not None:
        values |= {
            "extraHostVolumes": [{"name": _DRIVER_VOLUME, "hostPath": nodes.driver_host_dir}],
            "extraVolumeMounts": [
                # Overriding the list drops the chart's own entry: keep its counters file.
                {
                    "name": "exporter-metrics-volume",
                    "mountPath": "/etc/dcgm-exporter/default-counters.csv",
                    "subPath": "default-counters.csv",
                },
                {"name": _DRIVER_VOLUME, "mountPath": _DRIVER_MOUNT, "readOnly": True},
            ],
            "extraEnv": [{"name": "LD_LIBRARY_PATH", "value": f"{_DRIVER_MOUNT}/lib64"}],
            "securityContext": {"privileged": True},
        }
    return values


def _value(toleration: Toleration) -> dict[str, str]:
    return {} if toleration.value is None else {"value": toleration.value}


def opencost_values(
    namespace: str, cluster_id: str, prices: CustomPrices | None
) -> dict[str, Any]:
    exporter: dict[str, Any] = {"defaultClusterId": cluster_id}
    values: dict[str, Any] = {
        "opencost": {
            "prometheus": {
                "internal": {
                    "enabled": True,
                    "serviceName": PROMETHEUS_SERVICE,
                    "namespaceName": namespace,
                    "port": PROMETHEUS_PORT,
                }
            },
            "exporter": exporter,
            "metrics": {"serviceMonitor": {"enabled": True}},
            "ui": {"enabled": True},
        }
    }
    if prices is not None:
        # Skip provider detection: on GKE it needs a Cloud Billing API key and stops without.
        exporter["extraEnv"] = {"USE_CUSTOM_PROVIDER": "true"}
        values["opencost"]["customPricing"] = {
            "enabled": True,
            "provider": "custom",
            "costModel": {
                "description": prices.description,
                "CPU": f"{prices.cpu:.6f}",
                "spotCPU": f"{prices.spot_cpu:.6f}",
                "RAM": f"{prices.ram_gib:.6f}",
                "spotRAM": f"{prices.spot_ram_gib:.6f}",
                "GPU": f"{prices.gpu:.6f}",
                "spotGPU": f"{prices.spot_gpu:.6f}",
                "storage": f"{prices.storage_gib:.8f}",
            },
        }
    return values
