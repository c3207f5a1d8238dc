"""Pulumi entry point: validate the config, build the Google Cloud stack, export the contract."""

from stacks import config
from stacks.gcp import build_gcp
from stacks.outputs import export_outputs

export_outputs(build_gcp(config.load()))
