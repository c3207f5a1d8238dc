"""The environment contract between this program and the Spring AI quotes app.

Names follow the app (GoogleCloudPlatform/serverless-production-readiness-java-gcp,
ai-patterns/spring-ai-quotes-llm-in-gke, `application.properties` at 1a0096a): it resolves every
`${...}` placeholder at start-up and has no defaults, so each of them must be set. The datasource
uses Spring Boot's own SPRING_DATASOURCE_* binding, which replaces the app's in-memory H2 with
Cloud SQL; its Flyway migrations (V1 table, V2 17 sample quotes) then create and seed the
`quotes` table on first start.
"""

from dataclasses import dataclass

import pulumi

from components.database.postgres import POSTGRES_PORT
from components.database.settings import DatabaseSettings
from components.secrets.secret_manager import StoredSecret

APP_PORT = 8080
"""Cloud Run sets PORT=8080 and the app listens on ${PORT}."""
CLIENT_TOKEN_HEADER = "X-Client-Token"

CONTRACT: dict[str, str] = {
    "OPENAI_API_GKE_IP": "Base URL of the self-hosted OpenAI-compatible API, without /v1 (Spring"
    " AI appends /v1/chat/completions): the GCLB URL of the model, or its OCI API Gateway URL",
    "OPENAI_API_GKE_MODEL": "Served model name the self-hosted server answers to",
    "OPENAI_API_KEY": "The frontend tenant's API key (secret, from Secret Manager)",
    "OPENAI_API_CLIENT_TOKEN": f"OCI targets only: the tenant's API Gateway token, to send in"
    f" {CLIENT_TOKEN_HEADER} (secret, from Secret Manager)",
    "VERTEX_AI_PROJECT_ID": "Project billed for Vertex AI MaaS calls",
    "VERTEX_AI_LOCATION": "Region the MaaS model is called in",
    "VERTEX_AI_MODEL": "The MaaS model, e.g. meta/llama3-405b-instruct-maas",
    "VERTEX_AI_GEMINI_PROJECT_ID": "Project for the app's Gemini endpoint",
    "VERTEX_AI_GEMINI_LOCATION": "Region for the app's Gemini endpoint",
    "VERTEX_AI_GEMINI_MODEL": "Gemini model of /random-quote-llm",
    "SPRING_DATASOURCE_URL": "JDBC URL of the Cloud SQL quotes database (private IP)",
    "SPRING_DATASOURCE_USERNAME": "Database user",
    "SPRING_DATASOURCE_PASSWORD": "Database password (secret, from Secret Manager)",
    "JAVA_TOOL_OPTIONS": "JVM flags sized to the instance's CPUs and memory",
}
"""Every variable the service sets, with its meaning (the README's table comes from here)."""


@dataclass(frozen=True, kw_only=True)
class AppVariable:
    name: str
    value: pulumi.Input[str] | None = None
    secret: StoredSecret | None = None
    """Read from Secret Manager by Cloud Run when an instance starts; never in the config."""


@dataclass(frozen=True, kw_only=True)
class SelfHostedModel:
    base_url: pulumi.Input[str]
    """The edge's OpenAI base URL for the model (ending in /v1)."""
    served_name: str
    api_key: StoredSecret
    client_token: StoredSecret | None = None


@dataclass(frozen=True, kw_only=True)
class QuotesDatabaseAccess:
    settings: DatabaseSettings
    private_ip: pulumi.Input[str]
    connection_name: pulumi.Input[str]
    database: str
    user: str
    password: StoredSecret


@dataclass(frozen=True, kw_only=True)
class VertexModels:
    project: str
    region: str
    maas_model: str
    gemini_model: str


def app_environment(
    model: SelfHostedModel,
    vertex: VertexModels,
    database: QuotesDatabaseAccess,
    jvm_options: str,
) -> list[AppVariable]:
    variables = [
        AppVariable(name="OPENAI_API_GKE_IP", value=_without_v1(model.base_url)),
        AppVariable(name="OPENAI_API_GKE_MODEL", value=model.served_name),
        AppVariable(name="OPENAI_API_KEY", secret=model.api_key),
        AppVariable(name="VERTEX_AI_PROJECT_ID", value=vertex.project),
        AppVariable(name="VERTEX_AI_LOCATION", value=vertex.region),
        AppVariable(name="VERTEX_AI_MODEL", value=vertex.maas_model),
        AppVariable(name="VERTEX_AI_GEMINI_PROJECT_ID", value=vertex.project),
        AppVariable(name="VERTEX_AI_GEMINI_LOCATION", value=vertex.region),
        AppVariable(name="VERTEX_AI_GEMINI_MODEL", value=vertex.gemini_model),
        AppVariable(name="SPRING_DATASOURCE_URL", value=jdbc_url(database)),
        AppVariable(name="SPRING_DATASOURCE_USERNAME", value=database.user),
        AppVariable(name="SPRING_DATASOURCE_PASSWORD", secret=database.password),
        AppVariable(name="JAVA_TOOL_OPTIONS", value=jvm_options),
    ]
    if model.client_token is not None:
        variables.append(AppVariable(name="OPENAI_API_CLIENT_TOKEN", secret=model.client_token))
    return variables


def jdbc_url(database: QuotesDatabaseAccess) -> pulumi.Output[str]:
    if database.settings.connection == "connector":
        # Cloud SQL Java connector: IAM-checked TLS tunnel to the private IP (needs
        # roles/cloudsql.client and the postgres-socket-factory jar in the app).
        return pulumi.Output.concat(
            f"jdbc:postgresql:///{database.database}?cloudSqlInstance=",
            database.connection_name,
            "&socketFactory=com.google.cloud.sql.postgres.SocketFactory&ipTypes=PRIVATE",
        )
    # The instance accepts only encrypted connections (ssl_mode ENCRYPTED_ONLY).
    return pulumi.Output.concat(
        "jdbc:postgresql://",
        database.private_ip,
        f":{POSTGRES_PORT}/{database.database}?sslmode=require",
    )


def _without_v1(base_url: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.from_input(base_url).apply(lambda url: url.removesuffix("/v1"))
