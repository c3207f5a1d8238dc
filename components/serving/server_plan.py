"""Decide everything about one model server from plain settings: image, flags, resources, fit.

This is the single place where a server type becomes concrete; the Kubernetes component only
turns the resulting `ServerPlan` into objects.
"""

import math
from dataclasses import dataclass, field

from components.catalog.hardware import GIB, MachineShape
from components.catalog.models import ModelCheckpoint
from components.config_base import ConfigModel, SettingError
from components.serving.gpu_split import check_image_arch
from components.serving.images import LLAMA_CPP_IMAGE, TGI_IMAGE, VLLM_IMAGE, ServerImage
from components.serving.llamacpp_args import check_llamacpp, llamacpp_args
from components.serving.memory_fit import (
    FitError,
    GpuFitRequest,
    GpuFitVerdict,
    plan_cpu_fit,
    plan_gpu_fit,
)
from components.serving.settings import LlamaCppSettings, ServerSettings, TgiSettings, VllmSettings
from components.serving.tgi_args import check_tgi, tgi_args, tgi_loaded_weight_bytes
from components.serving.vllm_args import (
    check_vllm,
    vllm_args,
    vllm_kv_bytes_per_element,
    vllm_loaded_weight_bytes,
)

SERVER_PORT = 8000
"""Every server listens here, so Services, probes and the edge never depend on the server type."""
HF_TOKEN_KEY = "hf-token"
API_KEY_KEY = "api-key"
"""Secret keys: the names of the secret files every server reads."""

# Conservative download speed from the Hugging Face CDN, and the time vLLM/TGI spend loading
# weights, profiling memory and capturing CUDA graphs; the startup probe allows both.
_DOWNLOAD_BYTES_PER_SECOND = 50 * 1000**2
_GPU_WARMUP_SECONDS = 240
_CPU_WARMUP_SECONDS = 120
_TGI_WARMUP_BATCH = 32
"""TGI warms up decode CUDA graphs for batches up to 32 rather than vLLM's 256 sequences."""
_POD_SHARE_OF_NODE = 0.75
"""Default requests leave a quarter of the node's CPU and memory to the kubelet and daemons."""


class Resources(ConfigModel):
    cpu: int | None = None
    """Whole cores; default three quarters of the node's share."""
    memory_gib: int | None = None


@dataclass(frozen=True, kw_only=True)
class ServerPlan:
    image: str
    entrypoint: tuple[str, ...]
    """The image's own ENTRYPOINT, run after the secrets launcher."""
    args: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    secret_env: dict[str, str] = field(default_factory=dict)
    """Environment variable -> secret key (a file in the pod's secrets volume)."""
    cache_path: str
    cache_size_gib: int
    shm_size_gib: int | None
    gpus: int
    cpu: int
    memory_gib: int
    startup_seconds: int
    context: int
    fit_summary: str
    port: int = SERVER_PORT


def _default_resources(shape: MachineShape, gpus: int, resources: Resources) -> tuple[int, int]:
    share = gpus / shape.gpu_count if shape.has_gpu else 1.0
    cpu = resources.cpu or max(1, math.floor(shape.vcpus * share * _POD_SHARE_OF_NODE))
    memory = resources.memory_gib or max(
        1, math.floor(shape.memory_gib * share * _POD_SHARE_OF_NODE)
    )
    if cpu > shape.vcpus - 1:
        raise SettingError(
            "resources.cpu",
            f"{cpu} cores do not fit {shape.name} ({shape.vcpus} vCPUs, one kept"
            " for the kubelet and system pods)",
        )
    if memory > shape.memory_gib * 0.9:
        raise SettingError(
            "resources.memoryGib",
            f"{memory} GiB does not fit {shape.name} ({shape.memory_gib} GB, ~10% reserved by"
            " the kubelet)",
        )
    return cpu, memory


def _cache_gib(checkpoint: ModelCheckpoint) -> int:
    return math.ceil(checkpoint.weight_bytes * 1.1 / GIB) + 2


def _startup_seconds(checkpoint: ModelCheckpoint, warmup: int) -> int:
    return math.ceil(checkpoint.weight_bytes / _DOWNLOAD_BYTES_PER_SECOND) + warmup


def _secret_env(
    checkpoint: ModelCheckpoint, api_key_env: str, has_hf_token: bool
) -> dict[str, str]:
    if checkpoint.gated and not has_hf_token:
        raise SettingError(
            "model",
            f"{checkpoint.hf_repo} is gated: accept its licence on Hugging Face and set the"
            " token with `pulumi config set --secret llm-platform:huggingFaceToken hf_...`",
        )
    env = {api_key_env: API_KEY_KEY}
    if has_hf_token:
        env["HF_TOKEN"] = HF_TOKEN_KEY
    return env


def plan_server(
    checkpoint: ModelCheckpoint,
    settings: ServerSettings,
    shape: MachineShape,
    resources: Resources,
    *,
    has_hf_token: bool,
) -> ServerPlan:
    """Raise SettingError (key relative to the model entry) when the combination cannot run."""
    match settings:
        case VllmSettings():
            return _plan_vllm(checkpoint, settings, shape, resources, has_hf_token)
        case TgiSettings():
            return _plan_tgi(checkpoint, settings, shape, resources, has_hf_token)
        case LlamaCppSettings():
            return _plan_llamacpp(checkpoint, settings, shape, resources, has_hf_token)


def _gpu_fit(key: str, request: GpuFitRequest) -> GpuFitVerdict:
    try:
        return plan_gpu_fit(request)
    except FitError as error:
        raise SettingError(key, str(error)) from None


def _gpu_server_plan(
    *,
    image: ServerImage,
    args: list[str],
    env: dict[str, str],
    secret_env: dict[str, str],
    cache_path: str,
    gpus: int,
    checkpoint: ModelCheckpoint,
    shape: MachineShape,
    resources: Resources,
    verdict: GpuFitVerdict,
) -> ServerPlan:
    """What vLLM and TGI share: GPU resources, model cache, /dev/shm, probe timing."""
    cpu, memory = _default_resources(shape, gpus, resources)
    return ServerPlan(
        image=image.reference,
        entrypoint=image.entrypoint,
        args=tuple(args),
        env=env,
        secret_env=secret_env,
        cache_path=cache_path,
        cache_size_gib=_cache_gib(checkpoint),
        # Tensor-parallel workers exchange tensors through /dev/shm.
        shm_size_gib=2 if gpus == 1 else 8 * gpus,
        gpus=gpus,
        cpu=cpu,
        memory_gib=memory,
        startup_seconds=_startup_seconds(checkpoint, _GPU_WARMUP_SECONDS),
        context=verdict.context,
        fit_summary=verdict.summary(),
    )


def _plan_vllm(
    checkpoint: ModelCheckpoint,
    settings: VllmSettings,
    shape: MachineShape,
    resources: Resources,
    has_hf_token: bool,
) -> ServerPlan:
    check_vllm(settings, checkpoint, shape)
    check_image_arch(VLLM_IMAGE, shape)
    assert shape.accelerator is not None
    verdict = _gpu_fit(
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
        ),
    )
    return _gpu_server_plan(
        image=VLLM_IMAGE,
        args=vllm_args(settings, checkpoint, verdict, SERVER_PORT),
        env={"HF_HOME": "/models"},
        secret_env=_secret_env(checkpoint, "VLLM_API_KEY", has_hf_token),
        cache_path="/models",
        gpus=settings.tensor_parallel_size,
        checkpoint=checkpoint,
        shape=shape,
        resources=resources,
        verdict=verdict,
    )


def _plan_tgi(
    checkpoint: ModelCheckpoint,
    settings: TgiSettings,
    shape: MachineShape,
    resources: Resources,
    has_hf_token: bool,
) -> ServerPlan:
    check_tgi(settings, checkpoint, shape)
    check_image_arch(TGI_IMAGE, shape)
    assert shape.accelerator is not None
    verdict = _gpu_fit(
        "server.maxTotalTokens",
        GpuFitRequest(
            checkpoint=checkpoint,
            accelerator=shape.accelerator,
            weight_bytes=tgi_loaded_weight_bytes(settings, checkpoint),
            kv_bytes_per_element=2,
            tensor_parallel=settings.num_shard,
            max_num_seqs=_TGI_WARMUP_BATCH,
            max_num_batched_tokens=settings.max_batch_prefill_tokens,
            requested_context=settings.max_total_tokens,
        ),
    )
    return _gpu_server_plan(
        image=TGI_IMAGE,
        args=tgi_args(settings, checkpoint, verdict, SERVER_PORT),
        env={"HF_HOME": "/data", "HUGGINGFACE_HUB_CACHE": "/data"},
        secret_env=_secret_env(checkpoint, "API_KEY", has_hf_token),
        cache_path="/data",
        gpus=settings.num_shard,
        checkpoint=checkpoint,
        shape=shape,
        resources=resources,
        verdict=verdict,
    )


def _plan_llamacpp(
    checkpoint: ModelCheckpoint,
    settings: LlamaCppSettings,
    shape: MachineShape,
    resources: Resources,
    has_hf_token: bool,
) -> ServerPlan:
    check_llamacpp(checkpoint, shape)
    check_image_arch(LLAMA_CPP_IMAGE, shape)
    cpu, memory = _default_resources(shape, 0, resources)
    try:
        verdict = plan_cpu_fit(
            checkpoint,
            memory_limit_bytes=memory * GIB,
            context_per_slot=settings.context_per_slot,
            parallel=settings.parallel,
        )
    except FitError as error:
        raise SettingError("server.contextPerSlot", str(error)) from None
    return ServerPlan(
        image=LLAMA_CPP_IMAGE.reference,
        entrypoint=LLAMA_CPP_IMAGE.entrypoint,
        args=tuple(llamacpp_args(settings, checkpoint, verdict, cpu, SERVER_PORT)),
        env={"LLAMA_CACHE": "/models"},
        secret_env=_secret_env(checkpoint, "LLAMA_API_KEY", has_hf_token),
        cache_path="/models",
        cache_size_gib=_cache_gib(checkpoint),
        shm_size_gib=None,
        gpus=0,
        cpu=cpu,
        memory_gib=memory,
        startup_seconds=_startup_seconds(checkpoint, _CPU_WARMUP_SECONDS),
        context=verdict.context_per_slot,
        fit_summary=verdict.summary(),
    )
