"""Vertex AI Model Garden models served as a managed API (MaaS), with the regions offering them.

Sources (read 2026-11-23):
- https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/llama names the article's
  `meta/llama3-405b-instruct-maas`; the current page
  https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/llama/use-llama names the
  same model `meta/llama-3.1-405b-instruct-maas`. Every request example on both pages, and the
  article's app (GoogleCloudPlatform/serverless-production-readiness-java-gcp
  ai-patterns/spring-ai-quotes-llm-in-gke at 1a0096a), calls `us-central1`.
- Endpoint: https://cloud.google.com/vertex-ai/docs/reference/rest/v1beta1/projects.locations.endpoints.chat/completions
  (`.../v1beta1/projects/{p}/locations/{l}/endpoints/openapi`, then `/chat/completions`),
  called with a Google OAuth access token and `aiplatform.endpoints.predict`.
Check the "partner model endpoint locations" table before adding a region:
https://cloud.google.com/vertex-ai/generative-ai/docs/learn/locations
"""

from dataclasses import dataclass

ARTICLE_MODEL = "meta/llama3-405b-instruct-maas"
"""The model article 000's frontend asks for quotes."""


@dataclass(frozen=True, kw_only=True)
class MaasModel:
    model: str
    regions: tuple[str, ...]


MAAS_MODELS: dict[str, MaasModel] = {
    m.model: m
    for m in (
        MaasModel(model=ARTICLE_MODEL, regions=("us-central1",)),
        MaasModel(model="meta/llama-3.1-405b-instruct-maas", regions=("us-central1",)),
    )
}


def openai_base_url(project: str, region: str) -> str:
    """Vertex AI's OpenAI-compatible base URL for MaaS models (append `/chat/completions`)."""
    return (
        f"https://{region}-aiplatform.googleapis.com/v1beta1/projects/{project}"
        f"/locations/{region}/endpoints/openapi"
    )
