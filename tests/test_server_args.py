"""Server flags, checked against the pinned servers' own option lists, and the combinations each
server rejects."""

from typing import Any

import pytest

from components.catalog.hardware import MACHINE_SHAPES, a1_flex
from components.catalog.models import MODELS
from components.config_base import SettingError
from components.serving.images import TGI_IMAGE, VLLM_IMAGE
from components.serving.planner import plan_server
from components.serving.server_plan import PlanRequest, Resources, ServerPlan, check_image_arch
from components.serving.settings import LlamaCppSettings, TgiSettings, VllmSettings
from tests.server_cli import plan_for, tgi_options, vllm_options

G2_8 = MACHINE_SHAPES["g2-standard-8"]
G2_24 = MACHINE_SHAPES["g2-standard-24"]
A10_1 = MACHINE_SHAPES["VM.GPU.A10.1"]
A1 = a1_flex(ocpus=16, memory_gib=64)
VLLM = vllm_options()
TGI = tgi_options()


def plan(model: str, settings: Any, shape=G2_8, **options: Any) -> ServerPlan:
    return plan_for(model, settings, shape, **options)


def vllm_flags(server: ServerPlan) -> dict[str, str | None]:
    """`vllm serve <model> --flag value ...` as vLLM 0.33 reads it."""
    assert server.image.entrypoint == ("vllm", "serve")
    model, *options = server.args
    assert not model.startswith("-"), "the model is vLLM's first positional argument"
    return {"model": model, **VLLM.parse(options)}


@pytest.mark.parametrize(
    "settings",
    [
        VllmSettings(),
        VllmSettings(quantization="fp8", kv_cache_dtype="fp8_e5m2", max_model_len=16384),
        VllmSettings(enable_prefix_caching=False, max_num_seqs=64, dtype="bfloat16"),
    ],
)
def test_vllm_flags_are_accepted_by_the_pinned_vllm(settings: VllmSettings) -> None:
    built = vllm_flags(plan("llama-3.1-8b-instruct", settings))
    assert built["model"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert built["--served-model-name"] == "meta-llama/Llama-3.1-8B-Instruct"
    assert built["--host"] == "0.0.0.0" and built["--port"] == "8000"


def test_vllm_flags_carry_the_fit_decisions() -> None:
    built = vllm_flags(
        plan("gemma-7b-it", VllmSettings(tensor_parallel_size=2, max_model_len=8192), G2_24)
    )
    assert built["model"] == "google/gemma-7b-it"
    assert built["--tensor-parallel-size"] == "2"
    assert built["--max-model-len"] == "8192"
    assert built["--gpu-memory-utilization"] == "0.92"
    assert "--enable-prefix-caching" in built


def test_vllm_takes_every_tenant_key_after_all_other_arguments() -> None:
    server = plan("llama-3.1-8b-instruct", VllmSettings(), tenants=("web", "batch"))
    # `--api-key` takes every word after it (nargs "+"), so the launcher appends it last.
    assert server.secrets.trailing_flag == "--api-key"
    assert server.secrets.trailing_files == ("api-key-web", "api-key-batch")
    assert "--api-key" not in server.args
    # VLLM_API_KEY holds one key and is ignored once --api-key is given: never set it.
    assert "VLLM_API_KEY" not in server.secrets.env and "VLLM_API_KEY" not in server.env


def test_vllm_keeps_connections_open_longer_than_the_load_balancer() -> None:
    server = plan("llama-3.1-8b-instruct", VllmSettings(max_model_len=8192))
    assert int(server.env["VLLM_HTTP_TIMEOUT_KEEP_ALIVE"]) > 600


def test_vllm_awq_checkpoint_with_awq_quantization() -> None:
    server = plan("gemma-7b-it-awq", VllmSettings(quantization="awq", max_model_len=8192))
    assert vllm_flags(server)["--quantization"] == "awq"


def test_vllm_tensor_parallel_uses_shared_memory_and_gpus() -> None:
    server = plan("gemma-7b-it", VllmSettings(tensor_parallel_size=2, max_model_len=8192), G2_24)
    assert server.gpus == 2
    assert server.shm_size_gib is not None and server.shm_size_gib >= 8


def test_vllm_on_a_time_shared_gpu_claims_its_share_of_the_card() -> None:
    server = plan("llama-3.2-1b-instruct", VllmSettings(max_model_len=8192), pods_per_gpu=2)
    share = float(vllm_flags(server)["--gpu-memory-utilization"] or 0)
    assert 0.3 <= share <= 0.42
    assert server.cpu <= G2_8.vcpus / 2


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
        (
            "llama-3.1-8b-instruct",
            VllmSettings(gpu_memory_utilization=0.96),
            G2_8,
            "server.maxModelLen",
            "gpuMemoryUtilization 0.96 is above 0.92",
        ),
    ],
)
def test_vllm_rejects_combinations_that_cannot_start(model, settings, shape, key, match) -> None:
    with pytest.raises(SettingError, match=match) as error:
        plan(model, settings, shape)
    assert error.value.key == key


def test_shared_gpus_that_cannot_hold_the_model_are_a_config_error() -> None:
    with pytest.raises(SettingError, match="share each GPU between fewer pods") as error:
        plan("llama-3.1-8b-instruct", VllmSettings(max_model_len=4096), pods_per_gpu=2)
    assert error.value.key == "server.maxModelLen"


def test_tensor_parallel_on_time_shared_gpus_is_refused() -> None:
    with pytest.raises(SettingError, match="at most one shared GPU") as error:
        plan("gemma-7b-it-awq", VllmSettings(tensor_parallel_size=2), G2_24, pods_per_gpu=2)
    assert error.value.key == "server.tensorParallelSize"


def tgi_flags(server: ServerPlan) -> dict[str, str | None]:
    assert server.image.entrypoint == ("/tgi-entrypoint.sh",)
    # The entrypoint passes `$@` unquoted: no word may contain a space or a glob character.
    assert not [w for w in server.args if set(w) & set(" *?[]")]
    return TGI.parse(server.args)


def test_tgi_article_token_limits_on_one_l4() -> None:
    settings = TgiSettings(
        max_total_tokens=3072, max_input_tokens=512, max_batch_prefill_tokens=512
    )
    built = tgi_flags(plan("gemma-7b-it", settings))
    assert built["--max-total-tokens"] == "3072"
    assert built["--max-input-tokens"] == "512"
    assert built["--max-batch-prefill-tokens"] == "512"
    assert built["--model-id"] == "google/gemma-7b-it"
    # The image sets PORT=80 and Kubernetes sets HOSTNAME: both must be explicit.
    assert built["--port"] == "8000" and built["--hostname"] == "0.0.0.0"


def test_tgi_default_total_tokens_leave_room_for_several_requests() -> None:
    server = plan("llama-3.1-8b-instruct", TgiSettings())
    built = tgi_flags(server)
    total = int(built["--max-total-tokens"] or 0)
    kv_tokens = int(server.fit_summary.split(" = ")[1].split(" tokens")[0])
    assert 4 * total <= kv_tokens
    assert total >= 4096


def test_tgi_takes_the_key_of_its_one_tenant_from_api_key() -> None:
    server = plan("gemma-7b-it-awq", TgiSettings(quantize="awq"), tenants=("batch",))
    assert server.secrets.env["API_KEY"] == ("api-key-batch",)
    assert server.secrets.trailing_flag is None


@pytest.mark.parametrize(
    "quantize", ["eetq", "bitsandbytes", "bitsandbytes-nf4", "bitsandbytes-fp4"]
)
def test_tgi_load_time_quantize_on_a_bf16_checkpoint(quantize: str) -> None:
    server = plan("gemma-7b-it", TgiSettings(quantize=quantize, max_total_tokens=8192))  # type: ignore[arg-type]
    assert tgi_flags(server)["--quantize"] == quantize


def test_tgi_two_shards_on_two_l4() -> None:
    server = plan("gemma-7b-it", TgiSettings(num_shard=2, max_total_tokens=8192), G2_24)
    assert tgi_flags(server)["--num-shard"] == "2" and server.gpus == 2


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


def test_tgi_serving_two_tenants_is_refused_because_it_takes_one_key() -> None:
    with pytest.raises(SettingError, match="accepts one API key") as error:
        plan("gemma-7b-it-awq", TgiSettings(quantize="awq"), tenants=("web", "batch"))
    assert error.value.key == "tenants"


def test_tgi_quantize_outside_the_list_is_a_validation_error() -> None:
    with pytest.raises(ValueError, match="bitsandbytes-nf4"):
        TgiSettings.model_validate({"quantize": "int4"})


@pytest.mark.parametrize("image", [VLLM_IMAGE, TGI_IMAGE])
def test_amd64_only_image_on_an_arm_pool_is_rejected(image) -> None:
    with pytest.raises(SettingError, match="published for amd64 only"):
        check_image_arch(image, A1)


def test_article_001_servers_are_accepted_with_sensible_contexts() -> None:
    llama8 = plan("llama-3.1-8b-instruct", VllmSettings(), A10_1)
    llama1 = plan("llama-3.2-1b-instruct", VllmSettings(), A10_1)
    chatbot = plan("llama-3.1-8b-instruct-q8_0-gguf", LlamaCppSettings(parallel=4), A1)
    assert 16_000 <= llama8.context <= 131072
    assert llama1.context == 131072
    assert chatbot.context >= 4096


def test_gated_model_without_token_names_the_secret_to_set() -> None:
    request = PlanRequest(
        checkpoint=MODELS["llama-3.1-8b-instruct"],
        shape=G2_8,
        resources=Resources(),
        tenants=("default",),
        has_hf_token=False,
    )
    with pytest.raises(SettingError, match="huggingFaceToken"):
        plan_server(VllmSettings(), request)


def test_probes_and_cache_scale_with_the_model() -> None:
    small = plan("llama-3.2-1b-instruct", VllmSettings())
    large = plan("llama-3.1-8b-instruct", VllmSettings(max_model_len=8192))
    assert large.startup_seconds > small.startup_seconds
    assert large.cache_size_gib > small.cache_size_gib >= 4


def test_first_start_budget_covers_node_image_and_weights() -> None:
    gpu = plan("llama-3.1-8b-instruct", VllmSettings(max_model_len=8192))
    cpu = plan("llama-3.1-8b-instruct-q8_0-gguf", LlamaCppSettings(), A1)
    # A new GPU node, a multi-GB image and 16 GB of weights: well past pulumi's 10 minutes.
    assert gpu.first_start_seconds >= gpu.startup_seconds + 600
    assert 20 * 60 <= gpu.first_start_seconds <= 45 * 60
    assert cpu.first_start_seconds < gpu.first_start_seconds
