"""How long the model servers keep an idle HTTP connection open.

Google's external Application Load Balancer keeps its connections to backends open for 600 s
(not configurable), OCI's load balancer for as long. If a server closes an idle connection first,
the balancer may send the next request on it just as it closes, and the client gets a 502. So
every server keeps idle connections longer: vLLM through `VLLM_HTTP_TIMEOUT_KEEP_ALIVE` (default
5 s), llama-server through its HTTP library's compile-time `CPPHTTPLIB_KEEPALIVE_TIMEOUT_SECOND`
(default 5 s, set when the image is built); TGI (axum/hyper) has no idle timeout at all.
"""

EDGE_KEEP_ALIVE_SECONDS = 620
