"""The memory-fit planner reproduces the articles' verdicts and uses the GPU memory well."""

import pytest

from components.catalog.hardware import GIB, NVIDIA_A10, NVIDIA_L4, Accelerator
from components.catalog.models import MODELS
from components.serving.memory_fit import (
    GPU_RESERVE_BYTES,
    FitError,
    GpuFitRequest,
    GpuFitVerdict,
    kv_bytes_per_token,
    max_gpu_memory_utilization,
    plan_cpu_fit,
    plan_gpu_fit,
)


def fit(
    key: str,
    *,
    accelerator: Accelerator = NVIDIA_L4,
    tp: int = 1,
    context: int | None = None,
    kv_bytes: int = 2,
    weight_bits: float | None = None,
    utilization: float | None = None,
    pods_per_gpu: int = 1,
) -> GpuFitVerdict:
    checkpoint = MODELS[key]
    weights = (
        checkpoint.weight_bytes if weight_bits is None else checkpoint.weight_bytes_at(weight_bits)
    )
    return plan_gpu_fit(
        GpuFitRequest(
            checkpoint=checkpoint,
            accelerator=accelerator,
            weight_bytes=weights,
            kv_bytes_per_element=kv_bytes,
            tensor_parallel=tp,
            max_num_seqs=256,
            max_num_batched_tokens=2048,
            requested_context=context,
            gpu_memory_utilization=utilization,
            pods_per_gpu=pods_per_gpu,
        )
    )


def test_kv_bytes_per_token_matches_the_formula() -> None:
    # 2 x 32 layers x 8 KV heads x 128 head dim x 2 bytes = 128 KiB per token for Llama 3.1 8B.
    assert kv_bytes_per_token(MODELS["llama-3.1-8b-instruct"], 2) == 131072
    assert kv_bytes_per_token(MODELS["llama-3.1-8b-instruct"], 1) == 65536
    # Gemma 7B: 2 x 28 x 16 x 256 x 2.
    assert kv_bytes_per_token(MODELS["gemma-7b-it"], 2) == 458752
    assert kv_bytes_per_token(MODELS["gemma-7b-it"], 2, tensor_parallel=2) == 229376


def test_gemma_7b_bf16_does_not_fit_one_l4_at_8192() -> None:
    with pytest.raises(FitError, match=r"fits \d+ tokens of context, not 8192") as error:
        fit("gemma-7b-it", context=8192)
    message = str(error.value)
    for way_out in ("quantized checkpoint", "fp8_e5m2", "tensor parallelism", "maxModelLen <="):
        assert way_out in message


def test_gemma_7b_bf16_fits_two_l4_with_tensor_parallel_2() -> None:
    verdict = fit("gemma-7b-it", tp=2, context=8192)
    assert verdict.context == 8192
    assert verdict.concurrent_full_sequences >= 2


def test_gemma_7b_awq_fits_one_l4_at_8192() -> None:
    verdict = fit("gemma-7b-it-awq", context=8192)
    assert verdict.weights_per_gpu < 6 * GIB
    assert verdict.concurrent_full_sequences >= 2


def test_gemma_7b_fp8_kv_cache_doubles_the_tokens() -> None:
    bf16 = fit("gemma-7b-it", context=4096)
    fp8 = fit("gemma-7b-it", context=4096, kv_bytes=1)
    assert fp8.kv_tokens == pytest.approx(2 * bf16.kv_tokens, rel=0.01)


@pytest.mark.parametrize("accelerator", [NVIDIA_L4, NVIDIA_A10], ids=["l4", "a10"])
def test_llama_8b_bf16_kv_budget_is_at_least_90_percent_of_what_the_reserve_leaves(
    accelerator: Accelerator,
) -> None:
    verdict = fit("llama-3.1-8b-instruct", accelerator=accelerator)
    left = (
        accelerator.usable_memory_bytes
        - GPU_RESERVE_BYTES
        - verdict.weights_per_gpu
        - verdict.overhead_per_gpu
    )
    assert 0.9 * left <= verdict.kv_budget_per_gpu <= left


def test_unset_context_picks_the_longest_that_fits_in_whole_blocks() -> None:
    verdict = fit("llama-3.1-8b-instruct")
    assert verdict.context == verdict.longest_context == verdict.kv_tokens
    assert verdict.kv_tokens % 16 == 0
    assert verdict.kv_tokens * verdict.kv_bytes_per_token <= verdict.kv_budget_per_gpu
    assert 16_000 < verdict.context < 131072


def test_llama_8b_default_131072_context_is_rejected_on_one_l4() -> None:
    with pytest.raises(FitError, match="not 131072"):
        fit("llama-3.1-8b-instruct", context=131072)


def test_small_model_context_is_capped_by_the_model_maximum() -> None:
    verdict = fit("llama-3.2-1b-instruct", accelerator=NVIDIA_A10)
    assert verdict.context == 131072
    assert verdict.concurrent_full_sequences >= 2


def test_context_above_model_maximum_is_rejected() -> None:
    with pytest.raises(FitError, match="maximum context of 8192"):
        fit("gemma-7b-it-awq", context=16384)


def test_fp8_weight_quantization_halves_the_weights() -> None:
    verdict = fit("llama-3.1-8b-instruct", weight_bits=8)
    assert verdict.weights_per_gpu < 0.6 * MODELS["llama-3.1-8b-instruct"].weight_bytes


def test_weights_larger_than_the_gpu_do_not_fit() -> None:
    with pytest.raises(FitError, match="does not fit"):
        fit("gemma-7b-it", weight_bits=20)


@pytest.mark.parametrize("accelerator", [NVIDIA_L4, NVIDIA_A10], ids=["l4", "a10"])
def test_default_utilization_on_24_gb_cards_leaves_room_for_vllms_start_check(
    accelerator: Accelerator,
) -> None:
    # vLLM 0.33 refuses to start unless free memory >= utilization x total; 0.96 left 0.9 GiB.
    utilization = max_gpu_memory_utilization(accelerator)
    assert utilization == 0.92
    assert accelerator.usable_memory_bytes * (1 - utilization) >= GPU_RESERVE_BYTES


@pytest.mark.parametrize("pods", [2, 3, 4, 8])
def test_time_shared_pods_together_claim_less_than_the_card(pods: int) -> None:
    share = max_gpu_memory_utilization(NVIDIA_L4, pods)
    usable = NVIDIA_L4.usable_memory_bytes
    # The last pod to start still finds its share free after the others' shares and contexts.
    assert pods * share * usable + pods * GPU_RESERVE_BYTES <= usable
    assert share >= max_gpu_memory_utilization(NVIDIA_L4, pods + 1)


def test_too_many_pods_per_gpu_leave_no_share() -> None:
    assert max_gpu_memory_utilization(NVIDIA_L4, 16) == 0.0
    with pytest.raises(FitError, match="cannot share one NVIDIA L4"):
        fit("llama-3.2-1b-instruct", pods_per_gpu=16)


def test_explicit_utilization_above_the_share_is_refused() -> None:
    with pytest.raises(FitError, match=r"0\.6 is above 0\.42.*2 pods sharing"):
        fit("llama-3.2-1b-instruct", context=4096, utilization=0.6, pods_per_gpu=2)


def test_llama_8b_q8_on_a1_fits_chatbot_slots() -> None:
    verdict = plan_cpu_fit(
        MODELS["llama-3.1-8b-instruct-q8_0-gguf"],
        memory_limit_bytes=24 * GIB,
        context_per_slot=4096,
        parallel=4,
    )
    assert verdict.required_bytes <= 24 * GIB
    assert verdict.longest_context_per_slot >= 4096


def test_llamacpp_context_beyond_memory_is_rejected_with_the_longest_that_fits() -> None:
    with pytest.raises(FitError, match="each slot fits at most"):
        plan_cpu_fit(
            MODELS["llama-3.1-8b-instruct-q8_0-gguf"],
            memory_limit_bytes=12 * GIB,
            context_per_slot=32768,
            parallel=4,
        )


def test_llamacpp_default_context_is_capped_and_leaves_headroom() -> None:
    # 48 GiB used to give 4 slots of ~80k tokens that filled the limit to the byte.
    verdict = plan_cpu_fit(
        MODELS["llama-3.1-8b-instruct-q8_0-gguf"],
        memory_limit_bytes=48 * GIB,
        context_per_slot=None,
        default_context_per_slot=8192,
        parallel=4,
    )
    assert verdict.context_per_slot == 8192 < verdict.longest_context_per_slot
    assert verdict.required_bytes <= 0.9 * 48 * GIB


def test_llamacpp_longest_context_keeps_a_tenth_of_the_memory_free() -> None:
    verdict = plan_cpu_fit(
        MODELS["llama-3.1-8b-instruct-q8_0-gguf"],
        memory_limit_bytes=16 * GIB,
        context_per_slot=None,
        parallel=2,
    )
    assert verdict.required_bytes <= 0.9 * 16 * GIB
