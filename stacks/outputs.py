"""The stack outputs: a versioned contract read by other stacks through StackReference.

Bump CONTRACT_VERSION when a name or type changes; only add fields within a version.
"""

import pulumi

from stacks.gcp import GcpStack

CONTRACT_VERSION = 2
VERTEX_AI_MODEL = "meta/llama3-405b-instruct-maas"


def vertex_openai_endpoint(project: str, region: str) -> str:
    """Vertex AI's OpenAI-compatible endpoint for Model Garden MaaS models."""
    return (
        f"https://{region}-aiplatform.googleapis.com/v1/projects/{project}"
        f"/locations/{region}/endpoints/openapi"
    )


def export_outputs(gcp_stack: GcpStack) -> None:
    pulumi.export("contractVersion", CONTRACT_VERSION)
    pulumi.export("endpoint", gcp_stack.edge.endpoint)
    pulumi.export("ipAddress", gcp_stack.edge.ip_address)
    pulumi.export("apiKeys", pulumi.Output.secret(gcp_stack.secrets.api_keys))
    pulumi.export("apiKeySecrets", gcp_stack.secrets.api_key_secret_names)
    pulumi.export("modelServerServiceAccount", gcp_stack.identity.email)
    pulumi.export("clusterName", gcp_stack.cluster.name)
    pulumi.export("kubeconfig", gcp_stack.cluster.kubeconfig)
    pulumi.export("namespace", gcp_stack.namespace.namespace)
    pulumi.export("securityPolicy", gcp_stack.edge.security_policy)
    pulumi.export(
        "models",
        {
            planned.config.name: {
                "servedModelName": planned.config.checkpoint.served_name,
                "server": planned.config.server.type,
                "service": gcp_stack.servers[planned.config.name].service_name,
                "port": planned.plan.port,
                "contextTokens": planned.plan.context,
                "fit": planned.plan.fit_summary,
            }
            for planned in gcp_stack.planned
        },
    )
    pulumi.export("vertexAiEndpoint", vertex_openai_endpoint(gcp_stack.project, gcp_stack.region))
    pulumi.export("vertexAiModel", VERTEX_AI_MODEL)
