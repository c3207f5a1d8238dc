"""Secrets stay secret: the inputs that carry one are Pulumi secrets (encrypted in the state and
masked in previews), and no container gets a credential as a literal environment value.

Only a remediation sees which values are secret (see `values`), so the first rule is a
remediation: it reports nothing and instead seals what it finds in the clear before the engine
stores it. The second needs no secretness and rejects.
"""

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import Secret

from platform_guard.values import Resource, raw
from platform_guard.workloads import HELM_RELEASES, containers, env_vars

EACH = "*"
"""Path step: every element of a list."""

SECRET_INPUTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "gcp:secretmanager/secretVersion:SecretVersion": (("secretData",),),
    "gcp:sql/user:User": (("password",),),
    "oci:Vault/secret:Secret": (("secretContent", "content"),),
    "oci:ApiGateway/subscriber:Subscriber": (("clients", EACH, "token"),),
    "kubernetes:core/v1:Secret": (("data",), ("stringData",)),
    "pulumi:providers:kubernetes": (("kubeconfig",),),
}
"""Inputs whose value is a credential, by resource type."""

CREDENTIAL_NAME = re.compile(
    r"(password|passwd|token|api[_-]?key|access[_-]?key|private[_-]?key|client[_-]?secret)$",
    re.IGNORECASE,
)
"""A Helm value or environment variable with such a name holds a credential (`adminPassword`,
`HF_TOKEN`, `VLLM_API_KEY`); names of secrets (`existingSecret`, `secretKey`) do not match."""


PropertyPath = tuple[str | int, ...]


def unsealed_secret_inputs(resource_type: str, props: dict[str, Any]) -> list[PropertyPath]:
    """Paths of credentials in `props` (as `values.raw` gives them) that are not
    secrets. An unknown value counts too: the engine marks it secret when what computes it is
    secret (a random password's `result`), so an unmarked one will be stored in the clear."""
    paths = [
        path
        for pattern in SECRET_INPUTS.get(resource_type, ())
        for path in _expand(props, pattern)
    ]
    if resource_type in HELM_RELEASES:
        paths += [("values", *p) for p in _credential_keys(props.get("values"))]
    return [p for p in paths if not _sealed(props, p)]


def seal(props: dict[str, Any], paths: list[PropertyPath]) -> dict[str, Any]:
    """A copy of `props` with the values at `paths` made secrets."""
    sealed = raw(props)  # a deep copy that keeps the secrets already there
    for path in paths:
        *parents, last = path
        holder: Any = sealed
        for step in parents:
            holder = holder.value[step] if isinstance(holder, Secret) else holder[step]
        holder[last] = Secret(holder[last])
    return sealed


def credential_literals(resource: Resource) -> list[str]:
    """Environment variables named like a credential with a literal value, in any container
    of a Kubernetes workload or a Cloud Run service or job."""
    return [
        f"container {container.get('name', '?')}: env {env['name']} is a literal value; take it"
        " from a Secret (valueFrom.secretKeyRef, or value_source.secret_key_ref on Cloud Run)"
        for container in containers(resource)
        for env in env_vars(container)
        if CREDENTIAL_NAME.search(str(env.get("name", ""))) and env.get("value") not in (None, "")
    ]


def _expand(value: Any, pattern: tuple[str, ...], at: PropertyPath = ()) -> Iterator[PropertyPath]:
    """Concrete paths matching `pattern` that hold a value."""
    if isinstance(value, Secret):
        yield from _expand(value.value, pattern, at)
        return
    if not pattern:
        if value is not None:
            yield at
        return
    step, rest = pattern[0], pattern[1:]
    if step == EACH and isinstance(value, list):
        for index, item in enumerate(value):
            yield from _expand(item, rest, (*at, index))
    elif isinstance(value, dict) and step in value:
        yield from _expand(value[step], rest, (*at, step))


def _credential_keys(value: Any, at: PropertyPath = ()) -> Iterator[PropertyPath]:
    if isinstance(value, Secret):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if CREDENTIAL_NAME.search(key) and isinstance(item, str | Secret) and item != "":
                yield (*at, key)
            else:
                yield from _credential_keys(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _credential_keys(item, (*at, index))


def _sealed(props: Any, path: PropertyPath) -> bool:
    value = props
    for step in path:
        if isinstance(value, Secret):
            return True
        value = value[step]
    return isinstance(value, Secret)
