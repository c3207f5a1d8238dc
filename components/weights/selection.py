"""What the cache holds for a checkpoint and where (pure): the repository files the servers
read, the object prefix, and the marker written once a fill is complete."""

from components.catalog.models import ModelCheckpoint

WEIGHTS_DIR = "/weights"
"""Where every server finds its checkpoint's files when they come from the cache."""
CACHE_ROOT = "models"
COMPLETE_MARKER = ".complete"
"""Written last by the fill Job, holding the Hugging Face commit the files were read at; a
fill that finds it skips the download."""
SAFETENSORS_FILES = ("*.safetensors", "*.json", "tokenizer.model", "*.jinja", "*.txt")
"""Weights, config, tokenizer and chat template of a safetensors repository. Top-level only
(`hf_fetch.select`): not Meta's `original/` copy, not a `.gguf` beside the safetensors."""


def cache_prefix(checkpoint: ModelCheckpoint) -> str:
    """Object prefix of a checkpoint's files: its catalogue key, unique even when two
    checkpoints share a repository (GGUF repositories hold one file per quantization)."""
    return f"{CACHE_ROOT}/{checkpoint.key}"


def serving_files(checkpoint: ModelCheckpoint) -> tuple[str, ...]:
    """`hf_fetch --include` patterns: the one GGUF file, or a safetensors repository's files."""
    if checkpoint.gguf_file is not None:
        return (checkpoint.gguf_file,)
    return SAFETENSORS_FILES
