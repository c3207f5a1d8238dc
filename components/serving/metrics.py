"""What each pinned model server exports on `/metrics`: the only names dashboards, alerts and
the autoscaler may use (tests hold every query to these tables).

- vLLM 0.33.0 wheel, `vllm/v1/metrics/loggers.py`: every series carries `model_name` and
  `engine`; counters get prometheus_client's `_total`, histograms `_bucket/_sum/_count`.
  `gpu_cache_usage_perc` and `time_per_output_token_seconds` no longer exist in 0.33.
- TGI 3.3.4 `router/src` (metrics-exporter-prometheus 0.15): counters have no `_total`;
  a series appears only once it is first recorded.
- llama.cpp b11063 `tools/server/server-task.cpp`: no labels; only with `--metrics`, and
  behind `--api-key` like every path but `/health`.
- dcgm-exporter 4.5.3-4.8.2 default counters (`etc/default-counters.csv`).
"""

VLLM_QUEUE = "vllm:num_requests_waiting"
TGI_QUEUE = "tgi_queue_size"
LLAMACPP_QUEUE = "llamacpp:requests_deferred"

VLLM_METRICS = frozenset(
    {
        VLLM_QUEUE,
        "vllm:num_requests_running",
        "vllm:kv_cache_usage_perc",
        "vllm:num_preemptions_total",
        "vllm:prompt_tokens_total",
        "vllm:generation_tokens_total",
        "vllm:request_success_total",
        *(
            f"vllm:{histogram}_{suffix}"
            for histogram in (
                "time_to_first_token_seconds",
                "inter_token_latency_seconds",
                "e2e_request_latency_seconds",
                "request_queue_time_seconds",
            )
            for suffix in ("bucket", "sum", "count")
        ),
    }
)
TGI_METRICS = frozenset(
    {
        TGI_QUEUE,
        "tgi_batch_current_size",
        "tgi_request_count",
        "tgi_request_success",
        "tgi_request_failure",
        *(
            f"tgi_{histogram}_{suffix}"
            for histogram in ("request_duration", "request_queue_duration")
            for suffix in ("bucket", "sum", "count")
        ),
    }
)
LLAMACPP_METRICS = frozenset(
    {
        LLAMACPP_QUEUE,
        "llamacpp:requests_processing",
        "llamacpp:prompt_tokens_total",
        "llamacpp:tokens_predicted_total",
        "llamacpp:prompt_tokens_seconds",
        "llamacpp:predicted_tokens_seconds",
        "llamacpp:n_decode_total",
    }
)
DCGM_METRICS = frozenset(
    {
        "DCGM_FI_DEV_GPU_UTIL",
        "DCGM_FI_DEV_FB_USED",
        "DCGM_FI_DEV_FB_FREE",
        "DCGM_FI_DEV_POWER_USAGE",
        "DCGM_FI_DEV_GPU_TEMP",
    }
)
