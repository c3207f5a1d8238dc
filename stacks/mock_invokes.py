"""What the offline plan answers for the cloud data sources the program reads.

`pulumi preview` runs data sources (invokes) for real; the offline plan has no cloud, so it
answers them with values of the same shape a real region returns (names follow Oracle's
published formats). Anything the plan shows that comes from here is marked `PLAN`.
"""

from typing import Any

_OKE_IMAGE_BUILD = "2025.11.20-0"
_OKE_IMAGE_SUFFIX = "1345"


def _node_pool_option(args: dict[str, Any]) -> dict[str, Any]:
    version = str(args.get("nodePoolK8sVersion", "v1.34.2")).lstrip("v")
    names = [
        f"Oracle-Linux-8.10-{_OKE_IMAGE_BUILD}-OKE-{version}-{_OKE_IMAGE_SUFFIX}",
        f"Oracle-Linux-8.10-Gen2-GPU-{_OKE_IMAGE_BUILD}-OKE-{version}-{_OKE_IMAGE_SUFFIX}",
        f"Oracle-Linux-8.10-aarch64-{_OKE_IMAGE_BUILD}-OKE-{version}-{_OKE_IMAGE_SUFFIX}",
        # Platform images (no OKE software) are listed too; the program must skip them.
        "Oracle-Linux-8.10-Gen2-GPU-2026.01.10-0",
        "Oracle-Linux-8.10-aarch64-2026.01.10-0",
    ]
    return {
        "id": "all",
        "kubernetesVersions": [f"v{version}"],
        "sources": [
            {"imageId": f"ocid1.image.oc1.plan.{index}", "sourceName": name, "sourceType": "IMAGE"}
            for index, name in enumerate(names)
        ],
    }


def _kubeconfig(args: dict[str, Any]) -> dict[str, Any]:
    cluster = args.get("clusterId", "PLAN")
    content = f"""apiVersion: v1
kind: Config
clusters:
- name: {cluster}
  cluster:
    server: https://PLAN:6443
contexts:
- name: {cluster}
  context: {{cluster: {cluster}, user: {cluster}}}
current-context: {cluster}
users:
- name: {cluster}
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: oci
      args: [ce, cluster, generate-token, --cluster-id, {cluster}]
"""
    return {"content": content}


def answer(token: str, args: dict[str, Any]) -> dict[str, Any]:
    """The data source's result, or {} for one the program does not read."""
    if token == "oci:Identity/getAvailabilityDomains:getAvailabilityDomains":
        return {
            "availabilityDomains": [
                {"id": f"ocid1.ad.plan.{n}", "name": f"PLAN:AD-{n}"} for n in (1, 2, 3)
            ]
        }
    if token == "oci:Core/getServices:getServices":
        return {
            "services": [
                {
                    "id": "ocid1.service.oc1.plan.objectstorage",
                    "cidrBlock": "oci-plan-objectstorage",
                    "name": "OCI PLAN Object Storage",
                },
                {
                    "id": "ocid1.service.oc1.plan.all",
                    "cidrBlock": "all-plan-services-in-oracle-services-network",
                    "name": "All PLAN Services In Oracle Services Network",
                },
            ]
        }
    if token == "oci:ObjectStorage/getNamespace:getNamespace":
        # A tenancy's Object Storage namespace is a short random string.
        return {"id": "plan", "namespace": "planns"}
    if token == "oci:ContainerEngine/getNodePoolOption:getNodePoolOption":
        return _node_pool_option(args)
    if token == "oci:ContainerEngine/getClusterKubeConfig:getClusterKubeConfig":
        return _kubeconfig(args)
    return {}
