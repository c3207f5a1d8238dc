"""`llm-platform:monitoring`: the metrics stack every cluster of the stack runs."""

from typing import Annotated

from pydantic import Field

from components.config_base import ConfigModel, DnsLabel


class MonitoringConfig(ConfigModel):
    namespace: DnsLabel = "monitoring"
    """Where Prometheus, Grafana, the adapter and OpenCost run; the model servers'
    NetworkPolicy admits it."""
    retention_days: Annotated[int, Field(ge=1, le=365)] = 15
    prometheus_storage_gb: Annotated[int, Field(ge=10, le=16384)] = 50
    """Prometheus' persistent volume; it also stops keeping data at 90% of it."""
    alertmanager_storage_gb: Annotated[int, Field(ge=1, le=1024)] = 5
    grafana_storage_gb: Annotated[int, Field(ge=1, le=1024)] = 10
