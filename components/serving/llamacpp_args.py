"""llama.cpp `llama-server` on CPU: GGUF model, threads matching the CPU request, slots.

Flags are those of llama-server (https://github.com/ggml-org/llama.cpp/tree/master/tools/server).
`--ctx-size` is the total KV cache, split evenly across `--parallel` slots.
"""

from components.catalog.hardware import MachineShape
from components.catalog.models import ModelCheckpoint
from components.config_base import SettingError
from components.serving.memory_fit import CpuFitVerdict
from components.serving.settings import LlamaCppSettings


def check_llamacpp(checkpoint: ModelCheckpoint, shape: MachineShape) -> None:
    if not checkpoint.is_gguf:
        raise SettingError(
            "model",
            f"llama.cpp serves GGUF files and {checkpoint.key} is"
            f" {checkpoint.weight_format.value}; pick a -gguf model",
        )
    if shape.has_gpu:
        raise SettingError(
            "pool",
            f"this llama.cpp build runs on CPU only; {shape.name} carries GPUs that would sit"
            " idle: place it on a CPU pool",
        )


def llamacpp_args(
    settings: LlamaCppSettings,
    checkpoint: ModelCheckpoint,
    verdict: CpuFitVerdict,
    threads: int,
    port: int,
) -> list[str]:
    """The API key comes from LLAMA_API_KEY, the HF token (if any) from HF_TOKEN."""
    assert checkpoint.gguf_file is not None
    return [
        f"--hf-repo={checkpoint.hf_repo}",
        f"--hf-file={checkpoint.gguf_file}",
        f"--alias={checkpoint.served_name}",
        "--host=0.0.0.0",
        f"--port={port}",
        f"--ctx-size={verdict.context_per_slot * settings.parallel}",
        f"--parallel={settings.parallel}",
        f"--threads={threads}",
        "--metrics",
        "--no-webui",
    ]
