"""Service annotations for an internal OCI Load Balancer made by OKE's cloud controller.

A flexible Load Balancer rather than a Network Load Balancer: the controller can set its idle
timeout (an NLB's stays at 360 s, settable only through the OCI API), and it takes our NSG.
The listener is TCP, so a streamed answer is never buffered; the idle timeout sits above the API
Gateway's 300 s read timeout and below the servers' keep-alive, so the server never closes a
connection the balancer still considers open.
(oracle/oci-cloud-controller-manager docs/load-balancer-annotations.md)
"""

import pulumi

from components.serving.keep_alive import EDGE_KEEP_ALIVE_SECONDS

LB_IDLE_TIMEOUT_SECONDS = 600
assert LB_IDLE_TIMEOUT_SECONDS < EDGE_KEEP_ALIVE_SECONDS
_LB = "service.beta.kubernetes.io/oci-load-balancer"


def internal_load_balancer_annotations(
    subnet_id: pulumi.Input[str], nsg_id: pulumi.Input[str], max_mbps: int = 100
) -> dict[str, pulumi.Input[str]]:
    return {
        f"{_LB}-internal": "true",
        f"{_LB}-subnet1": subnet_id,
        f"{_LB}-shape": "flexible",
        f"{_LB}-shape-flex-min": "10",
        f"{_LB}-shape-flex-max": str(max_mbps),
        f"{_LB}-connection-idle-timeout": str(LB_IDLE_TIMEOUT_SECONDS),
        # Our NSG carries the rules (only the API Gateway may connect); the controller
        # must not add security-list or NSG rules of its own.
        "oci.oraclecloud.com/security-rule-management-mode": "None",
        "oci.oraclecloud.com/oci-network-security-groups": nsg_id,
    }
