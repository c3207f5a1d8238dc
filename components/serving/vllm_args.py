"""vLLM: which checkpoints and flags work together, and the command-line arguments.

Flag names and choices are those of vLLM 0.33.0 (`vllm serve --help`); tests check every flag
built here against the list recorded from that release.
"""

from components.catalog.hardware import MachineShape
from components.catalog.models import ModelCheckpoint, WeightFormat
from components.config_base import SettingError
from components.serving.gpu_split import check_gpu_split
from components.serving.images import VLLM_VERSION
from components.serving.memory_fit import GpuFitVerdict
from components.serving.settings import VllmSettings

_QUANTIZATION_NEEDS: dict[str, WeightFormat] = {
    "awq": WeightFormat.AWQ,
    "awq_marlin": WeightFormat.AWQ,
    "gptq": WeightFormat.GPTQ,
    "gptq_marlin": WeightFormat.GPTQ,
    # fp8 quantizes a 16-bit checkpoint's weights while loading.
    "fp8": WeightFormat.BF16,
}


def check_vllm(settings: VllmSettings, checkpoint: ModelCheckpoint, shape: MachineShape) -> None:
    """Raise SettingError for a combination vLLM would reject at start-up."""
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
    check_gpu_split("server.tensorParallelSize", settings.tensor_parallel_size, checkpoint, shape)


def vllm_loaded_weight_bytes(settings: VllmSettings, checkpoint: ModelCheckpoint) -> int:
    if settings.quantization == "fp8":
        return checkpoint.weight_bytes_at(8)
    return checkpoint.weight_bytes


def vllm_kv_bytes_per_element(settings: VllmSettings) -> int:
    return 1 if settings.kv_cache_dtype.startswith("fp8") else 2


def vllm_args(
    settings: VllmSettings, checkpoint: ModelCheckpoint, verdict: GpuFitVerdict, port: int
) -> list[str]:
    """`vllm serve` arguments; the API key and HF token come from the environment."""
    args = [
        f"--model={checkpoint.hf_repo}",
        f"--served-model-name={checkpoint.served_name}",
        "--host=0.0.0.0",
        f"--port={port}",
        f"--dtype={settings.dtype}",
        f"--tensor-parallel-size={settings.tensor_parallel_size}",
        f"--max-model-len={verdict.context}",
        f"--gpu-memory-utilization={verdict.gpu_memory_utilization}",
        f"--max-num-seqs={settings.max_num_seqs}",
        f"--max-num-batched-tokens={settings.max_num_batched_tokens}",
        f"--kv-cache-dtype={settings.kv_cache_dtype}",
    ]
    if settings.quantization is not None:
        args.append(f"--quantization={settings.quantization}")
    args.append(
        "--enable-prefix-caching"
        if settings.enable_prefix_caching
        else "--no-enable-prefix-caching"
    )
    return args
