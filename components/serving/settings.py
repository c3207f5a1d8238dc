"""Per-server settings as users write them in config (`models[].server`)."""

from typing import Annotated, Literal

from pydantic import Field

from components.config_base import ConfigModel

VllmQuantization = Literal["awq", "awq_marlin", "gptq", "gptq_marlin", "fp8", "squeezellm"]
"""`squeezellm` is listed only so that it gets a precise error: vLLM removed it."""
KvCacheDtype = Literal["auto", "fp8", "fp8_e4m3", "fp8_e5m2"]
TgiQuantize = Literal[
    "awq", "gptq", "eetq", "bitsandbytes", "bitsandbytes-nf4", "bitsandbytes-fp4"
]


class VllmSettings(ConfigModel):
    type: Literal["vllm"] = "vllm"
    dtype: Literal["auto", "bfloat16", "float16"] = "auto"
    quantization: VllmQuantization | None = None
    """Unset: vLLM reads it from a pre-quantized checkpoint's config."""
    kv_cache_dtype: KvCacheDtype = "auto"
    tensor_parallel_size: Annotated[int, Field(ge=1, le=8)] = 1
    max_model_len: Annotated[int, Field(gt=0)] | None = None
    """Unset: the longest context that fits the GPU memory."""
    max_num_seqs: Annotated[int, Field(ge=1, le=1024)] = 256
    max_num_batched_tokens: Annotated[int, Field(ge=256)] = 2048
    gpu_memory_utilization: Annotated[float, Field(gt=0.5, le=0.99)] | None = None
    """Unset: the largest fraction that leaves the CUDA context its room."""
    enable_prefix_caching: bool = True


class TgiSettings(ConfigModel):
    type: Literal["tgi"] = "tgi"
    quantize: TgiQuantize | None = None
    num_shard: Annotated[int, Field(ge=1, le=8)] = 1
    max_total_tokens: Annotated[int, Field(gt=0)] | None = None
    """Unset: the longest context that fits (capped by the model)."""
    max_input_tokens: Annotated[int, Field(gt=0)] | None = None
    max_batch_prefill_tokens: Annotated[int, Field(ge=256)] = 4096


class LlamaCppSettings(ConfigModel):
    type: Literal["llamacpp"] = "llamacpp"
    context_per_slot: Annotated[int, Field(gt=0)] | None = None
    """Tokens each parallel slot may hold; unset: the longest that fits the memory limit."""
    parallel: Annotated[int, Field(ge=1, le=64)] = 4
    metrics: bool = True
    """`--metrics`: Prometheus metrics on `/metrics` (llama-server leaves them off by default);
    its HPA and monitor need them."""


ServerSettings = Annotated[
    VllmSettings | TgiSettings | LlamaCppSettings, Field(discriminator="type")
]
