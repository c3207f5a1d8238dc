"""Read a GuideLLM 0.8.1 `benchmarks.json` (report schema version 2) into this project's
summary, so `python -m stacks.loadtest compare` lines a cluster run up with a local one.

Paths and units from the 0.8.1 wheel (`benchmark/schemas/report.py`, `metrics.py`): latencies
under `metrics.<name>.successful`, TTFT and ITL in milliseconds, `request_latency` in seconds;
throughput is `metrics.<name>.total.mean`, the figure GuideLLM's console prints.
"""

from typing import Any

from components.loadtest.results import Summary
from components.loadtest.statistics import Distribution

REPORT_VERSION = 2
_LATENCIES = {
    "ttft_ms": ("time_to_first_token_ms", 1.0),
    "itl_ms": ("inter_token_latency_ms", 1.0),
    "e2e_ms": ("request_latency", 1000.0),
}


def _distribution(metrics: dict[str, Any], name: str, scale: float) -> Distribution:
    stats = metrics[name]["successful"]
    p = stats["percentiles"]
    return Distribution(
        mean=stats["mean"] * scale,
        p50=p["p50"] * scale,
        p90=p["p90"] * scale,
        p99=p["p99"] * scale,
        count=stats["count"],
    )


def guidellm_summary(report: Any, *, source: str) -> Summary:
    """The first benchmark of a report (the Job runs one concurrency level)."""
    if not isinstance(report, dict) or "benchmarks" not in report:
        raise ValueError(f"{source}: neither a load-test result nor a GuideLLM report")
    version = (report.get("metadata") or {}).get("version")
    if version != REPORT_VERSION:
        raise ValueError(f"{source}: GuideLLM report version {version}, expected {REPORT_VERSION}")
    if not report["benchmarks"]:
        raise ValueError(f"{source}: the report holds no benchmark")
    benchmark = report["benchmarks"][0]
    metrics = benchmark["metrics"]
    totals = metrics["request_totals"]
    return Summary(
        latencies={
            ours: _distribution(metrics, theirs, scale)
            for ours, (theirs, scale) in _LATENCIES.items()
        },
        output_tokens_per_second=metrics["output_tokens_per_second"]["total"]["mean"],
        requests_per_second=metrics["requests_per_second"]["total"]["mean"],
        completed=totals["successful"],
        failed=totals["errored"] + totals["incomplete"],
        mean_input_tokens=metrics["prompt_token_count"]["successful"]["mean"],
        mean_output_tokens=metrics["output_token_count"]["successful"]["mean"],
        wall_seconds=benchmark["duration"],
    )
