"""Bad configuration is reported all at once, by key, before any resource exists."""

from typing import Any

import pytest

from stacks.config import ConfigError, validate
from stacks.mock_engine import Recording


def problems(raw: dict[str, Any], has_hf_token: bool = True) -> list[str]:
    with pytest.raises(ConfigError) as error:
        validate(raw, has_hf_token=has_hf_token)
    return error.value.problems


def test_valid_config_plans_every_server(raw_config) -> None:
    stack, servers = validate(raw_config, has_hf_token=True)
    assert stack.gcp.cluster_location == "us-central1-a"
    assert [s.config.name for s in servers] == ["llama-3-1-8b"]
    assert servers[0].plan.context == 8192


def test_unknown_gpu_machine_type_names_the_key(raw_config) -> None:
    raw_config["gcp"]["cluster"]["pools"][0]["machineType"] = "a2-highgpu-1g"
    [problem] = problems(raw_config)
    assert problem.startswith(
        "llm-platform:gcp.cluster.pools[0].machineType: unknown machine type"
    )
    assert "g2-standard-*" in problem


def test_negative_node_count_names_the_key(raw_config) -> None:
    raw_config["gcp"]["cluster"]["pools"][0]["minNodes"] = -1
    [problem] = problems(raw_config)
    assert problem.startswith("llm-platform:gcp.cluster.pools[0].minNodes:")
    assert "got -1" in problem


def test_every_problem_is_reported_at_once(raw_config) -> None:
    raw_config["gcp"]["project"] = "My Project"
    raw_config["gcp"]["cluster"]["pools"][0]["maxNodes"] = 0
    raw_config["gcp"]["edge"] = {"rateLimit": {"requests": 0}, "domain": "not a host"}
    raw_config["models"][0]["replica"] = 2
    found = problems(raw_config)
    keys = [p.split(":", 2)[1] for p in found]
    assert keys == [
        "gcp.project",
        "gcp.cluster.pools[0].maxNodes",
        "gcp.edge.domain",
        "gcp.edge.rateLimit.requests",
        "models[0].replica",
    ]
    assert "unknown key" in found[-1]


def test_min_above_max_nodes(raw_config) -> None:
    raw_config["gcp"]["cluster"]["pools"][0].update(minNodes=3, maxNodes=1)
    [problem] = problems(raw_config)
    assert "minNodes (3) is above maxNodes (1)" in problem


def test_zone_outside_region(raw_config) -> None:
    raw_config["gcp"]["cluster"]["zones"] = ["europe-west4-a"]
    [problem] = problems(raw_config)
    assert "not in region us-central1" in problem


def test_model_on_missing_pool_and_unfit_context_both_reported(raw_config) -> None:
    raw_config["models"].append(
        {
            "name": "gemma",
            "model": "gemma-7b-it",
            "pool": "l4",
            "server": {"type": "vllm", "maxModelLen": 8192},
        }
    )
    raw_config["models"][0]["pool"] = "h100"
    found = problems(raw_config)
    assert found[0].startswith("llm-platform:models[0].pool: no pool named 'h100'")
    assert found[1].startswith("llm-platform:models[1].server.maxModelLen:")


def test_unknown_model_lists_the_catalogue(raw_config) -> None:
    raw_config["models"][0]["model"] = "llama-4"
    [problem] = problems(raw_config)
    assert "llama-3.1-8b-instruct" in problem and problem.startswith(
        "llm-platform:models[0].model"
    )


def test_unknown_server_type(raw_config) -> None:
    raw_config["models"][0]["server"] = {"type": "ollama"}
    [problem] = problems(raw_config)
    assert problem.startswith("llm-platform:models[0].server")


def test_gated_model_needs_the_token(raw_config) -> None:
    [problem] = problems(raw_config, has_hf_token=False)
    assert "pulumi config set --secret llm-platform:huggingFaceToken" in problem


def test_duplicate_model_names(raw_config) -> None:
    raw_config["models"].append(dict(raw_config["models"][0]))
    [problem] = problems(raw_config)
    assert "model names must be unique" in problem


def test_invalid_config_registers_nothing(raw_config, run_stack) -> None:
    raw_config["gcp"]["cluster"]["pools"][0]["maxNodes"] = -2
    recording = Recording()
    with pytest.raises(ConfigError):
        run_stack(raw_config, recording=recording)
    assert recording.resources == []


def spot_pair(raw: dict[str, Any], *, fallback_machine: str = "g2-standard-8") -> None:
    raw["gcp"]["cluster"]["pools"] = [
        {"name": "l4-spot", "machineType": "g2-standard-8", "spot": True, "maxNodes": 3},
        {"name": "l4", "machineType": fallback_machine, "maxNodes": 1},
    ]
    raw["models"][0]["pool"] = "l4-spot"


def test_spot_without_fallback_is_an_error_when_the_cluster_requires_one(raw_config) -> None:
    spot_pair(raw_config)
    raw_config["gcp"]["cluster"]["requireOnDemandFallback"] = True
    [problem] = problems(raw_config)
    assert problem.startswith("llm-platform:models[0].fallbackPool: required")
    assert "requireOnDemandFallback" in problem


def test_spot_without_fallback_is_allowed_by_default(raw_config) -> None:
    spot_pair(raw_config)
    _, [server] = validate(raw_config, has_hf_token=True)
    assert server.fallback_pool is None


def test_spot_with_on_demand_fallback_is_planned(raw_config) -> None:
    spot_pair(raw_config)
    raw_config["gcp"]["cluster"]["requireOnDemandFallback"] = True
    raw_config["models"][0]["fallbackPool"] = "l4"
    _, [server] = validate(raw_config, has_hf_token=True)
    assert server.pool.name == "l4-spot"
    assert server.fallback_pool is not None and server.fallback_pool.name == "l4"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"fallbackPool": "missing"}, "no pool named 'missing'"),
        ({"fallbackPool": "l4", "pool": "l4"}, "is on-demand already"),
        ({"fallbackPool": "l4-spot", "pool": "l4-spot"}, "is a Spot pool"),
    ],
)
def test_fallback_pool_must_be_another_on_demand_pool(raw_config, change, expected) -> None:
    spot_pair(raw_config)
    raw_config["models"][0].update(change)
    [problem] = problems(raw_config)
    assert problem.startswith("llm-platform:models[0].fallbackPool:")
    assert expected in problem


def test_fallback_pool_must_have_the_same_machine_type(raw_config) -> None:
    spot_pair(raw_config, fallback_machine="g2-standard-12")
    raw_config["models"][0]["fallbackPool"] = "l4"
    [problem] = problems(raw_config)
    assert "'l4' is g2-standard-12 but 'l4-spot' is g2-standard-8" in problem


@pytest.mark.parametrize(
    ("section", "value", "key"),
    [
        ({"secrets": {"replicaLocations": ["us central"]}}, "us central", "gcp.secrets"),
        ({"monitoringNamespaces": ["Monitoring"]}, "Monitoring", "gcp.monitoringNamespaces"),
        ({"namespace": "LLM"}, "LLM", "gcp.namespace"),
    ],
)
def test_bad_secret_and_namespace_settings_name_the_key(raw_config, section, value, key) -> None:
    raw_config["gcp"].update(section)
    [problem] = problems(raw_config)
    assert problem.startswith(f"llm-platform:{key}")
    assert value in problem


@pytest.mark.parametrize(
    ("rate_limit", "expected"),
    [
        ({"requests": 0}, "greater than 0"),
        ({"requests": -5}, "greater than 0"),
        ({"intervalSec": 45}, "45"),
        ({"banThreshold": {"requests": 100}}, "banThreshold needs action: rate_based_ban"),
        ({"action": "rate_based_ban", "requests": 20_000}, "above 10000"),
    ],
)
def test_bad_rate_limits_name_the_key(raw_config, rate_limit, expected) -> None:
    raw_config["gcp"]["edge"] = {"rateLimit": rate_limit}
    [problem] = problems(raw_config)
    assert problem.startswith("llm-platform:gcp.edge.rateLimit")
    assert expected in problem


def test_domain_must_be_a_hostname(raw_config) -> None:
    raw_config["gcp"]["edge"] = {"domain": "https://llm.example.com/"}
    [problem] = problems(raw_config)
    assert problem.startswith("llm-platform:gcp.edge.domain: ")
    assert "not a DNS hostname" in problem
