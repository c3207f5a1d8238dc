"""Which request paths the edge lets through: the OpenAI-compatible API and the health check.

Every server also answers paths that must not be public: vLLM checks its API key only under
`/v1` (and `/v2`, `/inference`, `/cohere`), so `/invocations` runs chat completions without a
key, and `/tokenize`, `/metrics`, `/load`, `/version` answer anyone; TGI and llama-server have
their own unguarded routes. The edge therefore serves `/v1/...` and `/health` only and answers
404 to everything else, both in the Ingress (no default backend) and in a Cloud Armor rule.
`/metrics` stays reachable inside the cluster for Prometheus.
"""

from components.serving.pod_spec import HEALTH_PATH

API_PREFIX = "/v1"
"""OpenAI-compatible API of every server (vLLM, TGI, llama-server)."""
PUBLIC_EXACT_PATHS = (HEALTH_PATH,)


def outside_public_paths_expression() -> str:
    """Cloud Armor expression matching any request the edge must refuse."""
    allowed = [f"request.path.startsWith('{API_PREFIX}/')"] + [
        f"request.path == '{path}'" for path in PUBLIC_EXACT_PATHS
    ]
    return f"!({' || '.join(allowed)})"
