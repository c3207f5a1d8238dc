"""The article's two load-test use cases as named workloads, and what a test asks of a server.

Article 001 (Oracle, "LLMPerf を使用したパフォーマンス・テスト"):
  use case 1, chatbot: llama.cpp serving Meta-Llama-3.1-8B-Instruct Q8, 100 input and 100 output
  tokens; use case 2, RAG: vLLM serving Meta-Llama-3.2-1B-Instruct FP16, 2,000 input and 200
  output tokens. The article gives no spread or concurrency: the presets send exactly those
  counts, and concurrency follows the target server (see `default_concurrency`).
"""

from dataclasses import dataclass
from typing import Literal

Engine = Literal["vllm", "tgi", "llamacpp"]


@dataclass(frozen=True, kw_only=True)
class Workload:
    """Token counts of each request: a normal spread around the means, clipped at 1."""

    input_tokens: int
    output_tokens: int
    input_tokens_stdev: int = 0
    output_tokens_stdev: int = 0

    @property
    def longest_request(self) -> int:
        """Tokens a request may need in the context: means plus three spreads (99.7 %)."""
        return (
            self.input_tokens
            + 3 * self.input_tokens_stdev
            + self.output_tokens
            + 3 * self.output_tokens_stdev
        )


@dataclass(frozen=True, kw_only=True)
class Preset:
    workload: Workload
    engine: Engine
    """The server the article ran it on."""
    model: str
    """Catalogue key of the article's model."""


PRESETS: dict[str, Preset] = {
    "chatbot": Preset(
        workload=Workload(input_tokens=100, output_tokens=100),
        engine="llamacpp",
        model="llama-3.1-8b-instruct-q8_0-gguf",
    ),
    "rag": Preset(
        workload=Workload(input_tokens=2000, output_tokens=200),
        engine="vllm",
        model="llama-3.2-1b-instruct",
    ),
}

BATCHING_SERVER_CONCURRENCY = 16
"""Default concurrency against vLLM/TGI: the level of the one sourced throughput figure this
project prices with (components/cost/throughput.py), so results compare with it."""


def default_concurrency(engine: Engine, llama_cpp_slots: int) -> int:
    """llama-server decodes at most `--parallel` requests at once and queues the rest; more
    concurrency only measures the queue. vLLM and TGI batch continuously."""
    return llama_cpp_slots if engine == "llamacpp" else BATCHING_SERVER_CONCURRENCY
