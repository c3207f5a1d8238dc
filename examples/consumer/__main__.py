"""A team's program that calls a model of the llm-platform stack: it reads the endpoint, the
served model name and its tenant's key through StackReference, and exports what its own
services would be configured with."""

import pulumi
from platform_outputs import PlatformOutputs

config = pulumi.Config()
platform = PlatformOutputs(pulumi.StackReference(config.require("platformStack")))
model_name = config.require("model")
model = platform.model(model_name)

pulumi.export("chatBaseUrl", platform.base_url(model_name))
pulumi.export("chatModel", model.apply(lambda m: m.served_model_name))
pulumi.export("chatContextTokens", model.apply(lambda m: m.context_tokens))
pulumi.export("chatApiKey", platform.api_key(config.get("tenant") or "default"))
