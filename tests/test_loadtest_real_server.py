"""The measurement core against a real OpenAI-compatible server on loopback: llama-cpp-python's
server (the llama.cpp engine) serving a tiny Llama-architecture GGUF written by the test."""

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from stacks import loadtest
from tests.tiny_model import write_tiny_llama

STARTUP_SECONDS = 60


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    model = write_tiny_llama(tmp_path_factory.mktemp("model") / "tiny.gguf")
    port = _free_port()
    log = tmp_path_factory.mktemp("log") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "llama_cpp.server",
                "--model",
                str(model),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--n_ctx",
                "4096",
                # Its default cancels a running completion when another arrives: queue instead.
                "--interrupt_requests",
                "False",
                "--api_key",
                "local-test-key",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_up(base, process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_up(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    request = urllib.request.Request(
        f"{base}/models", headers={"Authorization": "Bearer local-test-key"}
    )
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(request, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"server not up in {STARTUP_SECONDS} s:\n{log.read_text()[-2000:]}")


def test_a_run_measures_consistent_figures_and_prints_the_table(
    server, tmp_path, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("LOCAL_KEY", "local-test-key")
    out = tmp_path / "run.json"
    started = time.monotonic()
    status = loadtest.main(
        [
            "run",
            "--base-url",
            server,
            "--model",
            "tiny",
            "--input-tokens",
            "200",
            "--output-tokens",
            "40",
            "--concurrency",
            "3",
            "--requests",
            "9",
            "--api-key-env",
            "LOCAL_KEY",
            "--ignore-eos",
            "--out",
            str(out),
        ]
    )
    elapsed = time.monotonic() - started
    printed = capsys.readouterr().out
    print(printed)  # the summary table, in the test log
    assert status == 0
    assert printed.startswith("metric") and "ttft_ms" in printed and "output tokens/s" in printed
    result = json.loads(out.read_text())
    summary, records = result["summary"], result["requests"]
    assert len(records) == 9 and summary["completed"] == 9 and summary["failed"] == 0
    for r in records:
        assert r["sent"] <= r["first_token"] <= r["done"]
        # The model never ends early and streams one token per chunk.
        assert r["output_tokens"] == 40
    latencies = summary["latencies"]
    for stat in ("p50", "p90", "p99"):
        assert latencies["ttft_ms"][stat] <= latencies["e2e_ms"][stat]
    assert latencies["itl_ms"]["p50"] > 0
    total_tokens = sum(r["output_tokens"] for r in records)
    assert summary["output_tokens_per_second"] == pytest.approx(
        total_tokens / summary["wall_seconds"]
    )
    assert summary["requests_per_second"] == pytest.approx(9 / summary["wall_seconds"])
    # The wall time covers the requests: from before the first was sent to after the last.
    assert summary["wall_seconds"] >= max(r["done"] for r in records)
    assert summary["wall_seconds"] <= elapsed
    # Calibrated prompts: the server's own count of a prompt sized for 200 tokens.
    assert 170 <= _prompt_tokens(server, 200) <= 230
    # A run compared with itself has no regression.
    assert loadtest.main(["compare", str(out), str(out)]) == 0


def _prompt_tokens(base: str, tokens: int) -> int:
    import random

    from components.loadtest.client import Target, calibrate, prompt

    target = Target(base_url=base, model="tiny", api_key="local-test-key")
    rng = random.Random(1)
    sizer = calibrate(target, rng)
    body = {
        "model": "tiny",
        "messages": [{"role": "user", "content": prompt(sizer.words_for(tokens), rng)}],
        "max_tokens": 1,
    }
    request = urllib.request.Request(
        f"{base}/chat/completions",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": "Bearer local-test-key"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["usage"]["prompt_tokens"]


def test_a_wrong_key_fails_every_request_and_the_run_says_so(server, capsys, monkeypatch) -> None:
    monkeypatch.setenv("WRONG_KEY", "not-the-key")
    status = loadtest.main(
        [
            "run",
            "--base-url",
            server,
            "--model",
            "tiny",
            "--preset",
            "chatbot",
            "--requests",
            "2",
            "--api-key-env",
            "WRONG_KEY",
        ]
    )
    assert status == 2
    assert "401" in capsys.readouterr().err
