"""llama.cpp `llama-server` on CPU: GGUF model, threads matching the CPU request, slots.

Flags are those of llama-server at the pinned build (`common/arg.cpp`); tests check every
flag built here against the option list recorded from that source. llama-server takes
`--flag value` only: `--flag=value` is looked up whole and rejected as an invalid argument.
`--ctx-size` is the KV cache of all `--parallel` slots together; `--api-key` takes several
keys separated by commas, and so does its variable `LLAMA_API_KEY`.
"""

from components.catalog.hardware import GIB
from components.catalog.models import ModelCheckpoint
from components.config_base import SettingError
from components.serving.images import LLAMA_CPP_IMAGE
from components.serving.memory_fit import CpuFitVerdict, FitError, plan_cpu_fit
from components.serving.metrics import LLAMACPP_QUEUE
from components.serving.scrape_key import SCRAPE_KEY_FILE
from components.serving.secret_files import SecretInputs
from components.serving.server_plan import (
    SERVER_PORT,
    Option,
    PlanRequest,
    ServerPlan,
    check_image_arch,
    command_line,
    default_resources,
    hf_token_env,
    key_files,
    server_disk_gib,
    startup_budgets,
)
from components.serving.settings import LlamaCppSettings

DEFAULT_CONTEXT_PER_SLOT = 8192
"""Unset contextPerSlot: at most this many tokens per slot. A CPU prefills on the order of a
hundred tokens a second, so longer prompts outlast any client timeout, and every token of
context is host memory the pod must hold from the start (the article's chat and RAG cases need
200 and 2,200)."""


def check_llamacpp(request: PlanRequest) -> None:
    checkpoint, shape = request.checkpoint, request.shape
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
    check_image_arch(LLAMA_CPP_IMAGE, shape)


def llamacpp_args(
    settings: LlamaCppSettings,
    checkpoint: ModelCheckpoint,
    verdict: CpuFitVerdict,
    threads: int,
    port: int,
    weights_dir: str | None = None,
) -> list[str]:
    """The API keys come from LLAMA_API_KEY, the HF token (if any) from HF_TOKEN. A cached
    file is `--model <path>` (with `--hf-repo` set, llama-server would download over it);
    `--alias` keeps the served name, which would otherwise be the file's path."""
    assert checkpoint.gguf_file is not None
    source: list[Option] = (
        [("--model", f"{weights_dir}/{checkpoint.gguf_file}")]
        if weights_dir is not None
        else [("--hf-repo", checkpoint.hf_repo), ("--hf-file", checkpoint.gguf_file)]
    )
    options: list[Option] = [
        *source,
        ("--alias", checkpoint.served_name),
        ("--host", "0.0.0.0"),
        ("--port", port),
        ("--ctx-size", verdict.context_per_slot * settings.parallel),
        ("--parallel", settings.parallel),
        ("--threads", threads),
        ("--no-ui", None),  # `--no-webui` is its deprecated spelling
    ]
    if settings.metrics:
        options.append(("--metrics", None))
    return command_line(options)


def plan_llamacpp(settings: LlamaCppSettings, request: PlanRequest) -> ServerPlan:
    check_llamacpp(request)
    checkpoint = request.checkpoint
    cpu, memory = default_resources(request, 0)
    startup, hub_startup = startup_budgets(settings.type, LLAMA_CPP_IMAGE, request)
    try:
        verdict = plan_cpu_fit(
            checkpoint,
            memory_limit_bytes=memory * GIB,
            context_per_slot=settings.context_per_slot,
            default_context_per_slot=DEFAULT_CONTEXT_PER_SLOT,
            parallel=settings.parallel,
        )
    except FitError as error:
        raise SettingError("server.contextPerSlot", str(error)) from None
    api_keys = key_files(request)
    if settings.metrics:
        # /metrics needs a key on llama-server: Prometheus gets one of its own.
        api_keys = (*api_keys, SCRAPE_KEY_FILE)
    return ServerPlan(
        image=LLAMA_CPP_IMAGE,
        args=tuple(
            llamacpp_args(settings, checkpoint, verdict, cpu, SERVER_PORT, request.weights_dir)
        ),
        env={"LLAMA_CACHE": "/models"},
        secrets=SecretInputs(env={**hf_token_env(request), "LLAMA_API_KEY": api_keys}),
        cache_path="/models",
        cache_size_gib=server_disk_gib(request),
        shm_size_gib=None,
        gpus=0,
        cpu=cpu,
        memory_gib=memory,
        weights_dir=request.weights_dir,
        startup=startup,
        hub_startup=hub_startup,
        context=verdict.context_per_slot,
        fit_summary=verdict.summary(),
        queue_metric=LLAMACPP_QUEUE if settings.metrics else None,
    )
