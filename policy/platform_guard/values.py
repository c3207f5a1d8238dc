"""Resource properties as plain Python data, the same whether the policy engine or a plan file
supplies them.

The engine hands a policy proxies: one raises on unknown values (computed by another resource,
not known during a preview), one unwraps secrets. Rules must decide for themselves what an
unknown means, and only a remediation is told which values are secret (pulumi-policy 1.21.0 strips
the markers before validations run: pulumi/pulumi-policy issue 241), so `raw` unwraps the proxies
and keeps unknowns as their sentinels and secrets as `Secret`.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pulumi_policy import PolicyResource, ResourceValidationArgs, Secret
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

UNKNOWNS = frozenset(
    {
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_OBJECT_VALUE,
        UNKNOWN_STRING_VALUE,
    }
)
_URN = re.compile(r"^urn:pulumi:(?P<stack>[^:]+)::")


def is_unknown(value: Any) -> bool:
    return isinstance(value, str) and value in UNKNOWNS


def raw(value: Any) -> Any:
    """Plain dicts and lists, with unknowns as sentinels and secrets as `Secret`."""
    if isinstance(value, Secret):
        return Secret(raw(value.value))
    if isinstance(value, dict):
        return {k: raw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [raw(v) for v in value]
    if isinstance(value, Mapping | Sequence) and not isinstance(value, str | bytes):
        proxy: Any = value  # one of pulumi-policy's proxies: they hand out what they wrap
        return raw(proxy["__target"])
    return value


def plain(value: Any) -> Any:
    """`raw` without the secret markers: what a validation may read."""
    value = raw(value)
    return _unseal(value)


def _unseal(value: Any) -> Any:
    if isinstance(value, Secret):
        return _unseal(value.value)
    if isinstance(value, dict):
        return {k: _unseal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unseal(v) for v in value]
    return value


def dig(value: Any, *path: str | int) -> Any:
    """The value at `path`: None where a step is missing, an unknown sentinel where the value
    or one that holds it is unknown (callers decide: usually "checked again by `pulumi up`")."""
    for step in path:
        if is_unknown(value):
            return value
        if isinstance(step, int) and isinstance(value, list) and step < len(value):
            value = value[step]
        elif isinstance(step, str) and isinstance(value, dict):
            value = value.get(step)
        else:
            return None
    return value


def mapping(value: Any) -> dict[str, Any]:
    """`value` if it is a known object, else empty."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    """`value` if it is a known list, else empty."""
    return value if isinstance(value, list) else []


@dataclass(frozen=True, kw_only=True)
class Resource:
    """One resource as the rules see it: `props` hold plain values (see `plain`)."""

    type: str
    name: str
    urn: str
    props: dict[str, Any]
    protect: bool = False
    dependencies: tuple[str, ...] = ()

    @property
    def stack(self) -> str:
        match = _URN.match(self.urn)
        return match["stack"] if match else ""


def from_validation(args: ResourceValidationArgs) -> Resource:
    return Resource(
        type=args.resource_type,
        name=args.name,
        urn=args.urn,
        props=plain(args.props),
        protect=bool(args.opts.protect),
    )


def from_stack_resource(resource: PolicyResource) -> Resource:
    return Resource(
        type=resource.resource_type,
        name=resource.name,
        urn=resource.urn,
        props=plain(resource.props),
        protect=bool(resource.opts.protect),
        dependencies=tuple(d.urn for d in resource.dependencies),
    )
