"""What one load-test run measured: per-request records, the summary people read, and the
comparison with an earlier run that flags regressions.

Definitions (the same as GuideLLM's and vLLM's benchmark scripts):
  TTFT  time from sending the request to the first generated token;
  ITL   inter-token latency, (end-to-end - TTFT) / (output tokens - 1), per request;
  e2e   time from sending the request to the last byte of the response;
  output tokens/s   all output tokens / wall time of the run; requests/s likewise.
Latencies are in milliseconds.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from components.loadtest.statistics import Distribution


@dataclass(frozen=True, kw_only=True)
class RequestRecord:
    """One request: all times in seconds from the run's start."""

    sent: float
    first_token: float | None
    """None when the server answered no token (an error or an empty reply)."""
    done: float
    input_tokens: int
    output_tokens: int
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.first_token is not None and self.output_tokens > 0

    @property
    def ttft_ms(self) -> float:
        assert self.first_token is not None
        return (self.first_token - self.sent) * 1000

    @property
    def e2e_ms(self) -> float:
        return (self.done - self.sent) * 1000

    @property
    def itl_ms(self) -> float | None:
        if self.output_tokens < 2:
            return None
        return (self.e2e_ms - self.ttft_ms) / (self.output_tokens - 1)


MetricName = Literal["ttft_ms", "itl_ms", "e2e_ms"]
LATENCIES: tuple[MetricName, ...] = ("ttft_ms", "itl_ms", "e2e_ms")


@dataclass(frozen=True, kw_only=True)
class Summary:
    latencies: dict[str, Distribution]
    """ttft_ms, itl_ms, e2e_ms."""
    output_tokens_per_second: float
    requests_per_second: float
    completed: int
    failed: int
    mean_input_tokens: float
    mean_output_tokens: float
    wall_seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "latencies": {name: d.as_dict() for name, d in self.latencies.items()},
            "output_tokens_per_second": self.output_tokens_per_second,
            "requests_per_second": self.requests_per_second,
            "completed": self.completed,
            "failed": self.failed,
            "mean_input_tokens": self.mean_input_tokens,
            "mean_output_tokens": self.mean_output_tokens,
            "wall_seconds": self.wall_seconds,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Summary":
        return cls(
            latencies={
                name: Distribution(count=data["completed"], **values)
                for name, values in data["latencies"].items()
            },
            output_tokens_per_second=data["output_tokens_per_second"],
            requests_per_second=data["requests_per_second"],
            completed=data["completed"],
            failed=data["failed"],
            mean_input_tokens=data["mean_input_tokens"],
            mean_output_tokens=data["mean_output_tokens"],
            wall_seconds=data["wall_seconds"],
        )


def summarize(records: Sequence[RequestRecord], wall_seconds: float) -> Summary:
    if wall_seconds <= 0:
        raise ValueError(f"wall time must be positive, got {wall_seconds}")
    done = [r for r in records if r.ok]
    if not done:
        errors = sorted({r.error or "no tokens" for r in records})
        raise ValueError(f"no request completed ({len(records)} failed: {errors[:3]})")
    itls = [itl for r in done if (itl := r.itl_ms) is not None]
    latencies = {
        "ttft_ms": Distribution.of([r.ttft_ms for r in done]),
        "e2e_ms": Distribution.of([r.e2e_ms for r in done]),
    }
    if itls:
        latencies["itl_ms"] = Distribution.of(itls)
    output_tokens = sum(r.output_tokens for r in done)
    return Summary(
        latencies=latencies,
        output_tokens_per_second=output_tokens / wall_seconds,
        requests_per_second=len(done) / wall_seconds,
        completed=len(done),
        failed=len(records) - len(done),
        mean_input_tokens=sum(r.input_tokens for r in done) / len(done),
        mean_output_tokens=output_tokens / len(done),
        wall_seconds=wall_seconds,
    )


@dataclass(frozen=True, kw_only=True)
class Change:
    metric: str
    before: float
    after: float
    lower_is_better: bool

    @property
    def relative(self) -> float:
        """Signed change as a fraction of before; positive is worse."""
        if self.before == 0:
            return 0.0
        change = (self.after - self.before) / self.before
        return change if self.lower_is_better else -change


def compare(before: Summary, after: Summary) -> list[Change]:
    """Every metric both runs have: p50/p90/p99 latencies and the two throughputs."""
    changes = [
        Change(
            metric=f"{name} {stat}",
            before=getattr(before.latencies[name], stat),
            after=getattr(after.latencies[name], stat),
            lower_is_better=True,
        )
        for name in LATENCIES
        if name in before.latencies and name in after.latencies
        for stat in ("p50", "p90", "p99")
    ]
    changes += [
        Change(
            metric="output tokens/s",
            before=before.output_tokens_per_second,
            after=after.output_tokens_per_second,
            lower_is_better=False,
        ),
        Change(
            metric="requests/s",
            before=before.requests_per_second,
            after=after.requests_per_second,
            lower_is_better=False,
        ),
    ]
    return changes


def regressions(changes: Sequence[Change], threshold: float) -> list[Change]:
    """Changes worse than `threshold` (a fraction, 0.1 = 10 %)."""
    return [c for c in changes if c.relative > threshold]


def summary_table(summary: Summary) -> str:
    rows = [f"{'metric':<16}{'mean':>10}{'p50':>10}{'p90':>10}{'p99':>10}"]
    for name in LATENCIES:
        d = summary.latencies.get(name)
        if d is not None:
            rows.append(f"{name:<16}{d.mean:>10.1f}{d.p50:>10.1f}{d.p90:>10.1f}{d.p99:>10.1f}")
    rows += [
        f"output tokens/s {summary.output_tokens_per_second:>10.2f}",
        f"requests/s      {summary.requests_per_second:>10.3f}",
        f"requests        {summary.completed} completed, {summary.failed} failed"
        f" in {summary.wall_seconds:.1f} s",
        f"tokens/request  {summary.mean_input_tokens:.0f} in,"
        f" {summary.mean_output_tokens:.0f} out",
    ]
    return "\n".join(rows)


def comparison_table(changes: Sequence[Change], threshold: float) -> str:
    rows = [f"{'metric':<18}{'before':>12}{'after':>12}{'change':>9}"]
    for c in changes:
        flag = "  REGRESSION" if c.relative > threshold else ""
        shown = (c.after - c.before) / c.before * 100 if c.before else 0.0
        rows.append(f"{c.metric:<18}{c.before:>12.2f}{c.after:>12.2f}{shown:>+8.1f}%{flag}")
    return "\n".join(rows)
