"""The fill Job's downloader against a local stand-in for the Hub and its CDN (loopback only):
revision pinning, file selection, the token kept off the CDN, retries and exit statuses."""

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from components.weights import hf_fetch

COMMIT = "0e9e39f249a16976918f6564b8830bc894c89659"
TOKEN = "hf_test_token"
FILES = {
    "config.json": b'{"model_type": "llama"}',
    "model-00001-of-00002.safetensors": b"A" * 70_000,
    "model-00002-of-00002.safetensors": b"B" * 30_000,
    "tokenizer.json": b"{}",
    "original/consolidated.00.pth": b"C" * 1000,
    "README.md": b"# model",
}


class _Recorder:
    def __init__(self) -> None:
        self.hub_auth: list[str | None] = []
        self.cdn_auth: list[str | None] = []
        self.cdn_paths: list[str] = []
        self.short_reads_left = 0
        self.api_failures_left = 0
        self.gated = False


def _server(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def hub() -> Iterator[tuple[str, _Recorder]]:
    record = _Recorder()

    class Cdn(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            record.cdn_auth.append(self.headers.get("Authorization"))
            name = self.path.removeprefix("/blob/")
            record.cdn_paths.append(name)
            body = FILES[name]
            if record.short_reads_left:
                record.short_reads_left -= 1
                body = body[:-1]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    cdn = _server(Cdn)
    cdn_url = f"http://localhost:{cdn.server_address[1]}"

    class Hub(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            record.hub_auth.append(self.headers.get("Authorization"))
            if record.gated and self.headers.get("Authorization") is None:
                self.send_response(401)
                self.end_headers()
                return
            if record.api_failures_left:
                record.api_failures_left -= 1
                self.send_response(503)
                self.end_headers()
                return
            if self.path == "/api/models/org/model/revision/main?blobs=true":
                siblings = [{"rfilename": n, "size": len(b)} for n, b in FILES.items()]
                body = json.dumps({"sha": COMMIT, "siblings": siblings}).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            prefix = f"/org/model/resolve/{COMMIT}/"
            if self.path.startswith(prefix):
                self.send_response(302)
                self.send_header("Location", f"{cdn_url}/blob/{self.path.removeprefix(prefix)}")
                self.end_headers()
                return
            self.send_response(404)
            self.end_headers()

    server = _server(Hub)
    yield f"http://127.0.0.1:{server.server_address[1]}", record
    server.shutdown()
    cdn.shutdown()


def _run(endpoint: str, dest: Path, *extra: str) -> int:
    return hf_fetch.main(
        [
            "--endpoint",
            endpoint,
            "--repo",
            "org/model",
            "--include",
            "*.safetensors",
            "--include",
            "*.json",
            "--dest",
            str(dest),
            *extra,
        ]
    )


def test_downloads_selected_top_level_files_at_one_commit(
    hub: tuple[str, _Recorder], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint, record = hub
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    revision = tmp_path / "revision"
    assert _run(endpoint, tmp_path / "w", "--revision-file", str(revision)) == 0
    got = sorted(p.name for p in (tmp_path / "w").iterdir())
    assert got == [
        "config.json",
        "model-00001-of-00002.safetensors",
        "model-00002-of-00002.safetensors",
        "tokenizer.json",
    ]
    for name in got:
        assert (tmp_path / "w" / name).read_bytes() == FILES[name]
    assert revision.read_text() == COMMIT + "\n"
    # The token reaches the Hub on every request and never the CDN host.
    assert record.hub_auth and all(a == f"Bearer {TOKEN}" for a in record.hub_auth)
    assert record.cdn_auth == [None] * 4
    assert "original/consolidated.00.pth" not in record.cdn_paths


def test_present_files_of_the_right_size_are_not_fetched_again(
    hub: tuple[str, _Recorder], tmp_path: Path
) -> None:
    endpoint, record = hub
    assert _run(endpoint, tmp_path) == 0
    assert len(record.cdn_paths) == 4
    assert _run(endpoint, tmp_path) == 0
    assert len(record.cdn_paths) == 4


def test_a_short_download_is_retried(
    hub: tuple[str, _Recorder], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint, record = hub
    monkeypatch.setattr(hf_fetch.time, "sleep", lambda _: None)
    record.short_reads_left = 1
    assert _run(endpoint, tmp_path) == 0
    assert len(record.cdn_paths) == 5
    assert not list(tmp_path.glob("*.part"))


def test_a_download_that_keeps_failing_exits_1(
    hub: tuple[str, _Recorder], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint, record = hub
    monkeypatch.setattr(hf_fetch.time, "sleep", lambda _: None)
    record.short_reads_left = hf_fetch.ATTEMPTS
    assert _run(endpoint, tmp_path) == 1
    assert not list(tmp_path.glob("*.safetensors"))


def test_gated_without_token_exits_2_with_the_reason(
    hub: tuple[str, _Recorder],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    endpoint, record = hub
    monkeypatch.delenv("HF_TOKEN", raising=False)
    record.gated = True
    assert _run(endpoint, tmp_path) == 2
    assert "access refused (401)" in capsys.readouterr().err


def test_nothing_matching_exits_2(hub: tuple[str, _Recorder], tmp_path: Path) -> None:
    endpoint, _ = hub
    status = hf_fetch.main(
        [
            "--endpoint",
            endpoint,
            "--repo",
            "org/model",
            "--include",
            "*.gguf",
            "--dest",
            str(tmp_path),
        ]
    )
    assert status == 2


def test_unknown_repository_exits_2(hub: tuple[str, _Recorder], tmp_path: Path) -> None:
    endpoint, _ = hub
    status = hf_fetch.main(
        ["--endpoint", endpoint, "--repo", "org/other", "--include", "*", "--dest", str(tmp_path)]
    )
    assert status == 2


def test_a_busy_hub_is_asked_again(
    hub: tuple[str, _Recorder], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint, record = hub
    monkeypatch.setattr(hf_fetch.time, "sleep", lambda _: None)
    record.api_failures_left = 2
    assert _run(endpoint, tmp_path) == 0
    record.api_failures_left = hf_fetch.ATTEMPTS
    assert _run(endpoint, tmp_path / "again") == 1
