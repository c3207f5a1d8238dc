"""`weightsCache`: the weights cache as users configure it (one setting for both clouds)."""

from components.config_base import ConfigModel


class WeightsCacheConfig(ConfigModel):
    enabled: bool = True
    """True: each cloud keeps the served checkpoints in a bucket in the cluster's region, filled
    once per model by a Job; servers read them from there instead of Hugging Face. False: every
    new server pod downloads its checkpoint from Hugging Face."""
