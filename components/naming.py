"""Physical names for project-wide cloud resources (service accounts, Secret Manager secrets).

Pulumi auto-names most resources, but some APIs need an explicit ID that is unique in the whole
project. Deriving it from the stack keeps `dev` and `prod` apart when they share a project.
"""

import hashlib
import re

import pulumi

_INVALID = re.compile(r"[^a-z0-9-]+")


def physical_name(prefix: str, role: str, max_length: int) -> str:
    """`<prefix>-<role>`, lowercase, shortened with a stable hash when it is too long.

    The result starts with a letter and ends with a letter or digit, as service-account IDs
    (6-30 chars) and secret IDs require.
    """
    name = _INVALID.sub("-", f"{prefix}-{role}".lower()).strip("-")
    if not name or not name[0].isalpha():
        name = f"x-{name}"
    if len(name) <= max_length:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:6]
    return f"{name[: max_length - 7].rstrip('-')}-{digest}"


def known_name(resource: pulumi.Resource, name: str) -> pulumi.Output[str]:
    """A name fixed in code, as an Output that depends on `resource`.

    For Kubernetes objects whose name we chose: a reader (a pod naming its ServiceAccount or
    SecretProviderClass) is created after the object, and `pulumi preview` still shows the name
    even while other fields of the object are unknown.
    """
    return resource.urn.apply(lambda _: name)
