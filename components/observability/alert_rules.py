"""Alert rules (PrometheusRule groups) for the model servers and their GPU nodes.

Server rules are written per server type present, on the metrics the pinned servers export
(components/serving/metrics.py); the node and restart rules use kube-state-metrics 2.20.
"""

from typing import Any

from components.serving.metrics import VLLM_QUEUE

_QUEUE_ALERT_MINUTES = 10


def _rule(alert: str, expr: str, minutes: int, severity: str, summary: str) -> dict[str, Any]:
    return {
        "alert": alert,
        "expr": expr,
        "for": f"{minutes}m",
        "labels": {"severity": severity},
        "annotations": {"summary": summary},
    }


def queue_rule(queue_metric: str, namespace: str) -> dict[str, Any]:
    """The queue keeps growing while the server's HPA is at its maximum: users wait."""
    waiting = f'sum by (service) ({queue_metric}{{namespace="{namespace}"}})'
    hpa = f'{{namespace="{namespace}"}}'
    # The HPA is named after its Deployment and Service: join on that name.
    at_max = (
        f"label_replace(kube_horizontalpodautoscaler_status_current_replicas{hpa}"
        f" >= kube_horizontalpodautoscaler_spec_max_replicas{hpa},"
        ' "service", "$1", "horizontalpodautoscaler", "(.*)")'
    )
    rule = _rule(
        "ModelServerQueueGrowing",
        f"({waiting} > 0 and deriv({waiting}[{_QUEUE_ALERT_MINUTES}m]) > 0)"
        f" and on(service) {at_max}",
        _QUEUE_ALERT_MINUTES,
        "warning",
        "{{ $labels.service }}: requests keep queuing while its autoscaler is at maxReplicas;"
        " raise maxReplicas and the pool's maxNodes",
    )
    rule["labels"]["queue_metric"] = queue_metric
    return rule


def server_rules(queue_metrics: set[str], namespace: str) -> list[dict[str, Any]]:
    rules = [queue_rule(m, namespace) for m in sorted(queue_metrics)]
    if VLLM_QUEUE in queue_metrics:
        rules.append(
            _rule(
                "VllmKvCacheNearlyFull",
                f'max by (service) (vllm:kv_cache_usage_perc{{namespace="{namespace}"}}) > 0.95',
                5,
                "warning",
                "{{ $labels.service }}: KV cache above 95%; requests are being preempted or"
                " queued (lower maxModelLen, use an FP8 KV cache, or add replicas)",
            )
        )
        rules.append(
            _rule(
                "VllmPreempting",
                "sum by (service) (rate(vllm:num_preemptions_total"
                f'{{namespace="{namespace}"}}[5m])) > 0.1',
                10,
                "info",
                "{{ $labels.service }}: vLLM preempts running requests for lack of KV cache",
            )
        )
    return rules


def platform_rules(namespace: str) -> list[dict[str, Any]]:
    return [
        _rule(
            "ModelServerRestarting",
            "increase(kube_pod_container_status_restarts_total"
            f'{{namespace="{namespace}",container="server"}}[30m]) > 2',
            0,
            "critical",
            "{{ $labels.pod }} restarted more than twice in 30 minutes (out of memory, a"
            " failing probe, or a GPU error: see its logs and events)",
        ),
        _rule(
            "GpuNodeNotReady",
            '(kube_node_status_condition{condition="Ready",status="true"} == 0)'
            ' and on(node) (kube_node_status_capacity{resource="nvidia_com_gpu"} > 0)',
            5,
            "critical",
            "GPU node {{ $labels.node }} is not Ready; its model servers are rescheduling",
        ),
    ]


def alert_groups(queue_metrics: set[str], namespace: str) -> list[dict[str, Any]]:
    return [
        {"name": "llm-platform.model-servers", "rules": server_rules(queue_metrics, namespace)},
        {"name": "llm-platform.nodes", "rules": platform_rules(namespace)},
    ]
