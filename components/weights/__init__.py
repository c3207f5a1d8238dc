"""The model-weights cache: a bucket next to the cluster, filled once per model by a Job, read
by the servers instead of Hugging Face."""
