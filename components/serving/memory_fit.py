"""Does a model fit the hardware, and with how much context? Pure arithmetic, no Pulumi.

GPU servers follow vLLM's start-up accounting (vllm/v1/worker/gpu_worker.py, vLLM 0.33):

    kv_budget = usable_memory * gpu_memory_utilization
                - weights - peak_activations - sampler_buffers - cuda_graphs - non_torch

and vLLM refuses to start when one sequence of `max_model_len` tokens needs more KV cache than
`kv_budget`. Before profiling, vLLM 0.33 also refuses to start unless the memory free on the
device is at least `gpu_memory_utilization * total`. The CUDA context and library handles live
outside the budget, so the utilization we choose leaves them, plus headroom for that start-up
check, unclaimed. With GPU time-sharing several pods claim their fraction of the same card, so
the fractions (and each pod's reserve) must add up to less than the whole card.
"""

import math
from dataclasses import dataclass

from components.catalog.hardware import GIB, Accelerator
from components.catalog.models import ModelCheckpoint

KV_BLOCK_TOKENS = 16
"""vLLM allocates KV cache in blocks of 16 tokens."""
MIN_USEFUL_CONTEXT = 512
"""Below this a chat or RAG request (prompt + answer) does not fit; treat it as 'does not fit'."""

CUDA_CONTEXT_BYTES = int(0.75 * GIB)
"""CUDA context with the kernels of PyTorch, cuBLAS and the attention backend loaded, per
process: memory vLLM's budget does not see (0.5-1 GiB on Ampere/Ada cards with CUDA 12)."""
START_CHECK_HEADROOM_BYTES = int(1.0 * GIB)
"""Slack for vLLM's start-up check (free memory >= utilization x total): the driver, GKE's GPU
metrics agent, or the context of a container being replaced on the same GPU may hold memory
when a server starts. 0.96 on a 24 GB card (0.9 GiB unclaimed) failed that check."""
GPU_RESERVE_BYTES = CUDA_CONTEXT_BYTES + START_CHECK_HEADROOM_BYTES
"""What each server process leaves unclaimed on every GPU it uses."""
CUDA_GRAPH_BYTES = int(0.5 * GIB)
"""vLLM captures CUDA graphs for decode batch sizes up to 512; ~0.3-0.6 GiB for 1-8B models."""
NON_TORCH_BYTES = int(0.15 * GIB)
NCCL_BYTES = int(0.5 * GIB)
"""NCCL communicator buffers, only with tensor parallelism."""
ACTIVATION_BYTES_PER_ELEMENT = 2
SAMPLER_BYTES_PER_LOGIT = 20
"""vLLM profiles the sampler with top-p/top-k on `max_num_seqs` rows of vocabulary logits:
fp32 logits (4) + fp32 probabilities (4) + sorted fp32 values (4) + int64 sort indices (8)."""

CPU_RUNTIME_OVERHEAD_BYTES = int(1.0 * GIB)
"""llama.cpp compute buffers, tokenizer and HTTP server on top of weights and KV cache."""
CPU_MEMORY_HEADROOM = 0.1
"""Share of a llama.cpp container's memory limit left unplanned: buffers that scale with the
prompt, allocator fragmentation, page cache of the mapped GGUF file."""


class FitError(ValueError):
    """The configuration cannot run on the hardware; the message lists the numbers and ways out."""


def _gib(n: float) -> str:
    return f"{n / GIB:.2f} GiB"


def kv_bytes_per_token(
    checkpoint: ModelCheckpoint, kv_bytes_per_element: int, tensor_parallel: int = 1
) -> int:
    """KV cache per token on one GPU: 2 (K and V) x layers x KV heads on this GPU x head dim."""
    arch = checkpoint.arch
    heads_per_gpu = max(1, math.ceil(arch.kv_heads / tensor_parallel))
    return 2 * arch.layers * heads_per_gpu * arch.head_dim * kv_bytes_per_element


def max_gpu_memory_utilization(accelerator: Accelerator, pods_per_gpu: int = 1) -> float:
    """The largest utilization (two decimals) each of `pods_per_gpu` servers sharing one GPU
    may claim while every one of them keeps its reserve and passes vLLM's start-up check.

    The last pod to start sees `usable - (pods - 1) * (share + reserve) - its own context`
    free and needs `share` of it, so `pods * share + pods * reserve <= usable`.
    """
    usable = accelerator.usable_memory_bytes
    share = (usable - pods_per_gpu * GPU_RESERVE_BYTES) / pods_per_gpu / usable
    return max(0.0, math.floor(share * 100) / 100)


@dataclass(frozen=True, kw_only=True)
class GpuFitRequest:
    checkpoint: ModelCheckpoint
    accelerator: Accelerator
    weight_bytes: int
    """Weights as loaded (after any load-time quantization), whole model."""
    kv_bytes_per_element: int
    tensor_parallel: int
    max_num_seqs: int
    max_num_batched_tokens: int
    requested_context: int | None
    gpu_memory_utilization: float | None = None
    pods_per_gpu: int = 1
    """GPU time-sharing: how many server pods share each physical GPU."""
    default_concurrency: int = 1
    """When no context is requested: how many full-length sequences the default context must
    leave room for at once (1: the longest that fits)."""


@dataclass(frozen=True, kw_only=True)
class GpuFitVerdict:
    gpu_memory_utilization: float
    weights_per_gpu: int
    overhead_per_gpu: int
    kv_budget_per_gpu: int
    kv_bytes_per_token: int
    kv_tokens: int
    longest_context: int
    context: int
    concurrent_full_sequences: int
    usable_per_gpu: int

    def summary(self) -> str:
        return (
            f"weights {_gib(self.weights_per_gpu)}/GPU, KV cache {_gib(self.kv_budget_per_gpu)}"
            f"/GPU = {self.kv_tokens} tokens, context {self.context}"
            f" (longest that fits {self.longest_context}),"
            f" {self.concurrent_full_sequences} full-length sequences at once,"
            f" --gpu-memory-utilization {self.gpu_memory_utilization}"
        )


def gpu_overhead_bytes(req: GpuFitRequest) -> int:
    """Peak activations, sampler buffers, CUDA graphs and non-torch memory on one GPU."""
    arch = req.checkpoint.arch
    # Per token: the MLP's fused gate/up output (2x intermediate) and its activation output (1x),
    # sharded by tensor parallelism, plus residual, norm and attention buffers (~4x hidden).
    per_token = 3 * arch.intermediate_size // req.tensor_parallel + 4 * arch.hidden_size
    activations = req.max_num_batched_tokens * per_token * ACTIVATION_BYTES_PER_ELEMENT
    sampler = req.max_num_seqs * arch.vocab_size * SAMPLER_BYTES_PER_LOGIT
    nccl = NCCL_BYTES if req.tensor_parallel > 1 else 0
    return activations + sampler + CUDA_GRAPH_BYTES + NON_TORCH_BYTES + nccl


def plan_gpu_fit(req: GpuFitRequest) -> GpuFitVerdict:
    """Size the KV cache and context; raise FitError with the ways out when it cannot run."""
    usable = req.accelerator.usable_memory_bytes
    utilization = _utilization(req)
    weights = req.weight_bytes // req.tensor_parallel
    overhead = gpu_overhead_bytes(req)
    budget = int(usable * utilization) - weights - overhead
    per_token = kv_bytes_per_token(req.checkpoint, req.kv_bytes_per_element, req.tensor_parallel)
    kv_tokens = max(0, budget) // per_token // KV_BLOCK_TOKENS * KV_BLOCK_TOKENS
    longest = min(kv_tokens, req.checkpoint.arch.max_context)
    where = (
        f"{req.checkpoint.key} on {req.tensor_parallel}x {req.accelerator.display_name}"
        f" ({_gib(usable)} usable each)"
    )
    if longest < MIN_USEFUL_CONTEXT:
        raise FitError(
            f"{where} does not fit: weights {_gib(weights)} + overhead {_gib(overhead)} per GPU"
            f" leave {_gib(max(0, budget))} for KV cache = {kv_tokens} tokens"
            f" (need at least {MIN_USEFUL_CONTEXT}); {_ways_out(req)}"
        )
    context = req.requested_context or _default_context(req, kv_tokens, longest)
    if context > req.checkpoint.arch.max_context:
        raise FitError(
            f"{context} tokens exceeds {req.checkpoint.key}'s maximum context of"
            f" {req.checkpoint.arch.max_context}; use at most that"
        )
    if context > longest:
        raise FitError(
            f"{where} fits {longest} tokens of context, not {context}: one sequence needs"
            f" {_gib(context * per_token)} of KV cache but weights {_gib(weights)} + overhead"
            f" {_gib(overhead)} per GPU leave {_gib(budget)}; set maxModelLen <= {longest},"
            f" or {_ways_out(req)}"
        )
    return GpuFitVerdict(
        gpu_memory_utilization=utilization,
        weights_per_gpu=weights,
        overhead_per_gpu=overhead,
        kv_budget_per_gpu=budget,
        kv_bytes_per_token=per_token,
        kv_tokens=kv_tokens,
        longest_context=longest,
        context=context,
        concurrent_full_sequences=kv_tokens // context,
        usable_per_gpu=usable,
    )


def _default_context(req: GpuFitRequest, kv_tokens: int, longest: int) -> int:
    shared = kv_tokens // req.default_concurrency // KV_BLOCK_TOKENS * KV_BLOCK_TOKENS
    return min(longest, max(MIN_USEFUL_CONTEXT, shared))


def _utilization(req: GpuFitRequest) -> float:
    ceiling = max_gpu_memory_utilization(req.accelerator, req.pods_per_gpu)
    sharing = (
        f" with {req.pods_per_gpu} pods sharing each {req.accelerator.display_name}"
        if req.pods_per_gpu > 1
        else ""
    )
    if req.gpu_memory_utilization is None:
        if ceiling <= 0:
            raise FitError(
                f"{req.pods_per_gpu} pods cannot share one {req.accelerator.display_name}: each"
                f" needs {_gib(GPU_RESERVE_BYTES)} outside its share; lower"
                " gpuSharing.maxSharedClientsPerGpu"
            )
        return ceiling
    if req.gpu_memory_utilization > ceiling:
        raise FitError(
            f"gpuMemoryUtilization {req.gpu_memory_utilization} is above {ceiling}, the most"
            f" that leaves {_gib(GPU_RESERVE_BYTES)} per pod for the CUDA context and vLLM's"
            f" start-up check{sharing}; lower it or leave it unset"
        )
    return req.gpu_memory_utilization


def _ways_out(req: GpuFitRequest) -> str:
    ways = []
    if req.checkpoint.weight_format.value == "bf16":
        ways.append("serve a quantized checkpoint (AWQ/GPTQ) or --quantization fp8")
    if req.kv_bytes_per_element > 1:
        ways.append("use an FP8 KV cache (kvCacheDtype: fp8_e5m2)")
    if req.pods_per_gpu > 1:
        ways.append(
            f"share each GPU between fewer pods (now {req.pods_per_gpu}, each gets"
            f" {_utilization(req):.0%} of it)"
        )
    else:
        ways.append(
            "use tensor parallelism on a machine type with more GPUs (e.g. g2-standard-24)"
        )
    ways.append("lower maxNumSeqs")
    return "; ".join(ways)


@dataclass(frozen=True, kw_only=True)
class CpuFitVerdict:
    weights: int
    kv_bytes_per_token: int
    context_per_slot: int
    parallel: int
    required_bytes: int
    memory_limit: int
    longest_context_per_slot: int

    def summary(self) -> str:
        return (
            f"weights {_gib(self.weights)}, KV cache {_gib(self.kv_total)}"
            f" ({self.parallel} slots x {self.context_per_slot} tokens), needs"
            f" {_gib(self.required_bytes)} of {_gib(self.memory_limit)} memory limit"
            f" (longest context per slot that fits {self.longest_context_per_slot})"
        )

    @property
    def kv_total(self) -> int:
        return self.kv_bytes_per_token * self.context_per_slot * self.parallel


def plan_cpu_fit(
    checkpoint: ModelCheckpoint,
    *,
    memory_limit_bytes: int,
    context_per_slot: int | None,
    parallel: int,
    default_context_per_slot: int | None = None,
    kv_bytes_per_element: int = 2,
) -> CpuFitVerdict:
    """llama.cpp keeps the GGUF weights and a KV cache for every slot in host memory, plus
    compute buffers that grow with the context; a tenth of the limit stays free for them so
    that the first long prompt is not an out-of-memory kill."""
    per_token = kv_bytes_per_token(checkpoint, kv_bytes_per_element)
    weights = checkpoint.weight_bytes
    usable = int(memory_limit_bytes * (1 - CPU_MEMORY_HEADROOM))
    spare = usable - weights - CPU_RUNTIME_OVERHEAD_BYTES
    longest = min(max(0, spare) // (per_token * parallel), checkpoint.arch.max_context)
    context = context_per_slot or min(longest, default_context_per_slot or longest)
    required = weights + CPU_RUNTIME_OVERHEAD_BYTES + per_token * context * parallel
    if longest < MIN_USEFUL_CONTEXT or context > longest:
        raise FitError(
            f"{checkpoint.key} ({_gib(weights)} of weights) with {parallel} slots of"
            f" {context} tokens needs {_gib(required)} plus {CPU_MEMORY_HEADROOM:.0%} headroom"
            f" but the container memory is {_gib(memory_limit_bytes)}; each slot fits at most"
            f" {longest} tokens: raise the memory, lower the context or the parallel slots"
        )
    return CpuFitVerdict(
        weights=weights,
        kv_bytes_per_token=per_token,
        context_per_slot=context,
        parallel=parallel,
        required_bytes=required,
        memory_limit=memory_limit_bytes,
        longest_context_per_slot=longest,
    )
