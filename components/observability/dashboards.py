"""The Grafana dashboards kept as JSON beside this file, one ConfigMap each for the sidecar."""

import json
from pathlib import Path
from typing import Any

DASHBOARD_DIR = Path(__file__).resolve().parent / "dashboards"
ALWAYS = ("vllm", "llamacpp", "cost")
"""Every cluster gets these; `gpu` only where a GPU pool exists."""


def load_dashboard(name: str) -> dict[str, Any]:
    return json.loads((DASHBOARD_DIR / f"{name}.json").read_text())


def dashboard_names(has_gpu: bool) -> list[str]:
    return [*ALWAYS, "gpu"] if has_gpu else list(ALWAYS)


def dashboard_queries(dashboard: dict[str, Any]) -> list[str]:
    return [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
