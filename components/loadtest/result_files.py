"""Result files: this tool's own, and GuideLLM's reports read into the same summary."""

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from components.loadtest.guidellm_report import guidellm_summary
from components.loadtest.results import RequestRecord, Summary

RESULT_FORMAT = "llm-platform-loadtest/1"


def write_result(
    path: Path, *, summary: Summary, test: dict[str, Any], records: Sequence[RequestRecord]
) -> None:
    document = {
        "format": RESULT_FORMAT,
        "test": test,
        "summary": summary.as_dict(),
        "requests": [asdict(r) for r in records],
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


def read_summary(path: Path) -> Summary:
    """A run's summary from this tool's result file, or from a GuideLLM benchmarks JSON."""
    data = json.loads(path.read_text())
    if isinstance(data, dict) and data.get("format") == RESULT_FORMAT:
        return Summary.from_dict(data["summary"])
    return guidellm_summary(data, source=str(path))
