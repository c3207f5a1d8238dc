"""Model checkpoints the platform knows how to size, with the architecture the memory math needs.

Architecture numbers come from each checkpoint's `config.json` on Hugging Face. A quantized
checkpoint shares its base model's architecture and differs only in how weights are stored.
"""

from dataclasses import dataclass
from enum import StrEnum


class WeightFormat(StrEnum):
    """How a checkpoint stores its weights; decides which servers and flags can load it."""

    BF16 = "bf16"
    AWQ = "awq"
    GPTQ = "gptq"
    GGUF_Q8_0 = "gguf-q8_0"


# Bits per stored weight. AWQ/GPTQ INT4 with group size 128 carry a scale and zero point per
# group (~0.25 bit each); GGUF Q8_0 stores 32 int8 weights plus one fp16 scale (8.5 bits).
_BITS_PER_WEIGHT: dict[WeightFormat, float] = {
    WeightFormat.BF16: 16.0,
    WeightFormat.AWQ: 4.25,
    WeightFormat.GPTQ: 4.25,
    WeightFormat.GGUF_Q8_0: 8.5,
}


@dataclass(frozen=True, kw_only=True)
class Architecture:
    parameters: int
    layers: int
    hidden_size: int
    intermediate_size: int
    kv_heads: int
    head_dim: int
    vocab_size: int
    tied_embeddings: bool
    max_context: int

    @property
    def embedding_parameters(self) -> int:
        """Embedding and LM-head parameters: quantizers leave these in 16 bits."""
        tables = 1 if self.tied_embeddings else 2
        return tables * self.vocab_size * self.hidden_size


@dataclass(frozen=True, kw_only=True)
class ModelCheckpoint:
    key: str
    """Catalogue key used in config (`models[].model`)."""
    hf_repo: str
    served_name: str
    """Name clients send as `model` in OpenAI requests."""
    arch: Architecture
    weight_format: WeightFormat
    gated: bool
    """Gated repositories need an accepted licence and a Hugging Face token."""
    gguf_file: str | None = None

    @property
    def weight_bytes(self) -> int:
        """Bytes of weights on disk and, unless quantized at load time, in memory."""
        bits = _BITS_PER_WEIGHT[self.weight_format]
        if self.weight_format is WeightFormat.GGUF_Q8_0:
            # GGUF quantizes the embedding tables too.
            return int(self.arch.parameters * bits / 8)
        return self.weight_bytes_at(bits)

    def weight_bytes_at(self, bits: float) -> int:
        """Weights with the transformer body at `bits` per weight and 16-bit embeddings."""
        dense = self.arch.parameters - self.arch.embedding_parameters
        return int(dense * bits / 8 + self.arch.embedding_parameters * 2)

    @property
    def is_gguf(self) -> bool:
        return self.gguf_file is not None


LLAMA_3_1_8B = Architecture(
    parameters=8_030_261_248,
    layers=32,
    hidden_size=4096,
    intermediate_size=14336,
    kv_heads=8,
    head_dim=128,
    vocab_size=128256,
    tied_embeddings=False,
    max_context=131072,
)
LLAMA_3_2_1B = Architecture(
    parameters=1_235_814_400,
    layers=16,
    hidden_size=2048,
    intermediate_size=8192,
    kv_heads=8,
    head_dim=64,
    vocab_size=128256,
    tied_embeddings=True,
    max_context=131072,
)
GEMMA_7B = Architecture(
    parameters=8_537_680_896,
    layers=28,
    hidden_size=3072,
    intermediate_size=24576,
    kv_heads=16,
    head_dim=256,
    vocab_size=256000,
    tied_embeddings=True,
    max_context=8192,
)

MODELS: dict[str, ModelCheckpoint] = {
    m.key: m
    for m in (
        ModelCheckpoint(
            key="llama-3.1-8b-instruct",
            hf_repo="meta-llama/Llama-3.1-8B-Instruct",
            served_name="meta-llama/Llama-3.1-8B-Instruct",
            arch=LLAMA_3_1_8B,
            weight_format=WeightFormat.BF16,
            gated=True,
        ),
        ModelCheckpoint(
            key="llama-3.1-8b-instruct-awq",
            hf_repo="hugging-quants/Meta-Llama-3.1-8B-Instruct-AWQ-INT4",
            served_name="meta-llama/Llama-3.1-8B-Instruct",
            arch=LLAMA_3_1_8B,
            weight_format=WeightFormat.AWQ,
            gated=True,
        ),
        ModelCheckpoint(
            key="llama-3.1-8b-instruct-gptq",
            hf_repo="hugging-quants/Meta-Llama-3.1-8B-Instruct-GPTQ-INT4",
            served_name="meta-llama/Llama-3.1-8B-Instruct",
            arch=LLAMA_3_1_8B,
            weight_format=WeightFormat.GPTQ,
            gated=True,
        ),
        ModelCheckpoint(
            key="llama-3.1-8b-instruct-q8_0-gguf",
            hf_repo="bartowski/Meta-Llama-3.1-8B-Instruct-GGUF",
            served_name="meta-llama/Llama-3.1-8B-Instruct",
            arch=LLAMA_3_1_8B,
            weight_format=WeightFormat.GGUF_Q8_0,
            gated=False,
            gguf_file="Meta-Llama-3.1-8B-Instruct-Q8_0.gguf",
        ),
        ModelCheckpoint(
            key="llama-3.2-1b-instruct",
            hf_repo="meta-llama/Llama-3.2-1B-Instruct",
            served_name="meta-llama/Llama-3.2-1B-Instruct",
            arch=LLAMA_3_2_1B,
            weight_format=WeightFormat.BF16,
            gated=True,
        ),
        ModelCheckpoint(
            key="gemma-7b-it",
            hf_repo="google/gemma-7b-it",
            served_name="google/gemma-7b-it",
            arch=GEMMA_7B,
            weight_format=WeightFormat.BF16,
            gated=True,
        ),
        ModelCheckpoint(
            key="gemma-7b-it-awq",
            hf_repo="casperhansen/gemma-7b-it-awq",
            served_name="google/gemma-7b-it",
            arch=GEMMA_7B,
            weight_format=WeightFormat.AWQ,
            gated=False,
        ),
    )
}
