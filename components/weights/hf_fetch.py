"""Download a Hugging Face model repository's serving files into a directory (standard library
only: it runs as a script in a stock `python` image inside the weights-cache fill Job).

    python3 hf_fetch.py --repo meta-llama/Llama-3.1-8B-Instruct --dest /scratch/weights \
        --include '*.safetensors' --include '*.json' --revision-file /scratch/revision

- The revision (default `main`) is resolved to its commit once, and every file is read at that
  commit, so a push to the repository during the download cannot mix two versions.
- Only top-level files matching an `--include` pattern are taken: Meta's repositories carry a
  second copy of the weights under `original/`, which no server here reads.
- The token comes from `HF_TOKEN`. It is sent to the Hub only: a download is redirected to a
  CDN or storage host with a signed URL, and a second credential there is refused or leaked.
- Each file is written to `<name>.part`, checked against the Hub's size, then renamed; a failed
  attempt is retried. Exit status 0: every file is there; 1: a download failed; 2: bad input
  (no such repository or revision, a gated repository without access, nothing matched).
"""

import argparse
import fnmatch
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.client import HTTPMessage
from pathlib import Path
from typing import IO, Any

DEFAULT_ENDPOINT = "https://huggingface.co"
ATTEMPTS = 4
CHUNK_BYTES = 8 * 1024 * 1024
TIMEOUT_SECONDS = 60


class FetchError(Exception):
    """A problem worth a one-line message; `status` is the exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RepoFile:
    path: str
    size: int | None


class _HubOnlyAuth(urllib.request.HTTPRedirectHandler):
    """Follow redirects, but drop the token whenever the host changes."""

    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: IO[bytes],
        code: int,
        msg: str,
        headers: HTTPMessage,
        newurl: str,
    ) -> urllib.request.Request | None:
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and _host(newurl) != _host(req.full_url):
            new.remove_header("Authorization")
        return new


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc


_OPENER = urllib.request.build_opener(_HubOnlyAuth)


def _request(url: str, token: str | None) -> urllib.request.Request:
    request = urllib.request.Request(url, headers={"User-Agent": "llm-platform-weights-fill"})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    return request


def _quote(path: str) -> str:
    return urllib.parse.quote(path, safe="/")


def repo_files(
    endpoint: str, repo: str, revision: str, token: str | None
) -> tuple[str, list[RepoFile]]:
    """The commit a revision points at, and the repository's files at that commit."""
    url = f"{endpoint}/api/models/{_quote(repo)}/revision/{_quote(revision)}?blobs=true"
    try:
        info = _get_json(url, token)
    except urllib.error.HTTPError as error:
        if error.code in (401, 403):
            raise FetchError(
                f"{repo}: access refused ({error.code}); a gated model needs HF_TOKEN from an"
                " account that accepted its licence",
                2,
            ) from None
        if error.code == 404:
            raise FetchError(f"{repo}@{revision}: no such repository or revision", 2) from None
        raise FetchError(f"{repo}: the Hub answered {error.code}", 1) from None
    except (OSError, ValueError) as error:
        raise FetchError(f"{repo}: {error}", 1) from None
    files = [RepoFile(s["rfilename"], s.get("size")) for s in info.get("siblings", [])]
    return info["sha"], files


def _transient(error: Exception) -> bool:
    if isinstance(error, urllib.error.HTTPError):
        return error.code == 429 or error.code >= 500
    return isinstance(error, OSError)


def _get_json(url: str, token: str | None) -> dict[str, Any]:
    """GET and decode, retrying what may pass (no connection, 429, 5xx); not 401/403/404."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with _OPENER.open(_request(url, token), timeout=TIMEOUT_SECONDS) as response:
                return json.load(response)
        except OSError as error:
            if attempt == ATTEMPTS or not _transient(error):
                raise
            print(f"{url}: {error}; retrying", file=sys.stderr, flush=True)
            time.sleep(2**attempt)
    raise AssertionError("unreachable")


def select(files: list[RepoFile], include: list[str]) -> list[RepoFile]:
    """Top-level files matching any pattern."""
    return [
        f
        for f in files
        if "/" not in f.path and any(fnmatch.fnmatchcase(f.path, p) for p in include)
    ]


def _download(url: str, token: str | None, target: Path, size: int | None) -> None:
    partial = target.with_name(target.name + ".part")
    request = _request(url, token)
    with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response, partial.open("wb") as out:
        while chunk := response.read(CHUNK_BYTES):
            out.write(chunk)
    written = partial.stat().st_size
    if size is not None and written != size:
        partial.unlink()
        raise OSError(f"{target.name}: got {written} bytes, the Hub lists {size}")
    partial.replace(target)


def fetch_file(
    endpoint: str, repo: str, commit: str, item: RepoFile, dest: Path, token: str | None
) -> None:
    target = dest / item.path
    if target.exists() and (item.size is None or target.stat().st_size == item.size):
        return
    url = f"{endpoint}/{_quote(repo)}/resolve/{commit}/{_quote(item.path)}"
    for attempt in range(1, ATTEMPTS + 1):
        try:
            _download(url, token, target, item.size)
            return
        except (OSError, urllib.error.URLError) as error:
            if attempt == ATTEMPTS:
                raise FetchError(f"{item.path}: {error}", 1) from None
            print(f"{item.path}: {error}; retrying", file=sys.stderr, flush=True)
            time.sleep(2**attempt)


def fetch(
    *, endpoint: str, repo: str, revision: str, include: list[str], dest: Path, token: str | None
) -> str:
    """Download the selected files; return the commit they were read at."""
    commit, files = repo_files(endpoint, repo, revision, token)
    chosen = select(files, include)
    if not chosen:
        raise FetchError(f"{repo}@{commit}: no top-level file matches {include}", 2)
    dest.mkdir(parents=True, exist_ok=True)
    for item in chosen:
        started = time.monotonic()
        fetch_file(endpoint, repo, commit, item, dest, token)
        print(f"{item.path}: {time.monotonic() - started:.1f} s", flush=True)
    return commit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Download a model repository's serving files.")
    parser.add_argument("--repo", required=True)
    parser.add_argument("--revision", default="main")
    parser.add_argument("--include", action="append", required=True)
    parser.add_argument("--dest", type=Path, required=True)
    parser.add_argument("--revision-file", type=Path, help="where to write the commit read")
    parser.add_argument("--skip-if", type=Path, help="do nothing when this file exists")
    parser.add_argument("--endpoint", default=os.environ.get("HF_ENDPOINT", DEFAULT_ENDPOINT))
    args = parser.parse_args(argv)
    if args.skip_if is not None and args.skip_if.exists():
        print(f"{args.repo}: {args.skip_if} exists, nothing to fetch", flush=True)
        return 0
    try:
        commit = fetch(
            endpoint=args.endpoint.rstrip("/"),
            repo=args.repo,
            revision=args.revision,
            include=args.include,
            dest=args.dest,
            token=os.environ.get("HF_TOKEN") or None,
        )
    except FetchError as error:
        print(f"hf_fetch: {error}", file=sys.stderr)
        return error.status
    if args.revision_file is not None:
        args.revision_file.write_text(commit + "\n")
    print(f"{args.repo}@{commit}: done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
