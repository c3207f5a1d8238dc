"""The benchmark the in-cluster Job runs: GuideLLM (vllm-project/guidellm) 0.8.1.

Why GuideLLM rather than LLMPerf, which article 001 used: it is maintained by the vLLM project,
publishes a multi-arch image (amd64 and arm64) per release, measures the same figures (TTFT,
ITL, end-to-end latency percentiles, output tokens/s) and writes them as JSON. LLMPerf has no
published image, so the Job would depend on an image built and pushed by hand.

Every option below was read from the 0.8.1 wheel (`guidellm/schemas/...`) and exercised
against its mock server (notes: guidellm.md):
- `guidellm run`; options take `kind=...,key=value` registry configs;
- the key comes from `GUIDELLM__SPEC__BACKEND__API_KEY` (pydantic-settings, sent as
  `Authorization: Bearer`, masked in reports), never from an argument;
- synthetic prompts are cut to exact token counts with the served model's Hugging Face tokenizer
  (`--tokenizer`), which it downloads with `HF_TOKEN`;
- with `output_tokens` set, each request carries `max_completion_tokens` and `ignore_eos: true`:
  vLLM 0.33 and llama-server (b11063, `server-schema.cpp`) honour both; TGI 3.3.4 takes
  `max_completion_tokens` as an alias of `max_tokens` but has no `ignore_eos`, so a TGI reply may
  end early and the report's output-token counts show it.
"""

from dataclasses import dataclass

from components.loadtest.presets import Workload
from components.serving.secret_files import HF_TOKEN_KEY, SecretInputs, api_key_file

GUIDELLM_IMAGE = "ghcr.io/vllm-project/guidellm:v0.8.1"
"""Release tag (multi-arch manifest, linux/amd64 + linux/arm64); its ENTRYPOINT is the
`guidellm` executable below and it runs as UID 1001."""
GUIDELLM_EXECUTABLE = "/opt/app-root/bin/guidellm"
RESULTS_DIR = "/results"
"""The image's `GUIDELLM__DEFAULT_RESULTS_DIR` and declared volume."""
REPORT_FILES = ("benchmarks.json", "benchmarks.csv")
API_KEY_VARIABLE = "GUIDELLM__SPEC__BACKEND__API_KEY"
WORKER_PROCESSES = 2
"""`GUIDELLM__MAX_WORKER_PROCESSES` (default 10, one spawned Python per worker): each worker
drives many streams asynchronously, and the Job shares the system pool with the monitoring
stack, so two processes and a matching CPU request keep it a good neighbour."""


@dataclass(frozen=True, kw_only=True)
class BenchmarkSpec:
    target_url: str
    """The server's OpenAI-compatible base, `http://<service>.<namespace>.svc:8000/v1`."""
    model: str
    """Name the server answers to (vLLM's --served-model-name, llama-server's --alias)."""
    tokenizer: str
    """Hugging Face repository whose tokenizer counts the prompt tokens."""
    workload: Workload
    concurrency: int
    requests: int
    max_seconds: int
    request_timeout_sec: int
    tenant: str


def _registry(kind: str, **values: str | int) -> str:
    return ",".join([f"kind={kind}", *(f"{key}={value}" for key, value in values.items())])


def _data(workload: Workload) -> str:
    values: dict[str, int] = {"prompt_tokens": workload.input_tokens}
    if workload.input_tokens_stdev:
        values["prompt_tokens_stdev"] = workload.input_tokens_stdev
    values["output_tokens"] = workload.output_tokens
    if workload.output_tokens_stdev:
        values["output_tokens_stdev"] = workload.output_tokens_stdev
    return _registry("synthetic_text", **values)


def guidellm_args(spec: BenchmarkSpec) -> list[str]:
    """The container's arguments after the secret launcher: the executable, then `run`."""
    outputs = [
        ["--output", _registry(name.rsplit(".", 1)[1], path=f"{RESULTS_DIR}/{name}")]
        for name in REPORT_FILES
    ]
    return [
        GUIDELLM_EXECUTABLE,
        "run",
        "--backend",
        _registry(
            "openai_http",
            target=spec.target_url,
            model=spec.model,
            request_format="/v1/chat/completions",
            timeout=spec.request_timeout_sec,
        ),
        "--tokenizer",
        _registry("huggingface_auto", model=spec.tokenizer),
        "--data",
        _data(spec.workload),
        "--profile",
        _registry("concurrent", streams=spec.concurrency),
        "--constraint",
        _registry("max_requests", count=spec.requests),
        "--constraint",
        _registry("max_duration", seconds=spec.max_seconds),
        *(word for pair in outputs for word in pair),
        "--disable-console-interactive",
    ]


def benchmark_secrets(tenant: str) -> SecretInputs:
    """The tenant's key for the server, the Hugging Face token for the gated tokenizer."""
    return SecretInputs(
        env={API_KEY_VARIABLE: (api_key_file(tenant),), "HF_TOKEN": (HF_TOKEN_KEY,)}
    )
