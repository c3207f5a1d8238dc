"""The start-up budget on hand-computed cases, how it sizes probes and waits, what the cache
holds, image mirror paths, and the scale-to-zero refusal."""

import copy
from pathlib import Path

import pytest

from components.catalog.models import MODELS
from components.images.mirrors import upstream_path
from components.serving.startup_budget import (
    GCS_FUSE_BYTES_PER_SECOND,
    HUB_BYTES_PER_SECOND,
    IMAGE_PULL_BYTES_PER_SECOND,
    TABLE_DATE,
    Delivery,
    StartupRequest,
    WeightsSource,
    startup_budget,
)
from components.weights.selection import cache_prefix, serving_files
from stacks.config import ConfigError, validate
from tests.conftest import BASE_CONFIG

GB = 1e9


def _budget(weights: WeightsSource, streaming: bool, engine: str = "vllm", image: float = 9 * GB):
    return startup_budget(
        StartupRequest(
            engine=engine,
            image_bytes=int(image),
            weight_bytes=int(16 * GB),
            delivery=Delivery(weights=weights, image_streaming=streaming),
        )
    )


def test_the_table_rates_are_the_published_figures() -> None:
    assert IMAGE_PULL_BYTES_PER_SECOND.value == pytest.approx(36.73e6, rel=1e-3)  # 9 GB / 245 s
    assert HUB_BYTES_PER_SECOND.value == 53.1e6
    # 16 Gbps = 2 GB/s, at the 14.2/25 of line rate gcsfuse reached on a 200 Gbps VM.
    assert GCS_FUSE_BYTES_PER_SECOND.value == pytest.approx(1.136e9)


def test_hand_computed_budget_from_hugging_face_with_a_plain_pull() -> None:
    budget = _budget(WeightsSource.HUB, streaming=False)
    phases = {p.name: p.seconds for p in budget.phases}
    # node 72; 9 GB / 36.73 MB/s = 245; 16 GB / 53.1 MB/s = 301.3 -> 302; vLLM engine 73.
    assert phases == {"node": 72, "image": 245, "weights": 302, "engine": 73}
    assert budget.expected_seconds == 692
    assert budget.first_start_seconds == 1384
    # The probe waits out what runs in the server: download + engine, twice.
    assert budget.probe_seconds == 2 * (302 + 73)
    assert budget.deploy_seconds == 1384


def test_hand_computed_budget_from_the_gcs_cache_with_image_streaming() -> None:
    budget = _budget(WeightsSource.GCS_FUSE, streaming=True)
    phases = {p.name: p.seconds for p in budget.phases}
    # 16 GB / 1.136 GB/s = 14.08 -> 15.
    assert phases == {"node": 72, "image": 2, "weights": 15, "engine": 73}
    assert budget.expected_seconds == 162
    assert budget.first_start_seconds == 324
    assert budget.probe_seconds == 300  # 2 x 88 = 176, under the floor
    # The first `pulumi up` pulls through a cold mirror: a plain pull instead of streaming.
    assert budget.deploy_seconds == 2 * (162 - 2 + 245)


def test_the_oke_copy_runs_before_the_server_so_the_probe_covers_the_engine_only() -> None:
    budget = _budget(WeightsSource.OCI_COPY, streaming=False, engine="llamacpp", image=0.2 * GB)
    phases = {p.name: (p.seconds, p.in_server) for p in budget.phases}
    # 16 GB at 171.5 MB/s (15.26 GB in 89 s) = 93.3 -> 94; 0.2 GB / 36.73 MB/s -> 6.
    assert phases == {
        "node": (72, False),
        "image": (6, False),
        "weights": (94, False),
        "engine": (10, True),
    }
    assert budget.probe_seconds == 300
    assert budget.deploy_seconds == 600  # never below pulumi-kubernetes' own 10 minutes


def test_the_cache_is_what_makes_the_difference() -> None:
    cached = _budget(WeightsSource.GCS_FUSE, streaming=True)
    hub = _budget(WeightsSource.HUB, streaming=False)
    assert cached.expected_seconds * 4 < hub.expected_seconds


def test_cache_prefixes_and_files_per_checkpoint() -> None:
    llama = MODELS["llama-3.1-8b-instruct"]
    gguf = MODELS["llama-3.1-8b-instruct-q8_0-gguf"]
    assert cache_prefix(llama) == "models/llama-3.1-8b-instruct"
    assert "*.safetensors" in serving_files(llama) and "*.gguf" not in serving_files(llama)
    assert serving_files(gguf) == ("Meta-Llama-3.1-8B-Instruct-Q8_0.gguf",)


@pytest.mark.parametrize(
    ("reference", "key", "path"),
    [
        ("vllm/vllm-openai:v0.33.0", "dockerhub", "vllm/vllm-openai:v0.33.0"),
        ("ubuntu:24.04", "dockerhub", "library/ubuntu:24.04"),
        ("docker.io/vllm/vllm-openai:v0.33.0", "dockerhub", "vllm/vllm-openai:v0.33.0"),
        (
            "ghcr.io/huggingface/text-generation-inference:3.3.4",
            "ghcr",
            "huggingface/text-generation-inference:3.3.4",
        ),
    ],
)
def test_upstream_paths(reference: str, key: str, path: str) -> None:
    upstream, got = upstream_path(reference)
    assert (upstream.key, got) == (key, path)


def test_an_unmirrored_registry_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"no mirror for registry quay\.io"):
        upstream_path("quay.io/org/image:1")


def test_scale_to_zero_is_refused_with_the_reason() -> None:
    raw = copy.deepcopy(BASE_CONFIG)
    raw["models"] = [{"name": "m", "model": "llama-3.1-8b-instruct", "pool": "l4", "replicas": 0}]
    with pytest.raises(ConfigError) as error:
        validate(raw, has_hf_token=True)
    [problem] = error.value.problems
    assert problem.startswith("llm-platform:models[0]: replicas: 0 (scale to zero) is not supp")
    assert "502/503" in problem and "set replicas to 1 or more" in problem


def test_the_plan_uses_each_clouds_medium() -> None:
    _, servers = validate(copy.deepcopy(BASE_CONFIG), has_hf_token=True)
    [server] = servers
    assert server.plan.weights_dir == "/weights"
    assert server.plan.startup.delivery == Delivery(
        weights=WeightsSource.GCS_FUSE, image_streaming=True
    )
    assert server.plan.hub_startup.delivery == Delivery()
    raw = copy.deepcopy(BASE_CONFIG)
    raw["weightsCache"] = {"enabled": False}
    _, [plain] = validate(raw, has_hf_token=True)
    assert plain.plan.weights_dir is None
    assert plain.plan.startup.delivery.weights is WeightsSource.HUB


def test_the_readme_documents_the_keys_the_output_and_the_table() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for key in ("weightsCache.enabled", "gcp.cluster.imageStreaming", "startup"):
        assert f"`{key}`" in readme
    assert "table as of 2026-11-23" in readme
    assert TABLE_DATE == "2026-11-23"
