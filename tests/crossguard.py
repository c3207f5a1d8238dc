"""Run the policy pack the way `pulumi preview --policy-pack policy` does, on plan resources.

The CLI talks to the pack over gRPC; here the same analyzer servicer that `PolicyPack` serves
gets the same requests, built from a plan document: a "[secret]" becomes a secret-signature
object and an "[unknown]" the engine's unknown sentinel, as the engine would send them.
"""

import copy
from dataclasses import dataclass, replace
from typing import Any

from google.protobuf import json_format, struct_pb2
from platform_guard.pack import PACK_NAME, policies
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi_policy import EnforcementLevel
from pulumi_policy.deserialize import SPECIAL_SECRET_SIG, SPECIAL_SIG_KEY
from pulumi_policy.policy import _PolicyAnalyzerServicer
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from stacks.mock_engine import SECRET, UNKNOWN

PlanResource = dict[str, Any]


@dataclass(frozen=True)
class Violation:
    policy: str
    urn: str
    message: str
    level: str = "MANDATORY"
    """How the engine treats it: MANDATORY fails the preview or update, ADVISORY warns."""


def engine_value(value: Any) -> Any:
    if value == SECRET:
        return {SPECIAL_SIG_KEY: SPECIAL_SECRET_SIG, "value": SECRET}
    if value == UNKNOWN:
        return UNKNOWN_STRING_VALUE
    if isinstance(value, dict):
        return {k: engine_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [engine_value(v) for v in value]
    return value


def _struct(inputs: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(engine_value(inputs))
    return struct


def _options(resource: PlanResource) -> proto.AnalyzerResourceOptions:
    return proto.AnalyzerResourceOptions(protect=resource.get("protect", False))


def analyze_request(resource: PlanResource) -> proto.AnalyzeRequest:
    """What the engine sends before it creates or updates `resource`."""
    return proto.AnalyzeRequest(
        type=resource["type"],
        properties=_struct(resource["inputs"]),
        urn=resource["urn"],
        name=resource["name"],
        options=_options(resource),
    )


class PolicyPackRunner:
    def __init__(self, config: dict[str, dict[str, Any]] | None = None) -> None:
        self.servicer = _PolicyAnalyzerServicer(
            PACK_NAME, "0.0.1", policies(), EnforcementLevel.MANDATORY
        )
        if config:
            request = proto.ConfigureAnalyzerRequest()
            for name, properties in config.items():
                # As `--policy-pack-config` sends it: the level stays the policy's own.
                request.policyConfig[name].enforcementLevel = proto.MANDATORY
                request.policyConfig[name].properties.update(properties)
            self.servicer.Configure(request, None)

    def analyze(self, resource: PlanResource) -> list[Violation]:
        request = analyze_request(resource)
        # A resource policy's report names no URN: the engine knows which resource it checked.
        found = _violations(self.servicer.Analyze(request, None))
        return [replace(v, urn=v.urn or resource["urn"]) for v in found]

    def analyze_stack(self, resources: list[PlanResource]) -> list[Violation]:
        request = proto.AnalyzeStackRequest(
            resources=[
                proto.AnalyzerResource(
                    type=r["type"],
                    properties=_struct(r["inputs"]),
                    urn=r["urn"],
                    name=r["name"],
                    options=_options(r),
                    parent=r["parent"],
                    dependencies=r["dependencies"],
                )
                for r in resources
            ]
        )
        return _violations(self.servicer.AnalyzeStack(request, None))

    def remediate(self, resource: PlanResource) -> dict[str, dict[str, Any]]:
        """Policy name -> the properties its remediation returned, as the engine gets them."""
        response = self.servicer.Remediate(analyze_request(resource), None)
        assert not [r.diagnostic for r in response.remediations if r.diagnostic]
        return {
            r.policyName: json_format.MessageToDict(r.properties) for r in response.remediations
        }

    def check_plan(self, document: dict[str, Any]) -> list[Violation]:
        """Everything the pack reports on a plan: each resource, then the stack."""
        resources = custom_resources(document)
        found = [v for r in resources for v in self.analyze(r)]
        return found + self.analyze_stack(resources)


def _violations(response: Any) -> list[Violation]:
    """The engine shows a policy's description, then what the rule reported."""
    return [
        Violation(
            d.policyName,
            d.urn,
            d.message.removeprefix(f"{d.description}\n"),
            proto.EnforcementLevel.Name(d.enforcementLevel),
        )
        for d in response.diagnostics
    ]


def find(document: dict[str, Any], type_token: str, name: str | None = None) -> PlanResource:
    """A deep copy of one resource of the plan, to break in a test."""
    found = [
        r
        for r in document["resources"]
        if r["type"] == type_token and (name is None or r["name"] == name)
    ]
    assert found, f"no {type_token} {name or ''} in the plan"
    return copy.deepcopy(found[0])


def custom_resources(document: dict[str, Any]) -> list[PlanResource]:
    """Deep copies of the plan's cloud and Kubernetes resources (not components)."""
    return [copy.deepcopy(r) for r in document["resources"] if r["custom"]]
