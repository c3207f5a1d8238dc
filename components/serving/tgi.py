"""Text Generation Inference: quantize options, sharding, token limits, and its ServerPlan.

Flags are those of `text-generation-launcher` 3.3.4 (`launcher/src/main.rs` at tag v3.3.4);
tests check every flag built here against the list recorded from that source.
- The image's ENTRYPOINT is `/tgi-entrypoint.sh` (ldconfig, the venv, then the launcher with
  an unquoted `$@`: arguments must not contain spaces or glob characters).
- The image sets `PORT=80` and Kubernetes sets `HOSTNAME`, so both are passed explicitly.
- `--api-key` (env `API_KEY`) takes one key: a TGI server serves one tenant.
- The article's `--max-input-length` is the legacy name of `--max-input-tokens`.
"""

from dataclasses import dataclass

from components.catalog.models import ModelCheckpoint, WeightFormat
from components.config_base import SettingError
from components.serving.images import TGI_IMAGE
from components.serving.memory_fit import GpuFitRequest, GpuFitVerdict
from components.serving.metrics import TGI_QUEUE
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
from components.serving.settings import TgiSettings

_WARMUP_BATCH = 32
"""TGI warms up decode CUDA graphs for batches up to 32 rather than vLLM's 256 sequences."""
DEFAULT_CONCURRENCY = 4
"""Unset maxTotalTokens: leave room for this many full-length requests at once. TGI's own
default (the whole KV cache) lets one request take every block and queues all others."""

# AWQ/GPTQ load pre-quantized checkpoints; EETQ and bitsandbytes quantize 16-bit weights at load.
_QUANTIZE: dict[str, tuple[WeightFormat, float | None]] = {
    "awq": (WeightFormat.AWQ, None),
    "gptq": (WeightFormat.GPTQ, None),
    "eetq": (WeightFormat.BF16, 8.0),
    "bitsandbytes": (WeightFormat.BF16, 8.0),
    # NF4/FP4 store 4-bit weights plus one fp32 absmax per 64 weights.
    "bitsandbytes-nf4": (WeightFormat.BF16, 4.5),
    "bitsandbytes-fp4": (WeightFormat.BF16, 4.5),
}


def check_tgi(settings: TgiSettings, request: PlanRequest) -> None:
    checkpoint = request.checkpoint
    if checkpoint.is_gguf:
        raise SettingError(
            "model", f"{checkpoint.key} is a GGUF file; serve it with server.type: llamacpp"
        )
    if settings.quantize is not None:
        needs, _ = _QUANTIZE[settings.quantize]
        if needs != checkpoint.weight_format:
            raise SettingError(
                "server.quantize",
                f"{settings.quantize} needs a {needs.value} checkpoint but {checkpoint.key} is"
                f" {checkpoint.weight_format.value}; pick a matching model or another quantize",
            )
    if len(request.tenants) != 1:
        raise SettingError(
            "tenants",
            f"TGI 3.3.4 accepts one API key but {len(request.tenants)} tenants"
            f" ({', '.join(request.tenants)}) would call it; list one tenant here, or serve"
            " the model with vLLM or llama.cpp, which accept several keys",
        )
    check_gpu_split("server.numShard", settings.num_shard, request)
    check_image_arch(TGI_IMAGE, request.shape)


def tgi_loaded_weight_bytes(settings: TgiSettings, checkpoint: ModelCheckpoint) -> int:
    if settings.quantize is None:
        return checkpoint.weight_bytes
    _, bits = _QUANTIZE[settings.quantize]
    return checkpoint.weight_bytes if bits is None else checkpoint.weight_bytes_at(bits)


@dataclass(frozen=True)
class TgiTokenLimits:
    max_total_tokens: int
    max_input_tokens: int
    max_batch_prefill_tokens: int


def tgi_token_limits(settings: TgiSettings, verdict: GpuFitVerdict) -> TgiTokenLimits:
    """TGI refuses to start unless input < total and prefill >= input."""
    total = verdict.context
    prefill = settings.max_batch_prefill_tokens
    max_input = settings.max_input_tokens or min(prefill, total - 1)
    if max_input >= total:
        raise SettingError(
            "server.maxInputTokens",
            f"{max_input} must be below maxTotalTokens ({total}) to leave room for the answer",
        )
    if prefill < max_input:
        raise SettingError(
            "server.maxBatchPrefillTokens",
            f"{prefill} is below maxInputTokens ({max_input}); TGI needs room to prefill one"
            " full prompt: raise it or lower maxInputTokens",
        )
    return TgiTokenLimits(total, max_input, prefill)


def tgi_args(
    settings: TgiSettings,
    checkpoint: ModelCheckpoint,
    verdict: GpuFitVerdict,
    port: int,
    weights_dir: str | None = None,
) -> list[str]:
    """`--model-id` is the cached directory when there is one: its safetensors are found and
    nothing is downloaded or converted (no `--revision`, which would send the router to the
    Hub)."""
    limits = tgi_token_limits(settings, verdict)
    options: list[Option] = [
        ("--model-id", weights_dir or checkpoint.hf_repo),
        ("--hostname", "0.0.0.0"),
        ("--port", port),
        ("--num-shard", settings.num_shard),
        ("--max-total-tokens", limits.max_total_tokens),
        ("--max-input-tokens", limits.max_input_tokens),
        ("--max-batch-prefill-tokens", limits.max_batch_prefill_tokens),
        ("--cuda-memory-fraction", verdict.gpu_memory_utilization),
    ]
    if settings.quantize is not None:
        options.append(("--quantize", settings.quantize))
    return command_line(options)


def plan_tgi(settings: TgiSettings, request: PlanRequest) -> ServerPlan:
    check_tgi(settings, request)
    checkpoint, shape = request.checkpoint, request.shape
    assert shape.accelerator is not None
    verdict = gpu_fit(
        "server.maxTotalTokens",
        GpuFitRequest(
            checkpoint=checkpoint,
            accelerator=shape.accelerator,
            weight_bytes=tgi_loaded_weight_bytes(settings, checkpoint),
            kv_bytes_per_element=2,
            tensor_parallel=settings.num_shard,
            max_num_seqs=_WARMUP_BATCH,
            max_num_batched_tokens=settings.max_batch_prefill_tokens,
            requested_context=settings.max_total_tokens,
            pods_per_gpu=request.pods_per_gpu,
            default_concurrency=DEFAULT_CONCURRENCY,
        ),
    )
    return gpu_server_plan(
        image=TGI_IMAGE,
        args=tgi_args(settings, checkpoint, verdict, SERVER_PORT, request.weights_dir),
        env={"HF_HOME": "/data", "HUGGINGFACE_HUB_CACHE": "/data", **offline_env(request)},
        secrets=SecretInputs(env={**hf_token_env(request), "API_KEY": key_files(request)}),
        cache_path="/data",
        gpus=settings.num_shard,
        request=request,
        queue_metric=TGI_QUEUE,
        engine=settings.type,
        verdict=verdict,
    )
