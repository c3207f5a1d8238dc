"""Offline plan: `uv run python -m stacks.plan <stack>` shows what `pulumi up` would create.

Runs the real program (`__main__.py`) under Pulumi's mocks, with no credentials and no network:
prints the resource tree and warnings, writes `build/plan/<stack>.json` and the Kubernetes
manifests under `build/plan/<stack>/manifests/`, and exits 2 on invalid configuration.
`secure:` values in the stack file are never decrypted: they become unknown secrets.
"""

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from components.serving.autoscaling import describe_scale_up
from stacks.config import ConfigError
from stacks.mock_engine import SECRET, RecordedResource, Recording, main_program, run_program

ROOT = Path(__file__).resolve().parent.parent
EXIT_INVALID_CONFIG = 2


class StackFileError(Exception):
    """The stack file itself cannot be read (missing, not YAML, nested secure value)."""


def project_name(root: Path = ROOT) -> str:
    return str(yaml.safe_load((root / "Pulumi.yaml").read_text())["name"])


def read_stack_config(stack: str, root: Path = ROOT) -> tuple[dict[str, str], list[str]]:
    """Config as the Pulumi engine hands it to a program: strings, objects as JSON."""
    path = root / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise StackFileError(f"{path.name} not found; create it (see Pulumi.dev.yaml)")
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise StackFileError(f"{path.name} is not valid YAML: {error}") from None
    project = project_name(root)
    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in (document.get("config") or {}).items():
        full_key = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            config[full_key] = SECRET
            secret_keys.append(full_key)
        elif _has_secure(value):
            raise StackFileError(
                f"{path.name}: {key} nests a secure value; keep secrets in their own top-level"
                " key (e.g. llm-platform:huggingFaceToken)"
            )
        else:
            config[full_key] = value if isinstance(value, str) else json.dumps(value)
    return config, secret_keys


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return "secure" in value or any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def run_stack(stack: str, root: Path = ROOT, recording: Recording | None = None) -> Recording:
    config, secret_keys = read_stack_config(stack, root)
    main = str(root / "__main__.py")
    return run_program(
        main_program(main),
        project=project_name(root),
        stack=stack,
        config=config,
        secret_keys=secret_keys,
        recording=recording,
    )


def plan_document(stack: str, recording: Recording) -> dict[str, Any]:
    return {
        "stack": stack,
        "resources": [
            {
                "urn": r.urn,
                "type": r.type,
                "name": r.name,
                "parent": r.parent,
                "provider": r.provider,
                "custom": r.custom,
                "protect": r.protect,
                "inputs": r.redacted_inputs(),
                "dependencies": r.dependencies,
            }
            for r in recording.resources
        ],
        "outputs": recording.outputs,
    }


def _is_kubernetes_object(resource: RecordedResource) -> bool:
    return resource.custom and resource.type.startswith("kubernetes:")


def manifest(resource: RecordedResource) -> dict[str, Any]:
    inputs = resource.redacted_inputs()
    head = {k: inputs.pop(k) for k in ("apiVersion", "kind", "metadata") if k in inputs}
    return {**head, **inputs}


def write_plan(stack: str, recording: Recording, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    plan_path = out_dir / f"{stack}.json"
    plan_path.write_text(json.dumps(plan_document(stack, recording), indent=2) + "\n")
    manifests = out_dir / stack / "manifests"
    shutil.rmtree(manifests, ignore_errors=True)
    manifests.mkdir(parents=True)
    for resource in filter(_is_kubernetes_object, recording.resources):
        document = manifest(resource)
        kind = str(document.get("kind", resource.type.rsplit(":", 1)[-1])).lower()
        (manifests / f"{kind}-{resource.name}.yaml").write_text(
            yaml.safe_dump(document, sort_keys=False)
        )
    return plan_path


def render_tree(stack: str, project: str, recording: Recording) -> str:
    children: dict[str, list[RecordedResource]] = {}
    for resource in recording.resources:
        children.setdefault(resource.parent, []).append(resource)
    lines = [f"     {'Type':<56} Name", f" +   {'pulumi:pulumi:Stack':<56} {project}-{stack}"]

    def walk(parent: str, depth: int) -> None:
        for resource in children.get(parent, []):
            label = f"{'│  ' * depth}├─ {resource.type}"
            lines.append(f" +   {label:<56} {resource.name}")
            walk(resource.urn, depth + 1)

    roots = {r.parent for r in recording.resources} - {r.urn for r in recording.resources}
    for root in sorted(roots):
        walk(root, 0)
    lines.append(f"\nResources:\n    + {len(recording.resources)} to create")
    return "\n".join(lines)


def _money(value: float) -> str:
    return f"${value:,.2f}"


def render_estimates(outputs: dict[str, Any]) -> str:
    """The monthly cost range, and per server: its replicas, how long a burst waits for a new
    one, and what a million output tokens cost at saturation."""
    cost = outputs.get("costEstimate")
    if not isinstance(cost, dict):
        return ""
    monthly = cost["monthly"]
    lines = [
        f"\nEstimated cost (USD list prices as of {cost['pricesAsOf']}):",
        f"    {'item':<28} {'per month':>23}  basis",
    ]
    for line in cost["lines"]:
        span = f"{_money(line['monthlyMin'])} .. {_money(line['monthlyMax'])}"
        lines.append(f"    {line['item']:<28} {span:>23}  {line['basis']}")
    total = f"{_money(monthly['min'])} .. {_money(monthly['max'])}"
    lines.append(f"    {'total (min .. max nodes)':<28} {total:>23}")
    lines += [f"    not priced: {item}" for item in cost["unpriced"]]
    lines.append("\nModel servers (scale-up: burst -> new replica serving, from an empty node):")
    for name, model in (outputs.get("models") or {}).items():
        scaling = model["autoscaling"]
        server = cost["servers"].get(name, {})
        per_million = server.get("usdPerMillionOutputTokens")
        price = (
            f"{_money(per_million)} per 1M output tokens"
            if per_million is not None
            else "no sourced throughput figure for this model and hardware"
        )
        hpa = f"on {scaling['queueMetric']}" if scaling["hpa"] else "no HPA"
        lines.append(
            f"    {name:<24} replicas {scaling['minReplicas']}..{scaling['maxReplicas']} {hpa},"
            f" scale-up up to {describe_scale_up(scaling['scaleUpSeconds'])}; {price}"
        )
    return "\n".join(lines + render_startup(outputs))


def _phase_seconds(phases: dict[str, int]) -> str:
    return " + ".join(f"{name} {seconds} s" for name, seconds in phases.items())


def render_startup(outputs: dict[str, Any]) -> list[str]:
    """Per server, the expected time from a pod scheduled on a fresh node to ready, by phase,
    as this stack delivers it and with weights from Hugging Face and a plain image pull."""
    models = outputs.get("models") or {}
    if not models:
        return []
    dates = {m["startup"]["tableDate"] for m in models.values()}
    lines = [f"\nStart-up budget (fresh node -> ready; figures as of {', '.join(sorted(dates))}):"]
    for name, model in models.items():
        startup = model["startup"]
        baseline = startup["fromHuggingFace"]
        streaming = ", image streaming" if startup["imageStreaming"] else ""
        lines += [
            f"    {name:<24} weights from {startup['weights']}{streaming}:"
            f" {startup['expectedSeconds']} s = {_phase_seconds(startup['phases'])}"
            f" (budget {startup['budgetSeconds']} s, startup probe {startup['probeSeconds']} s)",
            f"    {'':<24} from Hugging Face, plain pull: {baseline['expectedSeconds']} s ="
            f" {_phase_seconds(baseline['phases'])}",
        ]
    return lines


def main(argv: list[str], root: Path = ROOT) -> int:
    if len(argv) != 1:
        print("usage: python -m stacks.plan <stack>", file=sys.stderr)
        return 64
    stack = argv[0]
    try:
        recording = run_stack(stack, root)
    except (ConfigError, StackFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID_CONFIG
    print(render_tree(stack, project_name(root), recording))
    print(render_estimates(recording.outputs))
    for warning in recording.warnings:
        print(f"warning: {warning}")
    print("\nOutputs:")
    for name, value in recording.outputs.items():
        print(f"    {name}: {json.dumps(value, indent=None)}")
    path = write_plan(stack, recording, root / "build" / "plan")
    print(f"\nWrote {path.relative_to(root)} and manifests under build/plan/{stack}/manifests/")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
