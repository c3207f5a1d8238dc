"""Pulumi entry point: validate the config, build the selected clouds, export the contract."""

from stacks import config
from stacks.outputs import export_outputs
from stacks.platform import build_platform

export_outputs(build_platform(config.load()))
