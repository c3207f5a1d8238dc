"""Run a load test from this machine, or compare two runs.

  uv run python -m stacks.loadtest run --base-url https://llm.example.com/v1 \\
      --model meta-llama/Llama-3.1-8B-Instruct --preset rag --api-key-env LLM_API_KEY \\
      --out rag.json [--compare rag-before.json --threshold 0.1]
  uv run python -m stacks.loadtest compare before.json after.json [--threshold 0.1]

`compare` reads this tool's result files and the GuideLLM `benchmarks.json` files the in-cluster
Jobs upload, so a laptop run and a cluster run line up. Exit status 1 means a regression beyond
the threshold (default 10 %), 2 a usage or input error.
"""

import argparse
import json
import os
import sys
from pathlib import Path

from components.loadtest.client import Target, run
from components.loadtest.presets import PRESETS, Workload
from components.loadtest.result_files import read_summary, write_result
from components.loadtest.results import (
    Summary,
    compare,
    comparison_table,
    regressions,
    summarize,
    summary_table,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m stacks.loadtest", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    go = commands.add_parser("run", help="load an OpenAI-compatible endpoint and summarize")
    go.add_argument("--base-url", required=True, help="up to and including /v1")
    go.add_argument("--model", required=True, help="the model name the server serves")
    go.add_argument("--preset", choices=sorted(PRESETS), help="an article workload")
    go.add_argument("--input-tokens", type=int, help="mean input tokens (overrides the preset)")
    go.add_argument("--output-tokens", type=int, help="mean output tokens")
    go.add_argument("--input-stdev", type=int, default=0)
    go.add_argument("--output-stdev", type=int, default=0)
    go.add_argument("--concurrency", type=int, default=4)
    go.add_argument("--requests", type=int, default=20)
    go.add_argument("--timeout", type=float, default=600.0, help="seconds per request")
    go.add_argument(
        "--api-key-env", help="environment variable holding the key (never pass it as a word)"
    )
    go.add_argument(
        "--ignore-eos",
        action="store_true",
        help="send ignore_eos so vLLM and llama-server always produce the requested tokens",
    )
    go.add_argument("--seed", type=int, default=0)
    go.add_argument("--out", type=Path, help="write the result file here")
    go.add_argument("--compare", type=Path, help="an earlier result to compare with")
    _threshold_option(go)
    cmp = commands.add_parser("compare", help="compare two result files")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    _threshold_option(cmp)
    return parser


def _threshold_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threshold", type=float, default=0.1, help="flag changes worse than this fraction"
    )


def _workload(args: argparse.Namespace) -> Workload:
    preset = PRESETS[args.preset].workload if args.preset else None
    inputs = args.input_tokens or (preset.input_tokens if preset else None)
    outputs = args.output_tokens or (preset.output_tokens if preset else None)
    if inputs is None or outputs is None:
        raise SystemExit("give --preset or both --input-tokens and --output-tokens")
    return Workload(
        input_tokens=inputs,
        output_tokens=outputs,
        input_tokens_stdev=args.input_stdev,
        output_tokens_stdev=args.output_stdev,
    )


def _run(args: argparse.Namespace) -> int:
    key = None
    if args.api_key_env:
        key = os.environ.get(args.api_key_env)
        if not key:
            raise SystemExit(f"--api-key-env: ${args.api_key_env} is empty or unset")
    target = Target(
        base_url=args.base_url,
        model=args.model,
        api_key=key,
        timeout_seconds=args.timeout,
        extra_body={"ignore_eos": True} if args.ignore_eos else {},
    )
    workload = _workload(args)
    records, wall = run(
        target, workload, concurrency=args.concurrency, requests=args.requests, seed=args.seed
    )
    summary = summarize(records, wall)
    print(summary_table(summary))
    if args.out is not None:
        test = {
            "base_url": args.base_url,
            "model": args.model,
            "preset": args.preset,
            "workload": workload.__dict__,
            "concurrency": args.concurrency,
            "requests": args.requests,
        }
        write_result(args.out, summary=summary, test=test, records=records)
    if args.compare is None:
        return 0
    return _report(read_summary(args.compare), summary, args.threshold)


def _report(before: Summary, after: Summary, threshold: float) -> int:
    changes = compare(before, after)
    print(comparison_table(changes, threshold))
    worse = regressions(changes, threshold)
    if worse:
        print(f"{len(worse)} regressions beyond {threshold:.0%}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        return _report(read_summary(args.before), read_summary(args.after), args.threshold)
    except (OSError, ValueError, KeyError, json.JSONDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
