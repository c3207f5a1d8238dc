"""Output tokens per second one replica sustains at saturation: sourced measurements only.

Where no published figure matches a (model, GPU or CPU, server) combination, there is no row:
the plan says so instead of guessing. Measure your own with the load tests and add a row.
"""

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Throughput:
    output_tokens_per_second: float
    setup: str
    source: str


# (catalogue model key, accelerator key or CPU shape family, server type) -> measurement
THROUGHPUT: dict[tuple[str, str, str], Throughput] = {
    ("llama-3.1-8b-instruct", "nvidia-a10", "vllm"): Throughput(
        output_tokens_per_second=289.9,
        setup=(
            "Llama 3 8B Instruct (the 3.1 architecture), BF16, vLLM 0.4.3, one AWS A10G (24 GB,"
            " the A10's cloud variant), 16 concurrent requests, ~550 tokens in / ~177 out"
        ),
        source=(
            "ray-project/llmperf benchmarks/results/a10g (commit e22c830, 2024-06-05);"
            " 364 tok/s at 32 concurrent"
        ),
    ),
}


def throughput_key(model: str, hardware: str, server: str) -> tuple[str, str, str]:
    return (model, hardware, server)
