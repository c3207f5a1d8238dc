"""Replica bounds against what the pools reach, and the HPA's timing decisions (pure)."""

import copy
from typing import Any

import pytest

from components.catalog.hardware import MACHINE_SHAPES, a1_flex
from components.serving.autoscaling import (
    AutoscalingSettings,
    custom_metric_name,
    scale_down_window_seconds,
    scale_up_seconds,
)
from components.serving.server_plan import ServerPlan
from components.serving.settings import LlamaCppSettings, VllmSettings
from stacks.capacity import PoolReach, ScalingRequest, plan_pool, replicas_per_node
from stacks.config import ConfigError, validate
from tests.conftest import BASE_CONFIG
from tests.server_cli import plan_for

G2_8 = MACHINE_SHAPES["g2-standard-8"]
G2_24 = MACHINE_SHAPES["g2-standard-24"]
VLLM_8B: ServerPlan = plan_for("llama-3.1-8b-instruct", VllmSettings(max_model_len=8192), G2_8)


def pool(nodes: int, shape=G2_8, pods_per_gpu: int = 1) -> PoolReach:
    return PoolReach(
        name="l4", shape=shape, nodes=nodes, pods_per_gpu=pods_per_gpu, description="test"
    )


def request(name: str, reach: PoolReach, replicas: int = 1, **scaling: Any) -> ScalingRequest:
    return ScalingRequest(
        key=f"llm-platform:models[{name}]",
        name=name,
        replicas=replicas,
        autoscaling=AutoscalingSettings(**scaling),
        plan=VLLM_8B,
        pool=reach,
    )


def test_unset_maximum_takes_the_whole_pool_when_alone() -> None:
    plans, problems = plan_pool([request("a", pool(4))])
    assert problems == []
    assert (plans["a"].min_replicas, plans["a"].max_replicas) == (1, 4)
    assert plans["a"].queue_metric == "vllm:num_requests_waiting"


def test_servers_sharing_a_pool_split_what_explicit_maxima_leave() -> None:
    reach = pool(5)
    plans, problems = plan_pool(
        [request("a", reach, max_replicas=3), request("b", reach), request("c", reach)]
    )
    assert problems == []
    assert [plans[n].max_replicas for n in "abc"] == [3, 1, 1]


def test_maximum_beyond_the_pool_names_the_key_and_the_arithmetic() -> None:
    _, problems = plan_pool([request("a", pool(2), max_replicas=3)])
    [problem] = problems
    assert problem.startswith("llm-platform:models[a].autoscaling.maxReplicas:")
    assert "reaches 2 nodes" in problem and "may ask for 3" in problem


def test_minimum_replicas_beyond_the_pool_is_an_error_on_replicas() -> None:
    reach = pool(1)
    _, problems = plan_pool([request("a", reach), request("b", reach)])
    assert [p.split(":")[1] for p in problems] == ["models[a].replicas", "models[b].replicas"]


def test_disabled_autoscaling_keeps_replicas_fixed_and_needs_no_metric() -> None:
    plans, _ = plan_pool([request("a", pool(3), replicas=2, enabled=False)])
    assert (plans["a"].min_replicas, plans["a"].max_replicas) == (2, 2)
    assert not plans["a"].has_hpa


@pytest.mark.parametrize(
    ("shape", "pods_per_gpu", "expected"),
    [(G2_8, 1, 1), (G2_8, 2, 2), (G2_24, 1, 2)],
)
def test_gpu_replicas_per_node_count_gpus_and_time_shared_slices(
    shape, pods_per_gpu, expected
) -> None:
    assert replicas_per_node(shape, VLLM_8B, pods_per_gpu) == expected


def test_cpu_replicas_per_node_follow_cpu_and_memory_requests() -> None:
    node = a1_flex(ocpus=32, memory_gib=128)
    llama = plan_for(
        "llama-3.1-8b-instruct-q8_0-gguf",
        LlamaCppSettings(),
        node,
        cpu=10,
        memory_gib=30,
    )
    # (32 - 1) // 10 = 3 by CPU; floor(128 * 0.9) // 30 = 3 by memory.
    assert replicas_per_node(node, llama, 1) == 3


@pytest.mark.parametrize(("cold_start", "window"), [(100, 300), (1200, 1200), (5000, 3600)])
def test_scale_down_window_is_the_cold_start_within_kubernetes_bounds(cold_start, window) -> None:
    assert scale_down_window_seconds(cold_start) == window


def test_scale_up_time_adds_scrape_sync_and_stabilisation_to_the_cold_start() -> None:
    assert scale_up_seconds(600) == 30 + 15 + 60 + 600


def test_custom_metric_names_replace_colons() -> None:
    assert custom_metric_name("vllm:num_requests_waiting") == "vllm_num_requests_waiting"
    assert custom_metric_name("tgi_queue_size") == "tgi_queue_size"


def _errors(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(ConfigError) as error:
        validate(raw, has_hf_token=True)
    return error.value.problems


def test_config_error_when_the_hpa_maximum_exceeds_the_pool() -> None:
    raw = copy.deepcopy(BASE_CONFIG)
    raw["models"][0]["autoscaling"] = {"maxReplicas": 10}
    [problem] = _errors(raw)
    assert problem.startswith("llm-platform:models[0].autoscaling.maxReplicas: pool 'l4'")
    assert "maxNodes 3 x 1 zones" in problem


def test_config_error_when_the_maximum_is_below_the_minimum() -> None:
    raw = copy.deepcopy(BASE_CONFIG)
    raw["models"][0] |= {"replicas": 3, "autoscaling": {"maxReplicas": 2}}
    [problem] = _errors(raw)
    assert problem.startswith("llm-platform:models[0]: autoscaling.maxReplicas (2) is below")


def test_config_error_when_llama_server_has_no_metrics_to_scale_on() -> None:
    raw = copy.deepcopy(BASE_CONFIG)
    raw["gcp"]["cluster"]["pools"].append(
        {"name": "arm", "machineType": "t2a-standard-16", "maxNodes": 2}
    )
    raw["models"].append(
        {
            "name": "chat-cpu",
            "model": "llama-3.1-8b-instruct-q8_0-gguf",
            "pool": "arm",
            "server": {"type": "llamacpp", "metrics": False},
        }
    )
    [problem] = _errors(raw)
    assert problem.startswith("llm-platform:models[1]: server.metrics: false leaves")
    raw["models"][1]["autoscaling"] = {"enabled": False}
    validate(raw, has_hf_token=True)


def test_gke_pool_reach_counts_every_zone_and_the_fallback_pool() -> None:
    raw = copy.deepcopy(BASE_CONFIG)
    raw["gcp"]["cluster"]["zones"] = ["us-central1-a", "us-central1-b"]
    raw["gcp"]["cluster"]["pools"] = [
        {"name": "spot", "machineType": "g2-standard-8", "maxNodes": 2, "spot": True},
        {"name": "l4", "machineType": "g2-standard-8", "maxNodes": 1},
    ]
    raw["models"][0] |= {"pool": "spot", "fallbackPool": "l4"}
    _, [server] = validate(raw, has_hf_token=True)
    assert server.scaling.max_replicas == (2 + 1) * 2
