"""Text Generation Inference: quantize options, sharding and token limits, as launcher flags.

Flags are those of `text-generation-launcher` 3.3 (https://huggingface.co/docs/text-generation-inference/reference/launcher).
The article's `--max-input-length` is the legacy name of `--max-input-tokens`.
"""

from dataclasses import dataclass

from components.catalog.hardware import MachineShape
from components.catalog.models import ModelCheckpoint, WeightFormat
from components.config_base import SettingError
from components.serving.gpu_split import check_gpu_split
from components.serving.memory_fit import GpuFitVerdict
from components.serving.settings import TgiSettings

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


def check_tgi(settings: TgiSettings, checkpoint: ModelCheckpoint, shape: MachineShape) -> None:
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
    check_gpu_split("server.numShard", settings.num_shard, checkpoint, shape)


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
    settings: TgiSettings, checkpoint: ModelCheckpoint, verdict: GpuFitVerdict, port: int
) -> list[str]:
    limits = tgi_token_limits(settings, verdict)
    args = [
        f"--model-id={checkpoint.hf_repo}",
        "--hostname=0.0.0.0",
        f"--port={port}",
        f"--num-shard={settings.num_shard}",
        f"--max-total-tokens={limits.max_total_tokens}",
        f"--max-input-tokens={limits.max_input_tokens}",
        f"--max-batch-prefill-tokens={limits.max_batch_prefill_tokens}",
        f"--cuda-memory-fraction={verdict.gpu_memory_utilization}",
    ]
    if settings.quantize is not None:
        args.append(f"--quantize={settings.quantize}")
    return args
