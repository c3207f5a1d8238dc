"""CrossGuard policy pack for the LLM platform: `pulumi preview --policy-pack policy`."""

from platform_guard.pack import PACK_NAME, policies
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(name=PACK_NAME, policies=policies(), enforcement_level=EnforcementLevel.MANDATORY)
