"""Export the stack outputs: the versioned contract other stacks read through StackReference.

Names, types, secrecy and presence are declared in `stacks/contract.py` (and listed in the
README); exporting a name it does not declare is a programming error, and a declared secret is
exported as a secret whatever value it is given.
"""

from typing import Any

import pulumi

from components.catalog.vertex_maas import openai_base_url
from components.serving.autoscaling import scale_up_seconds
from components.serving.startup_budget import TABLE_DATE, StartupBudget
from stacks.config import PlannedServer
from stacks.contract import CONTRACT_VERSION, OUTPUTS
from stacks.cost import estimate
from stacks.frontend import FrontendStack
from stacks.gcp import GcpStack
from stacks.oci import OciStack
from stacks.platform import Platform


def _export(name: str, value: Any) -> None:
    spec = OUTPUTS.get(name)
    if spec is None:
        raise ValueError(f"output {name!r} is not in the contract (stacks/contract.py)")
    pulumi.export(name, pulumi.Output.secret(value) if spec.secret else value)


def export_outputs(platform: Platform) -> None:
    _export("contractVersion", CONTRACT_VERSION)
    _export("apiKeys", platform.api_keys)
    models: dict[str, dict[str, Any]] = {}
    if platform.gcp is not None:
        _export_gcp(platform.gcp)
        models |= _models(platform.gcp)
    if platform.oci is not None:
        _export_oci(platform.oci)
        models |= _models(platform.oci)
    if platform.frontend is not None:
        _export_frontend(platform.frontend)
    _export("models", models)
    _export("costEstimate", estimate(platform.config).as_output())
    _export("monitoringNamespace", platform.config.stack.monitoring.namespace)
    _export("loadTests", _load_tests(platform))


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
    _export("endpoint", stack.edge.endpoint)
    _export("ipAddress", stack.edge.ip_address)
    _export("apiKeySecrets", stack.secrets.api_key_secret_names)
    _export("modelServerServiceAccount", stack.identity.email)
    _export("clusterName", stack.cluster.name)
    _export("kubeconfig", stack.cluster.kubeconfig)
    _export("namespace", stack.namespace.namespace)
    _export("securityPolicy", stack.edge.security_policy)
    vertex = stack.vertex_ai
    _export("vertexAiEndpoint", openai_base_url(stack.project, vertex.region))
    _export("vertexAiModel", vertex.model)
    _export("grafanaAdminPassword", stack.monitoring.grafana_admin_password)


def _export_frontend(frontend: FrontendStack) -> None:
    if frontend.service.url is not None:
        _export("frontendUrl", frontend.service.url)
    _export("frontendServiceAccount", frontend.service.service_account)
    _export("frontendRepository", frontend.service.repository)
    _export("quotesDatabase", frontend.database.connection_name)
    _export("quotesDatabasePasswordSecret", frontend.database.password.resource_name)


def _export_oci(stack: OciStack) -> None:
    _export("ociGatewayHostname", stack.gateway.hostname)
    _export("ociEndpoints", stack.gateway.endpoints)
    _export("ociClientTokens", stack.gateway.client_tokens)
    _export("ociApiKeySecrets", stack.vault.api_key_secret_ids)
    _export("ociClusterId", stack.cluster.cluster_id)
    _export("ociKubeconfig", stack.cluster.kubeconfig)
    _export("ociNamespace", stack.namespace.namespace)
    _export("ociGrafanaAdminPassword", stack.monitoring.grafana_admin_password)
