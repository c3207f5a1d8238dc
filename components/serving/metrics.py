"""What each pinned model server exports on `/metrics`: the names dashboards, alerts and the
autoscaler may use. Checked against the pinned sources (see each table's comment)."""

VLLM_QUEUE = "vllm:num_requests_waiting"
TGI_QUEUE = "tgi_queue_size"
LLAMACPP_QUEUE = "llamacpp:requests_deferred"
