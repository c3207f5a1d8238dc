"""The stack outputs: a versioned contract read by other stacks through StackReference.

Bump CONTRACT_VERSION when a name or type changes; only add fields within a version. Outputs of
a cloud appear only when the stack configures that cloud:

  contractVersion            int      always
  apiKeys                    secret   tenant -> API key (`Authorization: Bearer <key>`)
  models                     map      model -> servedModelName, server, cloud, service, port,
                                      contextTokens, fit, autoscaling, startup (and baseUrl on
                                      OCI); startup: weights (source), imageStreaming,
                                      expectedSeconds, phases (name -> seconds), budgetSeconds,
                                      probeSeconds, fromHuggingFace {expectedSeconds, phases}
  costEstimate               map      monthly {min, max} USD, lines, unpriced, servers ->
                                      usdPerMillionOutputTokens (null without a sourced
                                      throughput), hourlyPerReplica, throughput
  monitoringNamespace        str      where Prometheus, Grafana and OpenCost run (every cluster)
  loadTests                  map      test -> cloud, job, namespace, server, preset, inputTokens,
                                      outputTokens, concurrency, requests, results (bucket URL)
  Google Cloud: endpoint, ipAddress, apiKeySecrets (tenant -> Secret Manager name),
    modelServerServiceAccount, clusterName, kubeconfig (secret), namespace, securityPolicy,
    vertexAiEndpoint (OpenAI base URL), vertexAiModel, grafanaAdminPassword (secret)
  Frontend (with gcp.frontend): frontendUrl (once gcp.frontend.image is set),
    frontendServiceAccount, frontendRepository, quotesDatabase (Cloud SQL connection name),
    quotesDatabasePasswordSecret (Secret Manager name)
  OCI: ociGatewayHostname, ociEndpoints (model -> OpenAI base URL), ociClientTokens (secret,
    tenant -> X-Client-Token), ociApiKeySecrets (tenant -> Vault secret OCID), ociClusterId,
    ociKubeconfig (secret), ociNamespace, ociGrafanaAdminPassword (secret)
"""

from typing import Any

import pulumi

from components.catalog.vertex_maas import openai_base_url
from components.serving.autoscaling import scale_up_seconds
from components.serving.startup_budget import TABLE_DATE, StartupBudget
from stacks.config import PlannedServer
from stacks.cost import estimate
from stacks.frontend import FrontendStack
from stacks.gcp import GcpStack
from stacks.oci import OciStack
from stacks.platform import Platform

CONTRACT_VERSION = 2


def export_outputs(platform: Platform) -> None:
    pulumi.export("contractVersion", CONTRACT_VERSION)
    pulumi.export("apiKeys", pulumi.Output.secret(platform.api_keys))
    models: dict[str, dict[str, Any]] = {}
    if platform.gcp is not None:
        _export_gcp(platform.gcp)
        models |= _models(platform.gcp)
    if platform.oci is not None:
        _export_oci(platform.oci)
        models |= _models(platform.oci)
    if platform.frontend is not None:
        _export_frontend(platform.frontend)
    pulumi.export("models", models)
    pulumi.export("costEstimate", estimate(platform.config).as_output())
    pulumi.export("monitoringNamespace", platform.config.stack.monitoring.namespace)
    pulumi.export("loadTests", _load_tests(platform))


def _load_tests(platform: Platform) -> dict[str, dict[str, Any]]:
    """Where each load test runs and where its reports land."""
    tests: dict[str, dict[str, Any]] = {}
    for cloud, stack in (("gcp", platform.gcp), ("oci", platform.oci)):
        if stack is None or stack.load_tests is None:
            continue
        runner = stack.load_tests
        for test in platform.config.load_tests:
            if test.name not in runner.job_names:
                continue
            tests[test.name] = {
                "cloud": cloud,
                "job": runner.job_names[test.name],
                "namespace": stack.namespace.namespace,
                "server": test.server,
                "preset": test.config.preset,
                "inputTokens": test.workload.input_tokens,
                "outputTokens": test.workload.output_tokens,
                "concurrency": test.concurrency,
                "requests": test.config.requests,
                "results": pulumi.Output.concat(runner.results_location, test.name, "/"),
            }
    return tests


def _models(stack: GcpStack | OciStack) -> dict[str, dict[str, Any]]:
    endpoints = stack.gateway.endpoints if isinstance(stack, OciStack) else {}
    models: dict[str, dict[str, Any]] = {}
    for planned in stack.planned:
        name = planned.config.name
        models[name] = {
            "servedModelName": planned.config.checkpoint.served_name,
            "server": planned.config.server.type,
            "cloud": planned.cloud,
            "service": stack.servers[name].service_name,
            "port": planned.plan.port,
            "contextTokens": planned.plan.context,
            "fit": planned.plan.fit_summary,
            "autoscaling": _autoscaling(planned),
            "startup": _startup(planned),
        }
        if name in endpoints:
            models[name]["baseUrl"] = endpoints[name]
    return models


def _phases(budget: StartupBudget) -> dict[str, int]:
    return {p.name: p.seconds for p in budget.phases}


def _startup(planned: PlannedServer) -> dict[str, Any]:
    """The start-up budget from a fresh node, by phase (table of TABLE_DATE), as delivered and
    as it would be with weights from Hugging Face and a plain image pull."""
    budget, baseline = planned.plan.startup, planned.plan.hub_startup
    return {
        "tableDate": TABLE_DATE,
        "weights": str(budget.delivery.weights),
        "imageStreaming": budget.delivery.image_streaming,
        "expectedSeconds": budget.expected_seconds,
        "phases": _phases(budget),
        "budgetSeconds": budget.first_start_seconds,
        "probeSeconds": budget.probe_seconds,
        "fromHuggingFace": {
            "expectedSeconds": baseline.expected_seconds,
            "phases": _phases(baseline),
        },
    }


def _autoscaling(planned: PlannedServer) -> dict[str, Any]:
    scaling = planned.scaling
    return {
        "hpa": scaling.has_hpa,
        "minReplicas": scaling.min_replicas,
        "maxReplicas": scaling.max_replicas,
        "queueMetric": scaling.queue_metric,
        "targetQueueLength": scaling.target_queue_length,
        "scaleUpSeconds": scale_up_seconds(planned.plan.first_start_seconds),
    }


def _export_gcp(stack: GcpStack) -> None:
    pulumi.export("endpoint", stack.edge.endpoint)
    pulumi.export("ipAddress", stack.edge.ip_address)
    pulumi.export("apiKeySecrets", stack.secrets.api_key_secret_names)
    pulumi.export("modelServerServiceAccount", stack.identity.email)
    pulumi.export("clusterName", stack.cluster.name)
    pulumi.export("kubeconfig", stack.cluster.kubeconfig)
    pulumi.export("namespace", stack.namespace.namespace)
    pulumi.export("securityPolicy", stack.edge.security_policy)
    vertex = stack.vertex_ai
    pulumi.export("vertexAiEndpoint", openai_base_url(stack.project, vertex.region))
    pulumi.export("vertexAiModel", vertex.model)
    pulumi.export("grafanaAdminPassword", stack.monitoring.grafana_admin_password)


def _export_frontend(frontend: FrontendStack) -> None:
    if frontend.service.url is not None:
        pulumi.export("frontendUrl", frontend.service.url)
    pulumi.export("frontendServiceAccount", frontend.service.service_account)
    pulumi.export("frontendRepository", frontend.service.repository)
    pulumi.export("quotesDatabase", frontend.database.connection_name)
    pulumi.export("quotesDatabasePasswordSecret", frontend.database.password.resource_name)


def _export_oci(stack: OciStack) -> None:
    pulumi.export("ociGatewayHostname", stack.gateway.hostname)
    pulumi.export("ociEndpoints", stack.gateway.endpoints)
    pulumi.export("ociClientTokens", pulumi.Output.secret(stack.gateway.client_tokens))
    pulumi.export("ociApiKeySecrets", stack.vault.api_key_secret_ids)
    pulumi.export("ociClusterId", stack.cluster.cluster_id)
    pulumi.export("ociKubeconfig", stack.cluster.kubeconfig)
    pulumi.export("ociNamespace", stack.namespace.namespace)
    pulumi.export("ociGrafanaAdminPassword", stack.monitoring.grafana_admin_password)
