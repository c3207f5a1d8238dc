"""vLLM: which checkpoints and flags work together, its command line, and its ServerPlan.

Flag names and semantics are those of vLLM 0.33.0 (its wheel: `vllm/engine/arg_utils.py`,
`vllm/entrypoints/common/cli_args.py`, `vllm/utils/argparse_utils.py`); tests check every
flag built here against the list recorded from that release.
- The model is the first positional argument of `vllm serve` (`--model` is deprecated).
- `--api-key` takes every key that follows it (nargs "+"), so the keys come last; the
  `VLLM_API_KEY` variable holds one key only and is ignored once the flag is given.
- Keep-alive is `VLLM_HTTP_TIMEOUT_KEEP_ALIVE` (seconds, default 5); there is no flag.
"""

from components.catalog.models import ModelCheckpoint, WeightFormat
from components.config_base import SettingError
from components.serving.images import VLLM_IMAGE, VLLM_VERSION
from components.serving.keep_alive import EDGE_KEEP_ALIVE_SECONDS
from components.serving.memory_fit import GpuFitRequest, GpuFitVerdict
from components.serving.metrics import VLLM_QUEUE
from components.serving.secret_files import SecretInputs
from components.serving.server_plan import (
    SERVER_PORT,
    Option,
    PlanRequest,
    ServerPlan,
    check_gpu_split,
    check_image_arch,
    command_line,
    gpu_fit,
    gpu_server_plan,
    hf_token_env,
    key_files,
    offline_env,
)
from components.serving.settings import VllmSettings

API_KEY_FLAG = "--api-key"
_QUANTIZATION_NEEDS: dict[str, WeightFormat] = {
    "awq": WeightFormat.AWQ,
    "awq_marlin": WeightFormat.AWQ,
    "gptq": WeightFormat.GPTQ,
    "gptq_marlin": WeightFormat.GPTQ,
    # fp8 quantizes a 16-bit checkpoint's weights while loading.
    "fp8": WeightFormat.BF16,
}


def check_vllm(settings: VllmSettings, request: PlanRequest) -> None:
    """Raise SettingError for a combination vLLM would reject at start-up."""
    checkpoint = request.checkpoint
    if checkpoint.is_gguf:
        raise SettingError(
            "model", f"{checkpoint.key} is a GGUF file; serve it with server.type: llamacpp"
        )
    quantization = settings.quantization
    if quantization == "squeezellm":
        raise SettingError(
            "server.quantization",
            f"vLLM {VLLM_VERSION} no longer accepts squeezellm; use an AWQ or GPTQ checkpoint"
            " (awq, gptq) or fp8",
        )
    if quantization is not None and _QUANTIZATION_NEEDS[quantization] != checkpoint.weight_format:
        raise SettingError(
            "server.quantization",
            f"{quantization} needs a {_QUANTIZATION_NEEDS[quantization].value} checkpoint but"
            f" {checkpoint.key} is {checkpoint.weight_format.value}; pick a matching model"
            " (e.g. the -awq or -gptq variant) or leave quantization unset",
        )
    check_gpu_split("server.tensorParallelSize", settings.tensor_parallel_size, request)
    check_image_arch(VLLM_IMAGE, request.shape)


def vllm_loaded_weight_bytes(settings: VllmSettings, checkpoint: ModelCheckpoint) -> int:
    if settings.quantization == "fp8":
        return checkpoint.weight_bytes_at(8)
    return checkpoint.weight_bytes


def vllm_kv_bytes_per_element(settings: VllmSettings) -> int:
    return 1 if settings.kv_cache_dtype.startswith("fp8") else 2


def vllm_args(
    settings: VllmSettings,
    checkpoint: ModelCheckpoint,
    verdict: GpuFitVerdict,
    port: int,
    weights_dir: str | None = None,
) -> list[str]:
    """`vllm serve` arguments; the HF token comes from the environment, the keys come last.
    The model is the cached directory when there is one (its tokenizer is read from there too;
    `--served-model-name` keeps the name clients send), else the Hugging Face repository."""
    options: list[Option] = [
        ("--served-model-name", checkpoint.served_name),
        ("--host", "0.0.0.0"),
        ("--port", port),
        ("--dtype", settings.dtype),
        ("--tensor-parallel-size", settings.tensor_parallel_size),
        ("--max-model-len", verdict.context),
        ("--gpu-memory-utilization", verdict.gpu_memory_utilization),
        ("--max-num-seqs", settings.max_num_seqs),
        ("--max-num-batched-tokens", settings.max_num_batched_tokens),
        ("--kv-cache-dtype", settings.kv_cache_dtype),
    ]
    if settings.quantization is not None:
        options.append(("--quantization", settings.quantization))
    prefix_caching = "enable" if settings.enable_prefix_caching else "disable"
    options.append((f"--{prefix_caching}-prefix-caching", None))
    return [weights_dir or checkpoint.hf_repo, *command_line(options)]


def plan_vllm(settings: VllmSettings, request: PlanRequest) -> ServerPlan:
    check_vllm(settings, request)
    checkpoint, shape = request.checkpoint, request.shape
    assert shape.accelerator is not None
    verdict = gpu_fit(
        "server.maxModelLen",
        GpuFitRequest(
            checkpoint=checkpoint,
            accelerator=shape.accelerator,
            weight_bytes=vllm_loaded_weight_bytes(settings, checkpoint),
            kv_bytes_per_element=vllm_kv_bytes_per_element(settings),
            tensor_parallel=settings.tensor_parallel_size,
            max_num_seqs=settings.max_num_seqs,
            max_num_batched_tokens=settings.max_num_batched_tokens,
            requested_context=settings.max_model_len,
            gpu_memory_utilization=settings.gpu_memory_utilization,
            pods_per_gpu=request.pods_per_gpu,
        ),
    )
    return gpu_server_plan(
        image=VLLM_IMAGE,
        args=vllm_args(settings, checkpoint, verdict, SERVER_PORT, request.weights_dir),
        env={
            "HF_HOME": "/models",
            "VLLM_HTTP_TIMEOUT_KEEP_ALIVE": str(EDGE_KEEP_ALIVE_SECONDS),
            **offline_env(request),
        },
        secrets=SecretInputs(
            env=hf_token_env(request),
            trailing_flag=API_KEY_FLAG,
            trailing_files=key_files(request),
        ),
        cache_path="/models",
        gpus=settings.tensor_parallel_size,
        request=request,
        queue_metric=VLLM_QUEUE,
        engine=settings.type,
        verdict=verdict,
    )
