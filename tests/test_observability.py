"""Monitoring under mocks on both clouds: pinned charts, monitors, HPAs on the queue, the
adapter rule the HPA reads, dashboards and alerts naming only metrics the servers export."""

import json
import re
from typing import Any

import pytest

from components.observability.alert_rules import alert_groups
from components.observability.dashboards import dashboard_queries, load_dashboard
from components.serving.metrics import (
    DCGM_METRICS,
    LLAMACPP_METRICS,
    TGI_METRICS,
    VLLM_METRICS,
)
from stacks.mock_engine import Recording
from tests.conftest import BASE_CONFIG, run_config
from tests.stack_queries import DEPLOYMENT, NETWORK_POLICY, SERVICE, pod_spec
from tests.test_oci_config import oci_raw

RELEASE = "kubernetes:helm.sh/v3:Release"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"

# Names from outside the model servers that queries may use: OpenCost
# (opencost pkg/costmodel/metrics.go) and kube-state-metrics 2.20 (bundled with the chart).
PLATFORM_METRICS = {
    "node_total_hourly_cost",
    "node_gpu_hourly_cost",
    "container_gpu_allocation",
    "kube_horizontalpodautoscaler_status_current_replicas",
    "kube_horizontalpodautoscaler_spec_max_replicas",
    "kube_pod_container_status_restarts_total",
    "kube_node_status_condition",
    "kube_node_status_capacity",
}
KNOWN = VLLM_METRICS | TGI_METRICS | LLAMACPP_METRICS | DCGM_METRICS | PLATFORM_METRICS
_PROMQL_WORDS = {
    "sum", "by", "rate", "max", "avg", "histogram_quantile", "le", "on", "group_left",
    "and", "deriv", "label_replace", "increase",
}  # fmt: skip


@pytest.fixture(scope="module")
def mixed() -> Recording:
    raw: dict[str, Any] = json.loads(json.dumps(BASE_CONFIG))
    raw["gcp"]["cluster"]["pools"].append(
        {"name": "arm", "machineType": "t2a-standard-16", "maxNodes": 2}
    )
    raw["gcp"]["monitoringNamespaces"] = ["gmp-system"]
    raw["models"].append(
        {
            "name": "chat-cpu",
            "model": "llama-3.1-8b-instruct-q8_0-gguf",
            "pool": "arm",
            "server": {"type": "llamacpp"},
        }
    )
    return run_config(raw)


@pytest.fixture(scope="module")
def oke() -> Recording:
    return run_config(oci_raw())


def releases(recording: Recording) -> dict[str, dict[str, Any]]:
    return {r.inputs.get("name", r.name): r.inputs for r in recording.of_type(RELEASE)}


def test_charts_are_pinned_from_their_repositories(mixed) -> None:
    charts = {
        name: (r["chart"], r["version"], r["repositoryOpts"]["repo"])
        for name, r in releases(mixed).items()
    }
    community = "https://prometheus-community.github.io/helm-charts"
    assert charts == {
        "kps": ("kube-prometheus-stack", "88.5.3", community),
        "prometheus-adapter": ("prometheus-adapter", "5.3.0", community),
        "dcgm-exporter": (
            "dcgm-exporter",
            "4.8.2",
            "https://nvidia.github.io/dcgm-exporter/helm-charts",
        ),
        "opencost": ("opencost", "2.5.17", "https://opencost.github.io/opencost-helm-chart"),
    }


def test_prometheus_keeps_its_data_and_reads_every_monitor(mixed) -> None:
    values = releases(mixed)["kps"]["values"]
    spec = values["prometheus"]["prometheusSpec"]
    claim = spec["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["storageClassName"] == "standard-rwo"
    assert claim["resources"]["requests"]["storage"] == "50Gi"
    assert (spec["retention"], spec["retentionSize"]) == ("15d", "45GiB")
    assert spec["serviceMonitorSelectorNilUsesHelmValues"] is False
    assert spec["ruleSelectorNilUsesHelmValues"] is False
    assert values["grafana"]["admin"]["existingSecret"] == "grafana-admin"
    assert values["kubeEtcd"]["enabled"] is False


def test_each_server_gets_a_monitor_on_its_service_port(mixed) -> None:
    monitors = {m.inputs["metadata"]["name"]: m.inputs for m in mixed.of_type(SERVICE_MONITOR)}
    assert set(monitors) == {"llama-3-1-8b", "chat-cpu"}
    for name, monitor in monitors.items():
        service = mixed.one(SERVICE, f"{name}-service").inputs
        assert monitor["spec"]["selector"]["matchLabels"] == service["metadata"]["labels"]
        [endpoint] = monitor["spec"]["endpoints"]
        assert endpoint["port"] == service["spec"]["ports"][0]["name"]
        assert endpoint["path"] == "/metrics"
    # llama-server guards /metrics: the monitor sends the scrape key the pod also accepts.
    [llama_endpoint] = monitors["chat-cpu"]["spec"]["endpoints"]
    assert llama_endpoint["authorization"]["credentials"] == {
        "name": "metrics-scrape-key",
        "key": "key",
    }
    assert "authorization" not in monitors["llama-3-1-8b"]["spec"]["endpoints"][0]
    volumes = {v["name"]: v for v in pod_spec(mixed, "chat-cpu-deployment")["volumes"]}
    assert volumes["scrape-key"]["secret"]["secretName"] == "metrics-scrape-key"


def test_hpa_scales_the_deployment_on_the_metric_the_adapter_serves(mixed) -> None:
    rules = releases(mixed)["prometheus-adapter"]["values"]["rules"]["custom"]
    served = {r["name"]["as"]: r["seriesQuery"] for r in rules}
    hpas = {h.inputs["metadata"]["name"]: h.inputs["spec"] for h in mixed.of_type(HPA)}
    assert set(hpas) == {"llama-3-1-8b", "chat-cpu"}
    for name, spec in hpas.items():
        deployment = mixed.one(DEPLOYMENT, f"{name}-deployment").inputs
        assert spec["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": deployment["metadata"]["name"],
        }
        [metric] = spec["metrics"]
        assert metric["type"] == "Pods"
        assert metric["pods"]["target"] == {"type": "AverageValue", "averageValue": "2"}
        assert metric["pods"]["metric"]["name"] in served
    vllm = hpas["llama-3-1-8b"]
    assert vllm["metrics"][0]["pods"]["metric"]["name"] == "vllm_num_requests_waiting"
    assert 'vllm:num_requests_waiting",namespace!=""' in served["vllm_num_requests_waiting"]
    assert (vllm["minReplicas"], vllm["maxReplicas"]) == (1, 3)
    # The window keeps a replica as long as it takes to get one back (node + image + load).
    assert 300 <= vllm["behavior"]["scaleDown"]["stabilizationWindowSeconds"] <= 3600
    assert hpas["chat-cpu"]["metrics"][0]["pods"]["metric"]["name"] == (
        "llamacpp_requests_deferred"
    )
    # The HPA owns replicas: Pulumi leaves them alone on update.
    assert "spec.replicas" in mixed.one(DEPLOYMENT, "llama-3-1-8b-deployment").ignore_changes


def test_crd_users_wait_for_the_chart_that_installs_the_crds(mixed) -> None:
    kps = next(r for r in mixed.of_type(RELEASE) if r.inputs["name"] == "kps").urn
    for resource in [*mixed.of_type(SERVICE_MONITOR), *mixed.of_type(PROMETHEUS_RULE)]:
        assert kps in resource.dependencies, resource.name


def test_network_policy_admits_the_monitoring_namespace_even_when_not_listed(mixed) -> None:
    policy = mixed.one(NETWORK_POLICY).inputs
    namespaces = [
        peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for peer in policy["spec"]["ingress"][0]["from"]
        if "namespaceSelector" in peer
    ]
    assert namespaces == ["monitoring", "gmp-system"]


def test_gke_gpu_exporter_mounts_the_host_driver_and_tolerates_gpu_nodes(mixed) -> None:
    values = releases(mixed)["dcgm-exporter"]["values"]
    assert values["extraHostVolumes"] == [
        {"name": "nvidia-driver", "hostPath": "/home/kubernetes/bin/nvidia"}
    ]
    assert values["tolerations"] == [
        {"key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"}
    ]
    term = values["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert term["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] == ["l4"]


def test_opencost_uses_the_price_table_on_gke_and_oracles_price_list_on_oke(mixed, oke) -> None:
    gke = releases(mixed)["opencost"]["values"]["opencost"]
    assert gke["customPricing"]["enabled"] is True
    assert gke["exporter"]["extraEnv"] == {"USE_CUSTOM_PROVIDER": "true"}
    assert gke["prometheus"]["internal"]["serviceName"] == "kps-prometheus"
    oke = releases(oke)["opencost"]["values"]["opencost"]
    assert "customPricing" not in oke and "extraEnv" not in oke["exporter"]


def test_oke_monitoring_uses_block_volumes_and_the_oci_metrics_datasource(oke) -> None:
    values = releases(oke)["kps"]["values"]
    spec = values["prometheus"]["prometheusSpec"]["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert spec["storageClassName"] == "oci-bv"
    assert values["grafana"]["plugins"] == ["oci-metrics-datasource"]
    [source] = values["grafana"]["additionalDataSources"]
    assert source["jsonData"]["environment"] == "OCI Instance"
    assert "extraHostVolumes" not in releases(oke)["dcgm-exporter"]["values"]
    policy = oke.one("oci:Identity/policy:Policy", "oci-grafana-metrics-policy")
    assert "to read metrics in compartment id" in policy.inputs["statements"][0]


def test_dashboards_are_loaded_by_the_grafana_sidecar(mixed) -> None:
    maps = {c.inputs["metadata"].get("name", ""): c.inputs for c in mixed.of_type(CONFIG_MAP)}
    boards = {n: m for n, m in maps.items() if n.startswith("llm-platform-dashboard-")}
    assert set(boards) == {
        f"llm-platform-dashboard-{b}" for b in ("vllm", "llamacpp", "cost", "gpu")
    }
    for board in boards.values():
        assert board["metadata"]["labels"] == {"grafana_dashboard": "1"}


def metric_names(expr: str) -> set[str]:
    without_labels = re.sub(r"\{[^}]*\}", "", re.sub(r'"[^"]*"', "", expr))
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_labels)
    words = set(re.findall(r"[A-Za-z_:][A-Za-z0-9_:]*", without_ranges))
    return {w for w in words if w not in _PROMQL_WORDS and not w.startswith("__")} - {
        "service", "pod", "node", "Hostname", "gpu", "instance_type", "finished_reason", "e6",
    }  # fmt: skip


@pytest.mark.parametrize("board", ["vllm", "llamacpp", "gpu", "cost"])
def test_dashboard_queries_name_only_exported_metrics(board) -> None:
    for expr in dashboard_queries(load_dashboard(board)):
        assert metric_names(expr) <= KNOWN, expr


def test_alert_expressions_name_only_exported_metrics() -> None:
    queues = {"vllm:num_requests_waiting", "tgi_queue_size", "llamacpp:requests_deferred"}
    rules = [r for g in alert_groups(queues, "llm") for r in g["rules"]]
    assert {r["alert"] for r in rules} >= {
        "ModelServerQueueGrowing",
        "VllmKvCacheNearlyFull",
        "ModelServerRestarting",
        "GpuNodeNotReady",
    }
    for rule in rules:
        assert metric_names(rule["expr"]) <= KNOWN, rule["expr"]


def test_metric_name_check_catches_a_renamed_metric() -> None:
    assert metric_names('sum(rate(vllm:gpu_cache_usage_perc{a="b"}[5m]))') - KNOWN == {
        "vllm:gpu_cache_usage_perc"
    }
