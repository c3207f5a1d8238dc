"""How long a model server takes from "pod scheduled on a fresh node" to "ready", by phase, from
a dated table of published figures; the startup probe, `pulumi up`'s wait and the autoscaler's
windows are sized from it (pure; notes: coldstart-numbers.md, coldstart-gke.md).

Table as of 2026-11-23. Each figure says whether it was measured by its source, derived from
published numbers, or assumed where nothing is published; the README repeats the table.
"""

import math
from dataclasses import dataclass
from enum import StrEnum

TABLE_DATE = "2026-11-23"
MARGIN = 2.0
"""Budgets are twice the expectation: the figures are single published runs."""
MIN_PROBE_SECONDS = 300
"""A startup probe that gives up on a slow but healthy first start restarts the container and
its whole load; never allow less than this."""
MIN_DEPLOY_WAIT_SECONDS = 600
"""pulumi-kubernetes' own default wait for a Deployment; a budget never shortens it."""


@dataclass(frozen=True, kw_only=True)
class Figure:
    value: float
    basis: str
    """measured / derived / assumed."""
    source: str


# The only published phase-by-phase GKE scale-from-zero run: Viktor Farcic, "Kubernetes GPU
# Autoscaling: Why Scale to Zero Costs You 10 Minutes Per Request", 2026-09-28 (GKE 1.35.7,
# g2-standard-8 with one L4, GKE-managed driver, vllm/vllm-openai:v0.27.1, Qwen3-8B).
_FARCIC = "Farcic 2026-09-28 (GKE 1.35.7, g2-standard-8, L4, vLLM 0.27.1)"

NODE_SECONDS = Figure(
    value=72,
    basis="measured",
    source=f"{_FARCIC}: scale-up trigger to GPU allocatable, driver installed",
)
"""Also used for CPU nodes and OKE, which have no published figure (assumed no slower)."""
IMAGE_PULL_BYTES_PER_SECOND = Figure(
    value=9e9 / 245,
    basis="derived",
    source=f"{_FARCIC}: ~9 GB image pulled and unpacked from Docker Hub in 4 min 5 s",
)
STREAMED_IMAGE_SECONDS = Figure(
    value=2,
    basis="measured",
    source="GKE image streaming launch blog, 2021-11-03: pull 'a couple of seconds',"
    " whatever the size; the image's files then arrive as they are read",
)
HUB_BYTES_PER_SECOND = Figure(
    value=53.1e6,
    basis="measured",
    source="vLLM pod downloading model.safetensors, 3.09 GB at 53.1 MB/s (EKS workshop,"
    " 2026-09); consistent with the ~5 min download + start in Farcic 2026-09-28",
)
GCS_FUSE_BYTES_PER_SECOND = Figure(
    value=16e9 / 8 * 14.2 / 25,
    basis="derived",
    source="g2-standard-8 egress 16 Gbps (Google's G2 table) at the share of line rate"
    " gcsfuse's own benchmark reached (14.2 GB/s sequential on a 200 Gbps VM)",
)
OCI_COPY_BYTES_PER_SECOND = Figure(
    value=15.26e9 / 89,
    basis="assumed",
    source="no published Object Storage-to-VM figure; the copy lands on the boot volume,"
    f" taken to write as fast as the disk {_FARCIC} read the model from (15.26 GB in 89 s)",
)
ENGINE_INIT_SECONDS = {
    "vllm": Figure(
        value=73,
        basis="measured",
        source=f"{_FARCIC}: 'init engine ... took 73.31 s' (profiling, compile, CUDA graphs)",
    ),
    "tgi": Figure(
        value=73,
        basis="assumed",
        source="no published TGI figure; vLLM's (both warm up and capture CUDA graphs)",
    ),
    "llamacpp": Figure(
        value=10,
        basis="assumed",
        source="no published figure; llama-server maps the GGUF and runs one warm-up batch",
    ),
}


class WeightsSource(StrEnum):
    HUB = "Hugging Face"
    GCS_FUSE = "Cloud Storage FUSE"
    OCI_COPY = "Object Storage copy"


_WEIGHTS_RATE = {
    WeightsSource.HUB: HUB_BYTES_PER_SECOND,
    WeightsSource.GCS_FUSE: GCS_FUSE_BYTES_PER_SECOND,
    WeightsSource.OCI_COPY: OCI_COPY_BYTES_PER_SECOND,
}


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """How a node gets the server's image and weights."""

    weights: WeightsSource = WeightsSource.HUB
    image_streaming: bool = False

    @property
    def cached(self) -> bool:
        return self.weights is not WeightsSource.HUB


@dataclass(frozen=True, kw_only=True)
class Phase:
    name: str
    seconds: int
    in_server: bool
    """Runs inside the server container, so its startup probe must wait it out."""


@dataclass(frozen=True, kw_only=True)
class StartupBudget:
    delivery: Delivery
    phases: tuple[Phase, ...]
    plain_pull_seconds: int
    """The image phase without streaming, or through a mirror that has not cached it yet."""

    @property
    def expected_seconds(self) -> int:
        return sum(p.seconds for p in self.phases)

    @property
    def probe_seconds(self) -> int:
        """What the startup probe allows from container start."""
        in_server = sum(p.seconds for p in self.phases if p.in_server)
        return max(MIN_PROBE_SECONDS, math.ceil(in_server * MARGIN))

    @property
    def first_start_seconds(self) -> int:
        """The budget from an empty pool to a ready server once the image mirror holds the
        image: what a scale-up waits (HPA windows, the scale-up estimate)."""
        return math.ceil(self.expected_seconds * MARGIN)

    @property
    def deploy_seconds(self) -> int:
        """How long the first `pulumi up` waits for the server: the regional mirror pulls the
        image from upstream on first use, so the image phase is a plain pull."""
        streamed = sum(p.seconds for p in self.phases if p.name == "image")
        cold = self.expected_seconds - streamed + self.plain_pull_seconds
        return max(MIN_DEPLOY_WAIT_SECONDS, math.ceil(cold * MARGIN))


@dataclass(frozen=True, kw_only=True)
class StartupRequest:
    engine: str
    """vllm, tgi or llamacpp."""
    image_bytes: int
    weight_bytes: int
    delivery: Delivery


def startup_budget(request: StartupRequest) -> StartupBudget:
    delivery = request.delivery
    plain_pull = math.ceil(request.image_bytes / IMAGE_PULL_BYTES_PER_SECOND.value)
    streamed = math.ceil(STREAMED_IMAGE_SECONDS.value)
    weights_rate = _WEIGHTS_RATE[delivery.weights].value
    engine = ENGINE_INIT_SECONDS[request.engine]
    return StartupBudget(
        delivery=delivery,
        plain_pull_seconds=plain_pull,
        phases=(
            Phase(name="node", seconds=int(NODE_SECONDS.value), in_server=False),
            Phase(
                name="image",
                seconds=streamed if delivery.image_streaming else plain_pull,
                in_server=False,
            ),
            Phase(
                name="weights",
                seconds=math.ceil(request.weight_bytes / weights_rate),
                # The OKE copy runs in an init container, before the server starts.
                in_server=delivery.weights is not WeightsSource.OCI_COPY,
            ),
            Phase(name="engine", seconds=int(engine.value), in_server=True),
        ),
    )
