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
    assert stack.gcp is not None and stack.gcp.cluster_location == "us-central1-a"
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
    raw_config["gcp"]["edge"] = {"perIpRateLimit": {"requests": 0}, "domain": "not a host"}
    raw_config["models"][0]["replica"] = 2
    found = problems(raw_config)
    keys = [p.split(":", 2)[1] for p in found]
    assert keys == [
        "gcp.project",
        "gcp.cluster.pools[0].maxNodes",
        "gcp.edge.domain",
        "gcp.edge.perIpRateLimit.requests",
        "models[0].replica",
    ]
    assert "unknown key" in found[-1]


def test_min_above_max_nodes_names_the_pool_without_dumping_it(raw_config) -> None:
    raw_config["gcp"]["cluster"]["pools"][0].update(minNodes=3, maxNodes=1)
    [problem] = problems(raw_config)
    assert problem == ("llm-platform:gcp.cluster.pools[0]: minNodes (3) is above maxNodes (1)")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("minNodes", True),
        ("maxNodes", "2"),
        ("spot", "yes"),
        ("diskSizeGb", 200.5),
    ],
)
def test_values_of_the_wrong_type_are_not_coerced(raw_config, key, value) -> None:
    raw_config["gcp"]["cluster"]["pools"][0][key] = value
    [problem] = problems(raw_config)
    assert problem.startswith(f"llm-platform:gcp.cluster.pools[0].{key}: ")
    assert f"(got {value!r})" in problem


@pytest.mark.parametrize(
    ("zones", "expected"),
    [
        (["europe-west4-a"], "not zones of us-central1"),
        (["us-central1-z"], "not zones of us-central1"),
        (["us-central1-a", "us-central1-a"], "lists ['us-central1-a'] more than once"),
        (["us-central1-a", "us-central1-f"], "['us-central1-f'] offer no NVIDIA L4"),
    ],
)
def test_zones_must_exist_in_the_region_once_and_offer_the_pools_gpus(
    raw_config, zones, expected
) -> None:
    raw_config["gcp"]["cluster"]["zones"] = zones
    [problem] = problems(raw_config)
    assert problem.startswith("llm-platform:gcp: cluster.zones")
    assert expected in problem


def test_cpu_only_cluster_may_use_a_zone_without_l4(raw_config) -> None:
    raw_config["gcp"]["cluster"]["zones"] = ["us-central1-f"]
    raw_config["gcp"]["cluster"]["pools"] = [
        {"name": "arm", "machineType": "t2a-standard-16", "maxNodes": 2}
    ]
    raw_config["models"] = [
        {
            "name": "chat",
            "model": "llama-3.1-8b-instruct-q8_0-gguf",
            "pool": "arm",
            "server": {"type": "llamacpp"},
        }
    ]
    validate(raw_config, has_hf_token=True)


@pytest.mark.parametrize(
    ("region", "locations", "expected"),
    [
        ("us-centrall", [], "not Google Cloud regions"),
        ("us-central1", ["us-east1", "us-east1"], "listed more than once"),
        ("us-central1", ["mars-north1"], "not Google Cloud regions"),
    ],
)
def test_unknown_or_repeated_regions_are_refused(raw_config, region, locations, expected) -> None:
    raw_config["gcp"]["region"] = region
    raw_config["gcp"]["secrets"] = {"replicaLocations": locations}
    found = problems(raw_config)
    assert any(expected in p for p in found), found


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


RATE_LIMIT_MISTAKES = [
    ({"requests": 0}, "greater than 0"),
    ({"requests": -5}, "greater than 0"),
    ({"intervalSec": 45}, "45"),
    ({"banThreshold": {"requests": 100}}, "banThreshold needs action: rate_based_ban"),
    ({"action": "rate_based_ban", "requests": 20_000}, "above 10000"),
    ({"key": "ip"}, "unknown key"),
]


@pytest.mark.parametrize(("rate_limit", "expected"), RATE_LIMIT_MISTAKES)
def test_bad_per_ip_rate_limits_name_the_key(raw_config, rate_limit, expected) -> None:
    raw_config["gcp"]["edge"] = {"perIpRateLimit": rate_limit}
    [problem] = problems(raw_config)
    assert problem.startswith("llm-platform:gcp.edge.perIpRateLimit")
    assert expected in problem


@pytest.mark.parametrize(("rate_limit", "expected"), RATE_LIMIT_MISTAKES)
def test_bad_tenant_rate_limits_name_the_key(raw_config, rate_limit, expected) -> None:
    raw_config["tenants"] = [{"name": "web"}, {"name": "batch", "rateLimit": rate_limit}]
    [problem] = problems(raw_config)
    assert problem.startswith("llm-platform:tenants[1].rateLimit")
    assert expected in problem


@pytest.mark.parametrize(
    ("tenants", "expected"),
    [
        ([{"name": "web"}, {"name": "web"}], "tenant names must be unique: ['web']"),
        ([{"name": "Web.Team"}], "tenants[0].name: must be 1-24 lowercase"),
        ([], "tenants: List should have at least 1 item"),
    ],
)
def test_bad_tenant_lists(raw_config, tenants, expected) -> None:
    raw_config["tenants"] = tenants
    [problem] = problems(raw_config)
    assert expected in problem


def test_model_tenants_must_be_known_tenants(raw_config) -> None:
    raw_config["tenants"] = [{"name": "web"}]
    raw_config["models"][0]["tenants"] = ["web", "mobile"]
    [problem] = problems(raw_config)
    assert problem.startswith("llm-platform:models[0].tenants: ['mobile'] are not in")


def test_tgi_with_two_tenants_names_the_model_tenants_key(raw_config) -> None:
    raw_config["tenants"] = [{"name": "web"}, {"name": "batch"}]
    raw_config["models"][0]["server"] = {"type": "tgi", "maxTotalTokens": 8192}
    [problem] = problems(raw_config)
    assert problem.startswith("llm-platform:models[0].tenants: TGI 3.3.4 accepts one API key")
    raw_config["models"][0]["tenants"] = ["batch"]
    validate(raw_config, has_hf_token=True)


def test_domain_must_be_a_hostname(raw_config) -> None:
    raw_config["gcp"]["edge"] = {"domain": "https://llm.example.com/"}
    [problem] = problems(raw_config)
    assert problem.startswith("llm-platform:gcp.edge.domain: ")
    assert "not a DNS hostname" in problem


def test_model_host_longer_than_a_managed_certificate_domain_is_refused(raw_config) -> None:
    domain = "inference.platform.example.com"  # 30 characters
    raw_config["gcp"]["edge"] = {"domain": domain}
    raw_config["models"][0]["name"] = "llama-3-1-8b-instruct-with-a-long-name"  # 38
    [problem] = problems(raw_config)
    assert problem.startswith("llm-platform:models[0].name: llama-3-1-8b-instruct-with-a-long")
    assert "69 characters" in problem and "at most 63" in problem


def test_legacy_shared_api_key_is_refused_with_the_migration(raw_config) -> None:
    import json

    from stacks.mock_engine import main_program, run_program
    from tests.conftest import ROOT

    config = {f"llm-platform:{k}": json.dumps(v) for k, v in raw_config.items()}
    config.update({"llm-platform:apiKey": "old-key", "llm-platform:huggingFaceToken": "hf_x"})
    recording = Recording()
    with pytest.raises(ConfigError) as error:
        run_program(
            main_program(str(ROOT / "__main__.py")),
            project="llm-platform",
            stack="test",
            config=config,
            secret_keys=["llm-platform:apiKey", "llm-platform:huggingFaceToken"],
            recording=recording,
        )
    [problem] = error.value.problems
    assert problem.startswith("llm-platform:apiKey: one shared key was replaced")
    assert "keySecret-<tenant>" in problem
    assert recording.resources == []
