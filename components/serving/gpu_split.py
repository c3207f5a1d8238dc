"""Checks shared by GPU servers: the node has the GPUs, the image runs on it, the heads divide."""

from components.catalog.hardware import MachineShape
from components.catalog.models import ModelCheckpoint
from components.config_base import SettingError
from components.serving.images import ServerImage


def check_image_arch(image: ServerImage, shape: MachineShape) -> None:
    if shape.arch not in image.arches:
        published = ", ".join(sorted(a.value for a in image.arches))
        raise SettingError(
            "pool",
            f"{image.reference} is published for {published} only but {shape.name} is"
            f" {shape.arch.value}; place this server on a {published} pool",
        )


def check_gpu_split(
    key: str, split: int, checkpoint: ModelCheckpoint, shape: MachineShape
) -> None:
    if not shape.has_gpu:
        raise SettingError("pool", f"{shape.name} has no GPU; GPU servers need a GPU pool")
    if split > shape.gpu_count:
        raise SettingError(
            key,
            f"{split} GPUs requested but {shape.name} has {shape.gpu_count}; use at most"
            f" {shape.gpu_count} or a machine type with more GPUs",
        )
    heads = checkpoint.arch.kv_heads
    if heads % split and split % heads:
        raise SettingError(
            key, f"{checkpoint.key}'s {heads} KV heads cannot be split {split} ways"
        )
