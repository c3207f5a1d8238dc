"""Server flags and the combinations each server rejects."""

import json
from pathlib import Path
from typing import Any

import pytest

from components.catalog.hardware import MACHINE_SHAPES, a1_flex
from components.catalog.models import MODELS
from components.config_base import SettingError
from components.serving.server_plan import Resources, plan_server
from components.serving.settings import LlamaCppSettings, TgiSettings, VllmSettings

VLLM_CLI = json.loads((Path(__file__).parent / "data" / "vllm-0.33.0-cli.json").read_text())
G2_8 = MACHINE_SHAPES["g2-standard-8"]
G2_24 = MACHINE_SHAPES["g2-standard-24"]
A10_1 = MACHINE_SHAPES["VM.GPU.A10.1"]
A1 = a1_flex(ocpus=16, memory_gib=64)


def plan(model: str, settings: Any, shape=G2_8, **resources: int):
    return plan_server(MODELS[model], settings, shape, Resources(**resources), has_hf_token=True)


def flags(args: tuple[str, ...]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for arg in args:
        flag, _, value = arg.partition("=")
        parsed[flag] = value
    return parsed


@pytest.mark.parametrize(
    "settings",
    [
        VllmSettings(),
        VllmSettings(quantization="fp8", kv_cache_dtype="fp8_e5m2", max_model_len=16384),
        VllmSettings(enable_prefix_caching=False, max_num_seqs=64, dtype="bfloat16"),
    ],
)
def test_vllm_flags_are_accepted_by_the_pinned_vllm(settings: VllmSettings) -> None:
    built = flags(plan("llama-3.1-8b-instruct", settings).args)
    assert set(built) <= set(VLLM_CLI["flags"]) | {"--no-enable-prefix-caching"}
    for flag, choices in VLLM_CLI["choices"].items():
        if flag in built:
            assert built[flag] in choices


def test_vllm_flags_carry_the_fit_decisions() -> None:
    built = flags(
        plan("gemma-7b-it", VllmSettings(tensor_parallel_size=2, max_model_len=8192), G2_24).args
    )
    assert built["--model"] == "google/gemma-7b-it"
    assert built["--tensor-parallel-size"] == "2"
    assert built["--max-model-len"] == "8192"
    assert built["--gpu-memory-utilization"] == "0.96"
    assert "--enable-prefix-caching" in built


def test_vllm_awq_checkpoint_with_awq_quantization() -> None:
    server = plan("gemma-7b-it-awq", VllmSettings(quantization="awq", max_model_len=8192))
    assert "--quantization=awq" in server.args
    assert "VLLM_API_KEY" in server.secret_env


def test_vllm_tensor_parallel_uses_shared_memory_and_gpus() -> None:
    server = plan("gemma-7b-it", VllmSettings(tensor_parallel_size=2, max_model_len=8192), G2_24)
    assert server.gpus == 2
    assert server.shm_size_gib is not None and server.shm_size_gib >= 8


@pytest.mark.parametrize(
    ("model", "settings", "shape", "key", "match"),
    [
        (
            "llama-3.1-8b-instruct",
            VllmSettings(quantization="squeezellm"),
            G2_8,
            "server.quantization",
            "no longer accepts squeezellm",
        ),
        (
            "llama-3.1-8b-instruct",
            VllmSettings(quantization="awq"),
            G2_8,
            "server.quantization",
            "needs a awq checkpoint",
        ),
        (
            "gemma-7b-it-awq",
            VllmSettings(quantization="gptq"),
            G2_8,
            "server.quantization",
            "needs a gptq checkpoint",
        ),
        (
            "gemma-7b-it",
            VllmSettings(tensor_parallel_size=2),
            G2_8,
            "server.tensorParallelSize",
            "g2-standard-8 has 1",
        ),
        (
            "llama-3.1-8b-instruct-q8_0-gguf",
            VllmSettings(),
            G2_8,
            "model",
            "serve it with server.type: llamacpp",
        ),
        ("gemma-7b-it", VllmSettings(max_model_len=8192), G2_8, "server.maxModelLen", "not 8192"),
        ("llama-3.1-8b-instruct", VllmSettings(), A1, "pool", "has no GPU"),
    ],
)
def test_vllm_rejects_combinations_that_cannot_start(model, settings, shape, key, match) -> None:
    with pytest.raises(SettingError, match=match) as error:
        plan(model, settings, shape)
    assert error.value.key == key


def test_tgi_article_token_limits_on_one_l4() -> None:
    settings = TgiSettings(
        max_total_tokens=3072, max_input_tokens=512, max_batch_prefill_tokens=512
    )
    built = flags(plan("gemma-7b-it", settings).args)
    assert built["--max-total-tokens"] == "3072"
    assert built["--max-input-tokens"] == "512"
    assert built["--max-batch-prefill-tokens"] == "512"
    assert built["--model-id"] == "google/gemma-7b-it"
    assert built["--port"] == "8000"


@pytest.mark.parametrize(
    "quantize", ["eetq", "bitsandbytes", "bitsandbytes-nf4", "bitsandbytes-fp4"]
)
def test_tgi_load_time_quantize_on_a_bf16_checkpoint(quantize: str) -> None:
    server = plan("gemma-7b-it", TgiSettings(quantize=quantize, max_total_tokens=8192))  # type: ignore[arg-type]
    assert f"--quantize={quantize}" in server.args


def test_tgi_two_shards_on_two_l4() -> None:
    server = plan("gemma-7b-it", TgiSettings(num_shard=2, max_total_tokens=8192), G2_24)
    assert "--num-shard=2" in server.args and server.gpus == 2


@pytest.mark.parametrize(
    ("model", "settings", "key", "match"),
    [
        ("gemma-7b-it", TgiSettings(quantize="awq"), "server.quantize", "needs a awq checkpoint"),
        (
            "gemma-7b-it-awq",
            TgiSettings(quantize="bitsandbytes"),
            "server.quantize",
            "needs a bf16",
        ),
        ("gemma-7b-it", TgiSettings(num_shard=4), "server.numShard", "has 1"),
        (
            "gemma-7b-it",
            TgiSettings(max_total_tokens=3072, max_input_tokens=3072),
            "server.maxInputTokens",
            "below maxTotalTokens",
        ),
        (
            "gemma-7b-it",
            TgiSettings(
                max_total_tokens=3072, max_input_tokens=2048, max_batch_prefill_tokens=512
            ),
            "server.maxBatchPrefillTokens",
            "below maxInputTokens",
        ),
    ],
)
def test_tgi_rejects_invalid_combinations(model, settings, key, match) -> None:
    with pytest.raises(SettingError, match=match) as error:
        plan(model, settings)
    assert error.value.key == key


def test_tgi_quantize_outside_the_list_is_a_validation_error() -> None:
    with pytest.raises(ValueError, match="bitsandbytes-nf4"):
        TgiSettings.model_validate({"quantize": "int4"})


def test_llamacpp_on_a1_threads_match_the_cpu_request() -> None:
    server = plan(
        "llama-3.1-8b-instruct-q8_0-gguf",
        LlamaCppSettings(context_per_slot=4096, parallel=4),
        A1,
        cpu=12,
        memory_gib=32,
    )
    built = flags(server.args)
    assert built["--threads"] == "12" == str(server.cpu)
    assert built["--ctx-size"] == str(4096 * 4)
    assert built["--parallel"] == "4"
    assert "--metrics" in built
    assert built["--hf-file"] == "Meta-Llama-3.1-8B-Instruct-Q8_0.gguf"
    assert server.gpus == 0 and server.secret_env["LLAMA_API_KEY"] == "api-key"


@pytest.mark.parametrize(
    ("model", "settings", "shape", "key", "match"),
    [
        ("llama-3.1-8b-instruct-q8_0-gguf", VllmSettings(), A1, "model", "llamacpp"),
        ("llama-3.1-8b-instruct", LlamaCppSettings(), A1, "model", "pick a -gguf model"),
        ("llama-3.1-8b-instruct-q8_0-gguf", LlamaCppSettings(), A10_1, "pool", "CPU only"),
        ("llama-3.2-1b-instruct", TgiSettings(), A1, "pool", "has no GPU"),
    ],
)
def test_llamacpp_and_placement_errors(model, settings, shape, key, match) -> None:
    with pytest.raises(SettingError, match=match) as error:
        plan(model, settings, shape)
    assert error.value.key == key


def test_amd64_only_image_on_an_arm_pool_is_rejected() -> None:
    from components.serving.gpu_split import check_image_arch
    from components.serving.images import VLLM_IMAGE

    with pytest.raises(SettingError, match="published for amd64 only"):
        check_image_arch(VLLM_IMAGE, A1)


def test_article_001_servers_are_accepted_with_sensible_contexts() -> None:
    llama8 = plan("llama-3.1-8b-instruct", VllmSettings(), A10_1)
    llama1 = plan("llama-3.2-1b-instruct", VllmSettings(), A10_1)
    chatbot = plan("llama-3.1-8b-instruct-q8_0-gguf", LlamaCppSettings(parallel=4), A1)
    assert 16_000 <= llama8.context <= 131072
    assert llama1.context == 131072
    assert chatbot.context >= 4096


def test_gated_model_without_token_names_the_secret_to_set() -> None:
    with pytest.raises(SettingError, match="huggingFaceToken"):
        plan_server(
            MODELS["llama-3.1-8b-instruct"], VllmSettings(), G2_8, Resources(), has_hf_token=False
        )


def test_probes_and_cache_scale_with_the_model() -> None:
    small = plan("llama-3.2-1b-instruct", VllmSettings())
    large = plan("llama-3.1-8b-instruct", VllmSettings(max_model_len=8192))
    assert large.startup_seconds > small.startup_seconds
    assert large.cache_size_gib > small.cache_size_gib >= 4
