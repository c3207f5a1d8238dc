"""The measurement core without a server: percentiles, the summary, the comparison, GuideLLM
reports and the command line."""

import json
from pathlib import Path

import pytest

from components.loadtest.guidellm_report import guidellm_summary
from components.loadtest.result_files import read_summary, write_result
from components.loadtest.results import (
    RequestRecord,
    Summary,
    compare,
    regressions,
    summarize,
)
from components.loadtest.statistics import Distribution, percentile
from stacks import loadtest

REPORT = Path(__file__).parent / "data" / "guidellm-0.8.1-report.json"


def test_percentile_interpolates_between_ranks_like_numpy() -> None:
    values = [10.0, 20.0, 30.0, 40.0]
    assert percentile(values, 50) == 25.0
    assert percentile(values, 90) == pytest.approx(37.0)
    assert percentile(values, 0) == 10.0
    assert percentile(values, 100) == 40.0
    assert percentile([7.0], 99) == 7.0
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0  # order of the samples does not matter


@pytest.mark.parametrize(("values", "q"), [([], 50), ([1.0], 101), ([1.0], -1)])
def test_percentile_refuses_what_has_no_answer(values: list[float], q: float) -> None:
    with pytest.raises(ValueError):
        percentile(values, q)


def _record(sent: float, first: float, done: float, out: int, inp: int = 100) -> RequestRecord:
    return RequestRecord(
        sent=sent, first_token=first, done=done, input_tokens=inp, output_tokens=out
    )


def test_summary_by_hand() -> None:
    records = [
        _record(0.0, 0.1, 1.1, 11),  # ttft 100 ms, e2e 1100 ms, itl 1000/10 = 100 ms
        _record(0.5, 0.8, 2.8, 21),  # ttft 300 ms, e2e 2300 ms, itl 2000/20 = 100 ms
        RequestRecord(
            sent=1.0, first_token=None, done=1.2, input_tokens=100, output_tokens=0, error="x"
        ),
    ]
    summary = summarize(records, wall_seconds=4.0)
    assert summary.completed == 2 and summary.failed == 1
    assert summary.latencies["ttft_ms"].mean == pytest.approx(200.0)
    assert summary.latencies["e2e_ms"].p50 == pytest.approx(1700.0)
    assert summary.latencies["itl_ms"].p99 == pytest.approx(100.0)
    assert summary.output_tokens_per_second == pytest.approx(32 / 4.0)
    assert summary.requests_per_second == pytest.approx(2 / 4.0)
    assert summary.mean_output_tokens == 16


def test_one_token_replies_have_no_inter_token_latency() -> None:
    summary = summarize([_record(0.0, 0.2, 0.2, 1)], wall_seconds=1.0)
    assert "itl_ms" not in summary.latencies


def test_a_run_where_nothing_completed_is_an_error_not_a_zero() -> None:
    failed = RequestRecord(
        sent=0.0, first_token=None, done=1.0, input_tokens=1, output_tokens=0, error="refused"
    )
    with pytest.raises(ValueError, match="no request completed"):
        summarize([failed], wall_seconds=1.0)
    with pytest.raises(ValueError, match="wall time"):
        summarize([_record(0, 0.1, 0.2, 2)], wall_seconds=0)


def _summary(ttft_p90: float, tokens_per_second: float) -> Summary:
    latency = Distribution(mean=ttft_p90, p50=ttft_p90, p90=ttft_p90, p99=ttft_p90, count=10)
    return Summary(
        latencies={"ttft_ms": latency, "e2e_ms": latency},
        output_tokens_per_second=tokens_per_second,
        requests_per_second=1.0,
        completed=10,
        failed=0,
        mean_input_tokens=100,
        mean_output_tokens=100,
        wall_seconds=10,
    )


def test_regressions_are_worse_latency_or_lower_throughput_beyond_the_threshold() -> None:
    before = _summary(ttft_p90=100, tokens_per_second=500)
    slower = compare(before, _summary(ttft_p90=115, tokens_per_second=500))
    assert {c.metric for c in regressions(slower, 0.1)} == {
        f"{m} {s}" for m in ("ttft_ms", "e2e_ms") for s in ("p50", "p90", "p99")
    }
    assert regressions(slower, 0.2) == []
    faster = compare(before, _summary(ttft_p90=50, tokens_per_second=800))
    assert regressions(faster, 0.0) == []
    fewer_tokens = compare(before, _summary(ttft_p90=100, tokens_per_second=400))
    assert [c.metric for c in regressions(fewer_tokens, 0.1)] == ["output tokens/s"]


def test_a_guidellm_report_reads_into_the_same_summary() -> None:
    """A real GuideLLM 0.8.1 report (its mock server, 6 requests at concurrency 4)."""
    report = json.loads(REPORT.read_text())
    summary = guidellm_summary(report, source="report")
    metrics = report["benchmarks"][0]["metrics"]
    assert summary.completed == 6 and summary.failed == 0
    ttft = metrics["time_to_first_token_ms"]["successful"]["percentiles"]["p90"]
    assert summary.latencies["ttft_ms"].p90 == ttft
    # GuideLLM keeps request latency in seconds.
    e2e = metrics["request_latency"]["successful"]["percentiles"]["p50"]
    assert summary.latencies["e2e_ms"].p50 == pytest.approx(e2e * 1000)
    assert summary.output_tokens_per_second == metrics["output_tokens_per_second"]["total"]["mean"]
    assert summary.latencies["ttft_ms"].p50 <= summary.latencies["e2e_ms"].p50


def test_a_report_of_another_schema_is_refused() -> None:
    with pytest.raises(ValueError, match="version"):
        guidellm_summary({"metadata": {"version": 1}, "benchmarks": []}, source="old.json")
    with pytest.raises(ValueError, match="neither"):
        guidellm_summary({"something": 1}, source="x.json")


def test_result_files_round_trip_and_compare_from_the_command_line(tmp_path, capsys) -> None:
    records = [_record(0.0, 0.1, 1.1, 11), _record(0.5, 0.8, 2.8, 21)]
    ours = tmp_path / "ours.json"
    write_result(ours, summary=summarize(records, 4.0), test={"preset": "rag"}, records=records)
    assert read_summary(ours) == summarize(records, 4.0)
    # Against the GuideLLM run (milliseconds against seconds): everything is faster there.
    assert loadtest.main(["compare", str(ours), str(REPORT)]) == 0
    assert loadtest.main(["compare", str(REPORT), str(ours), "--threshold", "0.1"]) == 1
    out = capsys.readouterr()
    assert "REGRESSION" in out.out and "regressions beyond 10%" in out.err
    assert loadtest.main(["compare", str(ours), str(tmp_path / "missing.json")]) == 2
