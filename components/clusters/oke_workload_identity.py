"""The condition that names one OKE workload in an IAM policy (workload identity works on
enhanced clusters only): its namespace, Kubernetes ServiceAccount and cluster.

Form: https://docs.oracle.com/en-us/iaas/Content/ContEng/Tasks/contenggrantingworkloadaccesstoresources.htm
"""


def workload_principal(namespace: str, service_account: str, cluster_id: str) -> str:
    """The clauses for a `where all {...}` condition, without the braces."""
    return (
        "request.principal.type = 'workload',"
        f" request.principal.namespace = '{namespace}',"
        f" request.principal.service_account = '{service_account}',"
        f" request.principal.cluster_id = '{cluster_id}'"
    )
