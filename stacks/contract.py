"""The stack outputs contract: every output other programs may read through StackReference, with
its type, whether it is secret, when it is present and what it means.

The contract is versioned. Within a version outputs may only be added; removing an output, or
changing its type, secrecy or presence, needs CONTRACT_VERSION + 1. The snapshot of each version
is kept in `stacks/contracts/v<N>.json` (a visible diff in review), and the tests hold the code to
it. After an additive change, rewrite the current version's snapshot:

    uv run python -m stacks.contract --write
"""

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

CONTRACT_VERSION = 2
SNAPSHOTS = Path(__file__).with_name("contracts")

OutputType = Literal["int", "str", "map"]
Presence = Literal["always", "gcp", "frontend", "frontend-image", "oci"]
"""always; with `gcp`; with `gcp.frontend`; with `gcp.frontend.image`; with `oci`."""


@dataclass(frozen=True, kw_only=True)
class OutputSpec:
    type: OutputType
    secret: bool = False
    present: Presence = "always"
    meaning: str


OUTPUTS: dict[str, OutputSpec] = {
    "contractVersion": OutputSpec(type="int", meaning="this contract's version"),
    "apiKeys": OutputSpec(
        type="map", secret=True, meaning="tenant -> API key (`Authorization: Bearer <key>`)"
    ),
    "models": OutputSpec(
        type="map",
        meaning="model -> servedModelName, server, cloud, service, port, contextTokens, fit,"
        " autoscaling, startup (and baseUrl on OCI)",
    ),
    "costEstimate": OutputSpec(
        type="map", meaning="monthly {min, max} USD, lines, unpriced, servers"
    ),
    "monitoringNamespace": OutputSpec(
        type="str", meaning="where Prometheus, Grafana and OpenCost run (every cluster)"
    ),
    "loadTests": OutputSpec(
        type="map", meaning="test -> cloud, job, namespace, server, numbers, results (bucket URL)"
    ),
    "endpoint": OutputSpec(type="str", present="gcp", meaning="the GCLB base URL of the API"),
    "ipAddress": OutputSpec(type="str", present="gcp", meaning="the edge's global static IP"),
    "apiKeySecrets": OutputSpec(
        type="map", present="gcp", meaning="tenant -> Secret Manager name of its key"
    ),
    "modelServerServiceAccount": OutputSpec(
        type="str", present="gcp", meaning="email of the model servers' Google service account"
    ),
    "clusterName": OutputSpec(type="str", present="gcp", meaning="the GKE cluster's name"),
    "kubeconfig": OutputSpec(
        type="str", secret=True, present="gcp", meaning="kubeconfig of the GKE cluster"
    ),
    "namespace": OutputSpec(type="str", present="gcp", meaning="the serving namespace on GKE"),
    "securityPolicy": OutputSpec(
        type="str", present="gcp", meaning="the Cloud Armor policy's name"
    ),
    "vertexAiEndpoint": OutputSpec(
        type="str", present="gcp", meaning="OpenAI-compatible base URL of Vertex AI MaaS"
    ),
    "vertexAiModel": OutputSpec(type="str", present="gcp", meaning="the Vertex AI MaaS model"),
    "grafanaAdminPassword": OutputSpec(
        type="str", secret=True, present="gcp", meaning="Grafana's admin password on GKE"
    ),
    "frontendUrl": OutputSpec(
        type="str", present="frontend-image", meaning="the quotes app's Cloud Run URL"
    ),
    "frontendServiceAccount": OutputSpec(
        type="str", present="frontend", meaning="the quotes app's service account email"
    ),
    "frontendRepository": OutputSpec(
        type="str", present="frontend", meaning="where to push the quotes app's image"
    ),
    "quotesDatabase": OutputSpec(
        type="str", present="frontend", meaning="Cloud SQL connection name"
    ),
    "quotesDatabasePasswordSecret": OutputSpec(
        type="str", present="frontend", meaning="Secret Manager name of the database password"
    ),
    "ociGatewayHostname": OutputSpec(
        type="str", present="oci", meaning="the API Gateway's hostname"
    ),
    "ociEndpoints": OutputSpec(
        type="map", present="oci", meaning="model -> OpenAI base URL on the API Gateway"
    ),
    "ociClientTokens": OutputSpec(
        type="map", secret=True, present="oci", meaning="tenant -> X-Client-Token"
    ),
    "ociApiKeySecrets": OutputSpec(
        type="map", present="oci", meaning="tenant -> OCI Vault secret OCID of its key"
    ),
    "ociClusterId": OutputSpec(type="str", present="oci", meaning="the OKE cluster's OCID"),
    "ociKubeconfig": OutputSpec(
        type="str", secret=True, present="oci", meaning="kubeconfig of the OKE cluster"
    ),
    "ociNamespace": OutputSpec(type="str", present="oci", meaning="the serving namespace on OKE"),
    "ociGrafanaAdminPassword": OutputSpec(
        type="str", secret=True, present="oci", meaning="Grafana's admin password on OKE"
    ),
}


def snapshot() -> dict[str, Any]:
    """What the version snapshot records: names, types, secrecy, presence (not the prose)."""
    return {
        "version": CONTRACT_VERSION,
        "outputs": {
            name: {"type": spec.type, "secret": spec.secret, "present": spec.present}
            for name, spec in sorted(OUTPUTS.items())
        },
    }


def breaking_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What a reader of `old` would trip over in `new`: removed, retyped, no longer secret, or
    present less often. Additions are not breaking."""
    problems = []
    for name, before in old["outputs"].items():
        after = new["outputs"].get(name)
        if after is None:
            problems.append(f"{name}: removed")
            continue
        for field in ("type", "secret", "present"):
            if before[field] != after[field]:
                problems.append(f"{name}: {field} {before[field]!r} -> {after[field]!r}")
    return problems


def snapshot_path(version: int) -> Path:
    return SNAPSHOTS / f"v{version}.json"


def load_snapshot(version: int) -> dict[str, Any] | None:
    path = snapshot_path(version)
    return json.loads(path.read_text()) if path.exists() else None


_PYTHON_TYPES: dict[OutputType, type] = {"int": int, "str": str, "map": dict}


def conformance_problems(outputs: dict[str, Any], secret_marker: str) -> list[str]:
    """A plan's outputs against the contract: only declared names, of their declared type,
    secrets redacted as `secret_marker`, and the `always` ones present."""
    problems = [f"{name}: not in the contract" for name in outputs if name not in OUTPUTS]
    for name, spec in OUTPUTS.items():
        if name not in outputs:
            if spec.present == "always":
                problems.append(f"{name}: missing")
            continue
        value = outputs[name]
        if spec.secret:
            if value != secret_marker:
                problems.append(f"{name}: declared secret but exported in plain text")
        elif not isinstance(value, _PYTHON_TYPES[spec.type]):
            problems.append(f"{name}: declared {spec.type}, got {type(value).__name__}")
    return problems


def main(argv: list[str]) -> int:
    if argv != ["--write"]:
        print("usage: python -m stacks.contract --write", file=sys.stderr)
        return 64
    current = snapshot()
    recorded = load_snapshot(CONTRACT_VERSION)
    if recorded is not None and (problems := breaking_changes(recorded, current)):
        print(
            f"contract v{CONTRACT_VERSION} would break readers; raise CONTRACT_VERSION:\n  "
            + "\n  ".join(problems),
            file=sys.stderr,
        )
        return 1
    path = snapshot_path(CONTRACT_VERSION)
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
