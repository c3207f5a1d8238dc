"""Monthly cost ranges and cost per million output tokens, against hand-computed figures."""

import copy

import pytest

from components.cost.estimate import cost_per_million_output_tokens, node_pool_line
from components.cost.opencost_prices import gke_custom_prices
from components.cost.prices import GCP_MACHINES, PRICES_AS_OF
from components.cost.throughput import THROUGHPUT
from stacks.config import LoadedConfig, validate
from stacks.cost import estimate
from stacks.plan import render_estimates
from tests.conftest import BASE_CONFIG
from tests.test_oci_config import oci_raw


def loaded(raw: dict) -> LoadedConfig:
    stack, servers = validate(raw, has_hf_token=True)
    return LoadedConfig(stack=stack, servers=servers, hf_token=None, tenant_secrets={})


def test_a_million_tokens_cost_the_replicas_share_of_the_node_hour_over_its_tokens() -> None:
    # $2.00/h, one replica per node, 289.9 tok/s: 2 / 1,043,640 tokens * 1e6 = $1.91637.
    assert cost_per_million_output_tokens(2.00, 1, 289.9) == pytest.approx(1.91637, abs=1e-5)
    # Two time-shared replicas halve the share of the node.
    assert cost_per_million_output_tokens(2.00, 2, 289.9) == pytest.approx(0.958185, abs=1e-5)


@pytest.mark.parametrize(("per_node", "throughput"), [(0, 100.0), (1, 0.0)])
def test_token_cost_needs_a_node_share_and_a_throughput(per_node, throughput) -> None:
    with pytest.raises(ValueError):
        cost_per_million_output_tokens(1.0, per_node, throughput)


def test_pool_line_spans_min_to_max_nodes_over_730_hours() -> None:
    line = node_pool_line("pool", 0.5, 1, 3, "x")
    assert (line.monthly_min, line.monthly_max) == (365.0, 1095.0)


def test_gke_stack_cost_by_hand() -> None:
    cost = estimate(loaded(copy.deepcopy(BASE_CONFIG)))
    lines = {c.item: c for c in cost.lines}
    # g2-standard-8 in us-central1 $0.853624/h + 200 GB pd-balanced at $0.10/GB-month.
    l4_hour = 0.853624 + 200 * 0.10 / 730
    assert lines["gke pool l4"].monthly_min == 0
    assert lines["gke pool l4"].monthly_max == pytest.approx(l4_hour * 3 * 730)
    # System pool e2-standard-4 $0.134023/h + 100 GB disk, 1..3 nodes in one zone.
    system_hour = 0.134023 + 100 * 0.10 / 730
    assert lines["gke pool system"].monthly_max == pytest.approx(system_hour * 3 * 730)
    # Fee $0.10/h, five forwarding rules $0.025/h, Armor $5 + 4 rules x $1, 65 GB of volumes.
    fixed = 73.0 + 18.25 + 9.0 + 6.5
    output = cost.as_output()
    assert output["monthly"]["min"] == pytest.approx(system_hour * 730 + fixed, abs=0.01)
    assert output["monthly"]["max"] == pytest.approx(
        (system_hour + l4_hour) * 3 * 730 + fixed, abs=0.01
    )
    assert output["pricesAsOf"] == PRICES_AS_OF
    # No sourced throughput for Llama 3.1 8B on an L4: no invented figure.
    assert output["servers"]["llama-3-1-8b"]["usdPerMillionOutputTokens"] is None


def test_spot_pools_are_priced_at_spot() -> None:
    raw = copy.deepcopy(BASE_CONFIG)
    raw["gcp"]["cluster"]["pools"][0]["spot"] = True
    line = next(c for c in estimate(loaded(raw)).lines if c.item == "gke pool l4")
    spot_hour = GCP_MACHINES["us-central1"]["g2-standard-8"].spot + 200 * 0.10 / 730
    assert line.monthly_max == pytest.approx(spot_hour * 3 * 730)
    assert "Spot g2-standard-8" in line.basis


def test_oci_a10_server_gets_a_cost_per_million_tokens_with_its_source() -> None:
    raw = oci_raw()
    raw["models"] = [
        {
            "name": "llama-8b-a10",
            "model": "llama-3.1-8b-instruct",
            "pool": "a10",
            "server": {"type": "vllm", "maxModelLen": 16384},
        }
    ]
    server = estimate(loaded(raw)).as_output()["servers"]["llama-8b-a10"]
    node_hour = 2.00 + 200 * 0.0425 / 730  # one A10 + its 200 GB boot volume
    assert server["usdPerMillionOutputTokens"] == pytest.approx(
        node_hour / (289.9 * 3600) * 1e6, abs=0.01
    )
    assert "llmperf" in server["throughput"]["source"]


def test_every_throughput_row_says_where_it_comes_from() -> None:
    for row in THROUGHPUT.values():
        assert row.output_tokens_per_second > 0 and row.source and row.setup


def test_opencost_custom_prices_reproduce_a_g2_node() -> None:
    prices = gke_custom_prices("us-central1")
    node = 8 * prices.cpu + 32 * prices.ram_gib + prices.gpu
    assert node == pytest.approx(0.853608, abs=1e-4)
    assert "europe-west4" in gke_custom_prices("europe-west4").description
    assert "no listed prices for me-west1" in gke_custom_prices("me-west1").description


def test_plan_prints_the_range_and_each_servers_token_cost() -> None:
    raw = copy.deepcopy(BASE_CONFIG)
    cost = estimate(loaded(raw)).as_output()
    models = {
        "llama-3-1-8b": {
            "autoscaling": {
                "hpa": True,
                "minReplicas": 1,
                "maxReplicas": 3,
                "queueMetric": "vllm:num_requests_waiting",
                "scaleUpSeconds": 1867,
            },
            "startup": {
                "tableDate": "2026-11-23",
                "weights": "Cloud Storage FUSE",
                "imageStreaming": True,
                "expectedSeconds": 162,
                "phases": {"node": 72, "image": 2, "weights": 15, "engine": 73},
                "budgetSeconds": 324,
                "probeSeconds": 300,
                "fromHuggingFace": {
                    "expectedSeconds": 710,
                    "phases": {"node": 72, "image": 262, "weights": 303, "engine": 73},
                },
            },
        }
    }
    text = render_estimates({"costEstimate": cost, "models": models})
    assert f"${cost['monthly']['min']:,.2f} .. ${cost['monthly']['max']:,.2f}" in text
    assert "replicas 1..3 on vllm:num_requests_waiting, scale-up up to 32 min" in text
    assert "no sourced throughput figure" in text
    assert "figures as of 2026-11-23" in text
    assert (
        "weights from Cloud Storage FUSE, image streaming: 162 s = node 72 s + image 2 s +"
        " weights 15 s + engine 73 s (budget 324 s, startup probe 300 s)"
    ) in text
    assert "from Hugging Face, plain pull: 710 s = node 72 s + image 262 s" in text
