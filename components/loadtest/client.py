"""The measurement core: streams chat completions from an OpenAI-compatible server at a fixed
concurrency and records, per request, when it was sent, when its first token and its last byte
arrived, and how many tokens went in and out.

Standard library only, so the same module runs on a laptop, in CI and in a container.
"""

import json
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from components.loadtest.presets import Workload
from components.loadtest.results import RequestRecord

# Short, common English words: Llama-family tokenizers encode each (with its leading space)
# as one token, so prompt length tracks the word count; `calibrate` measures the real ratio.
WORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "for",
    "it",
    "as",
    "was",
    "with",
    "be",
    "by",
    "on",
    "not",
    "he",
    "this",
    "are",
    "or",
    "his",
    "from",
    "at",
    "which",
    "but",
    "have",
    "an",
    "they",
    "you",
    "were",
    "her",
    "she",
    "there",
    "one",
    "all",
    "we",
    "their",
    "been",
    "has",
    "when",
    "who",
    "will",
    "more",
    "no",
    "if",
    "out",
    "so",
    "said",
    "what",
    "up",
    "its",
    "about",
    "than",
    "into",
    "them",
    "can",
    "only",
    "other",
    "new",
    "some",
    "could",
    "time",
    "these",
    "two",
    "may",
    "then",
    "do",
    "first",
    "any",
    "my",
    "now",
    "such",
    "like",
    "our",
    "over",
    "man",
    "me",
    "even",
    "most",
    "made",
]


@dataclass(frozen=True, kw_only=True)
class Target:
    base_url: str
    """Up to and including `/v1`."""
    model: str
    api_key: str | None = None
    timeout_seconds: float = 600.0
    extra_body: dict[str, Any] = field(default_factory=dict)
    """Added to each request, e.g. {"ignore_eos": true} for vLLM and llama-server."""


@dataclass(frozen=True, kw_only=True)
class PromptSizer:
    """Words per prompt for a token count: tokens = overhead + per_word * words."""

    per_word: float = 1.0
    overhead: float = 0.0

    def words_for(self, tokens: int) -> int:
        return max(1, round((tokens - self.overhead) / self.per_word))


def prompt(words: int, rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def _post(target: Target, body: dict[str, Any]) -> Any:
    headers = {"Content-Type": "application/json"}
    if target.api_key:
        headers["Authorization"] = f"Bearer {target.api_key}"
    request = urllib.request.Request(
        f"{target.base_url.rstrip('/')}/chat/completions",
        data=json.dumps(body).encode(),
        headers=headers,
        method="POST",
    )
    return urllib.request.urlopen(request, timeout=target.timeout_seconds)


def calibrate(target: Target, rng: random.Random) -> PromptSizer:
    """Two one-token requests of different lengths give tokens per word and the chat template's
    fixed overhead from the server's own `usage.prompt_tokens`."""
    counts = []
    for words in (50, 150):
        body = {
            "model": target.model,
            "messages": [{"role": "user", "content": prompt(words, rng)}],
            "max_tokens": 1,
        }
        with _post(target, body) as response:
            usage = json.load(response).get("usage") or {}
        if "prompt_tokens" not in usage:
            return PromptSizer()
        counts.append(usage["prompt_tokens"])
    per_word = (counts[1] - counts[0]) / 100
    if per_word <= 0:
        return PromptSizer()
    return PromptSizer(per_word=per_word, overhead=counts[0] - per_word * 50)


def _events(response: Any) -> Iterator[dict[str, Any]]:
    """Server-sent events' JSON payloads, until `[DONE]`."""
    for raw in response:
        line = raw.decode().strip()
        if not line.startswith("data:"):
            continue
        data = line.removeprefix("data:").strip()
        if data == "[DONE]":
            return
        yield json.loads(data)


def stream_one(
    target: Target,
    text: str,
    max_tokens: int,
    expected_input: int,
    clock: Callable[[], float],
) -> RequestRecord:
    body = {
        "model": target.model,
        "messages": [{"role": "user", "content": text}],
        "max_tokens": max_tokens,
        "stream": True,
        "stream_options": {"include_usage": True},
        **target.extra_body,
    }
    sent = clock()
    first: float | None = None
    chunks = 0
    usage: dict[str, Any] = {}
    try:
        with _post(target, body) as response:
            for event in _events(response):
                usage = event.get("usage") or usage
                for choice in event.get("choices") or []:
                    if (choice.get("delta") or {}).get("content"):
                        chunks += 1
                        if first is None:
                            first = clock()
    except (urllib.error.URLError, TimeoutError, OSError, json.JSONDecodeError) as error:
        return RequestRecord(
            sent=sent,
            first_token=first,
            done=clock(),
            input_tokens=expected_input,
            output_tokens=chunks,
            error=f"{type(error).__name__}: {error}",
        )
    return RequestRecord(
        sent=sent,
        first_token=first,
        done=clock(),
        # Servers that stream one token per chunk and send no usage are counted by chunk.
        input_tokens=usage.get("prompt_tokens", expected_input),
        output_tokens=usage.get("completion_tokens", chunks),
    )


def _tokens(rng: random.Random, mean: int, stdev: int) -> int:
    return max(1, round(rng.gauss(mean, stdev))) if stdev else mean


def run(
    target: Target, workload: Workload, *, concurrency: int, requests: int, seed: int = 0
) -> tuple[list[RequestRecord], float]:
    """Send `requests` requests, `concurrency` at a time; the records and the wall time."""
    if concurrency < 1 or requests < 1:
        raise ValueError("concurrency and requests must be at least 1")
    rng = random.Random(seed)
    sizer = calibrate(target, rng)
    jobs = []
    for _ in range(requests):
        wanted_in = _tokens(rng, workload.input_tokens, workload.input_tokens_stdev)
        wanted_out = _tokens(rng, workload.output_tokens, workload.output_tokens_stdev)
        jobs.append((prompt(sizer.words_for(wanted_in), rng), wanted_out, wanted_in))
    start = time.perf_counter()

    def clock() -> float:
        return time.perf_counter() - start

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [
            pool.submit(stream_one, target, text, out, wanted_in, clock)
            for text, out, wanted_in in jobs
        ]
        records = [f.result() for f in futures]
    return records, clock()
