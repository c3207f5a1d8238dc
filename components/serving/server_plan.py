"""What every model server is decided into, and the pieces the server modules share.

A server module (`vllm.py`, `tgi.py`, `llamacpp.py`) turns its settings and a `PlanRequest`
into a `ServerPlan`; the Kubernetes component only turns that plan into objects.
"""

import math
from dataclasses import dataclass, field

from components.catalog.hardware import GIB, MachineShape
from components.catalog.models import ModelCheckpoint
from components.config_base import ConfigModel, SettingError
from components.serving.images import ServerImage
from components.serving.memory_fit import FitError, GpuFitRequest, GpuFitVerdict, plan_gpu_fit
from components.serving.scrape_key import SCRAPE_KEY_FILE
from components.serving.secret_files import HF_TOKEN_KEY, SecretInputs, api_key_file
from components.serving.startup_budget import (
    Delivery,
    StartupBudget,
    StartupRequest,
    startup_budget,
)
from components.weights.selection import WEIGHTS_DIR

SERVER_PORT = 8000
"""Every server listens here, so Services, probes and the edge never depend on the server type."""

_POD_SHARE_OF_NODE = 0.75
"""Default requests leave a quarter of the node's CPU and memory to the kubelet and daemons."""
SCRATCH_GIB = 10
"""The server's own disk when its weights come from the cache: compile and tokenizer caches."""

Option = tuple[str, str | int | float | None]
"""A command-line option: flag and value (None: a flag that takes no value)."""


def command_line(options: list[Option]) -> list[str]:
    """`--flag value` as two words: the only form all three servers accept (llama-server
    rejects `--flag=value` as an unknown argument)."""
    words: list[str] = []
    for flag, value in options:
        words.append(flag)
        if value is not None:
            words.append(str(value))
    return words


class Resources(ConfigModel):
    cpu: int | None = None
    """Whole cores; default three quarters of the node's share."""
    memory_gib: int | None = None


@dataclass(frozen=True, kw_only=True)
class PlanRequest:
    """Where and for whom one server runs; the server's own settings come alongside."""

    checkpoint: ModelCheckpoint
    shape: MachineShape
    resources: Resources
    tenants: tuple[str, ...]
    """Tenants whose keys the server must accept."""
    has_hf_token: bool
    pods_per_gpu: int = 1
    delivery: Delivery = field(default_factory=Delivery)
    """How the node gets the image and the weights (the cache, image streaming)."""

    @property
    def weights_dir(self) -> str | None:
        """Where the checkpoint's files are mounted from the weights cache; None: the server
        downloads them from Hugging Face when it starts."""
        return WEIGHTS_DIR if self.delivery.cached else None

    """GPU time-sharing: server pods sharing each physical GPU."""


@dataclass(frozen=True, kw_only=True)
class ServerPlan:
    image: ServerImage
    args: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    secrets: SecretInputs
    cache_path: str
    cache_size_gib: int
    shm_size_gib: int | None
    gpus: int
    cpu: int
    memory_gib: int
    weights_dir: str | None
    """The checkpoint's files from the weights cache; None: downloaded from Hugging Face."""
    startup: StartupBudget
    hub_startup: StartupBudget
    """The same server with its weights from Hugging Face and a plain image pull: the
    comparison the plan prints."""
    context: int
    fit_summary: str
    queue_metric: str | None
    """The server's queue-length gauge on `/metrics` (what its HPA scales on); None: the
    server exports no metrics."""
    port: int = SERVER_PORT

    @property
    def scrape_key_needed(self) -> bool:
        """The server guards `/metrics` with its API keys (llama-server)."""
        return SCRAPE_KEY_FILE in self.secrets.files

    @property
    def startup_seconds(self) -> int:
        """What the startup probe allows from container start: weights, load, warm-up."""
        return self.startup.probe_seconds

    @property
    def first_start_seconds(self) -> int:
        """From an empty pool to a ready server: a new node, the image, then start-up.
        What `pulumi up` must wait for on the first deployment."""
        return self.startup.first_start_seconds


def default_resources(request: PlanRequest, gpus: int) -> tuple[int, int]:
    """CPU and memory requests: the configured ones, or the pod's share of the node."""
    shape, resources = request.shape, request.resources
    share = gpus / shape.gpu_count / request.pods_per_gpu if shape.has_gpu else 1.0
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


def cache_gib(checkpoint: ModelCheckpoint) -> int:
    """Disk for a checkpoint's files."""
    return math.ceil(checkpoint.weight_bytes * 1.1 / GIB) + 2


def server_disk_gib(request: PlanRequest) -> int:
    """The server's own disk: the download, or only its caches when the weights are mounted."""
    return SCRATCH_GIB if request.delivery.cached else cache_gib(request.checkpoint)


def startup_budgets(
    engine: str, image: ServerImage, request: PlanRequest
) -> tuple[StartupBudget, StartupBudget]:
    """The server's budget as delivered, and from Hugging Face with a plain pull."""

    def budget(delivery: Delivery) -> StartupBudget:
        return startup_budget(
            StartupRequest(
                engine=engine,
                image_bytes=image.compressed_bytes,
                weight_bytes=request.checkpoint.weight_bytes,
                delivery=delivery,
            )
        )

    return budget(request.delivery), budget(Delivery())


def hf_token_env(request: PlanRequest) -> dict[str, tuple[str, ...]]:
    """`HF_TOKEN` from its file when the server downloads and there is a token; an error for a
    gated model without one (the cache's fill Job needs it as much as the server would)."""
    checkpoint = request.checkpoint
    if checkpoint.gated and not request.has_hf_token:
        raise SettingError(
            "model",
            f"{checkpoint.hf_repo} is gated: accept its licence on Hugging Face and set the"
            " token with `pulumi config set --secret llm-platform:huggingFaceToken hf_...`",
        )
    if request.weights_dir is not None:
        return {}
    return {"HF_TOKEN": (HF_TOKEN_KEY,)} if request.has_hf_token else {}


def offline_env(request: PlanRequest) -> dict[str, str]:
    """A server reading the cache never calls the Hub: a missing file fails at once instead of
    turning into a download (huggingface_hub's `HF_HUB_OFFLINE`)."""
    return {"HF_HUB_OFFLINE": "1"} if request.weights_dir is not None else {}


def key_files(request: PlanRequest) -> tuple[str, ...]:
    return tuple(api_key_file(tenant) for tenant in request.tenants)


def gpu_fit(key: str, request: GpuFitRequest) -> GpuFitVerdict:
    try:
        return plan_gpu_fit(request)
    except FitError as error:
        raise SettingError(key, str(error)) from None


def check_image_arch(image: ServerImage, shape: MachineShape) -> None:
    if shape.arch not in image.arches:
        published = ", ".join(sorted(a.value for a in image.arches))
        raise SettingError(
            "pool",
            f"{image.reference} is published for {published} only but {shape.name} is"
            f" {shape.arch.value}; place this server on a {published} pool",
        )


def check_gpu_split(key: str, split: int, request: PlanRequest) -> None:
    """The node has the GPUs, time-shared GPUs are requested one at a time, the heads divide."""
    shape, checkpoint = request.shape, request.checkpoint
    if not shape.has_gpu:
        raise SettingError("pool", f"{shape.name} has no GPU; GPU servers need a GPU pool")
    if split > shape.gpu_count:
        raise SettingError(
            key,
            f"{split} GPUs requested but {shape.name} has {shape.gpu_count}; use at most"
            f" {shape.gpu_count} or a machine type with more GPUs",
        )
    if split > 1 and request.pods_per_gpu > 1:
        raise SettingError(
            key,
            f"{split} GPUs requested on a pool with GPU time-sharing; GKE gives a container at"
            " most one shared GPU: use 1, or a pool without gpuSharing",
        )
    heads = checkpoint.arch.kv_heads
    if heads % split and split % heads:
        raise SettingError(
            key, f"{checkpoint.key}'s {heads} KV heads cannot be split {split} ways"
        )


def gpu_server_plan(
    *,
    image: ServerImage,
    args: list[str],
    env: dict[str, str],
    secrets: SecretInputs,
    cache_path: str,
    gpus: int,
    request: PlanRequest,
    engine: str,
    verdict: GpuFitVerdict,
    queue_metric: str,
) -> ServerPlan:
    """What vLLM and TGI share: GPU resources, model cache, /dev/shm, probe timing."""
    cpu, memory = default_resources(request, gpus)
    startup, hub_startup = startup_budgets(engine, image, request)
    return ServerPlan(
        image=image,
        args=tuple(args),
        env=env,
        secrets=secrets,
        cache_path=cache_path,
        cache_size_gib=server_disk_gib(request),
        # Tensor-parallel workers exchange tensors through /dev/shm.
        shm_size_gib=2 if gpus == 1 else 8 * gpus,
        gpus=gpus,
        cpu=cpu,
        memory_gib=memory,
        weights_dir=request.weights_dir,
        startup=startup,
        hub_startup=hub_startup,
        context=verdict.context,
        fit_summary=verdict.summary(),
        queue_metric=queue_metric,
    )
