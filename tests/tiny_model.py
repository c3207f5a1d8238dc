"""A tiny Llama-architecture GGUF model, written with llama.cpp's `gguf` package, so a real
llama.cpp engine can serve it in a test: random weights, a SentencePiece vocabulary of the load
client's prompt words plus byte fallback, and an LM head that only ever picks a word.

Every logit depends on the first hidden dimension alone (the output norm keeps only that one),
which the embeddings hold near a constant: word tokens get positive logits, control and byte
tokens large negative ones, so generation never ends early with an end-of-sequence token and
always streams whole words. The test can then ask for N output tokens and get N.
"""

from pathlib import Path

import gguf
import numpy as np

from components.loadtest.client import WORDS

EMBEDDING = 64
LAYERS = 2
HEADS = 4
KV_HEADS = 2
FEED_FORWARD = 128
CONTEXT = 4096
_UNKNOWN, _BOS, _EOS = 0, 1, 2
_SPECIALS = ["<unk>", "<s>", "</s>"]
_CHAT_TEMPLATE = (
    "{% for message in messages %}<s>{{ message['role'] }}: {{ message['content'] }}\n"
    "{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}"
)


def _vocabulary() -> tuple[list[str], list[float], list[int]]:
    words = sorted(set(WORDS))
    tokens = _SPECIALS + [f"<0x{b:02X}>" for b in range(256)] + [f"\u2581{w}" for w in words]
    types = (
        [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
        + [gguf.TokenType.BYTE] * 256
        + [gguf.TokenType.NORMAL] * len(words)
    )
    scores = [0.0] * (len(_SPECIALS) + 256) + [-float(i) for i in range(len(words))]
    return tokens, scores, [int(t) for t in types]


def write_tiny_llama(path: Path, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    tokens, scores, types = _vocabulary()
    vocab = len(tokens)
    head_dim = EMBEDDING // HEADS
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("tiny-llama-test")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(EMBEDDING)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FEED_FORWARD)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_rope_dimension_count(head_dim)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_unk_token_id(_UNKNOWN)
    writer.add_bos_token_id(_BOS)
    writer.add_eos_token_id(_EOS)
    writer.add_add_bos_token(True)
    writer.add_chat_template(_CHAT_TEMPLATE)

    def small(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    embeddings = small(vocab, EMBEDDING)
    embeddings[:, 0] = 4.0  # the residual stream's first dimension stays near 4
    writer.add_tensor("token_embd.weight", embeddings)
    head = np.zeros((vocab, EMBEDDING), dtype=np.float32)
    head[:, 0] = -5.0
    head[len(_SPECIALS) + 256 :, 0] = rng.uniform(0.5, 1.0, vocab - len(_SPECIALS) - 256)
    writer.add_tensor("output.weight", head)
    only_first = np.zeros(EMBEDDING, dtype=np.float32)
    only_first[0] = 1.0
    writer.add_tensor("output_norm.weight", only_first)
    kv = KV_HEADS * head_dim
    for layer in range(LAYERS):
        block = f"blk.{layer}"
        writer.add_tensor(f"{block}.attn_norm.weight", np.ones(EMBEDDING, dtype=np.float32))
        writer.add_tensor(f"{block}.attn_q.weight", small(EMBEDDING, EMBEDDING))
        writer.add_tensor(f"{block}.attn_k.weight", small(kv, EMBEDDING))
        writer.add_tensor(f"{block}.attn_v.weight", small(kv, EMBEDDING))
        writer.add_tensor(f"{block}.attn_output.weight", small(EMBEDDING, EMBEDDING))
        writer.add_tensor(f"{block}.ffn_norm.weight", np.ones(EMBEDDING, dtype=np.float32))
        writer.add_tensor(f"{block}.ffn_gate.weight", small(FEED_FORWARD, EMBEDDING))
        writer.add_tensor(f"{block}.ffn_up.weight", small(FEED_FORWARD, EMBEDDING))
        writer.add_tensor(f"{block}.ffn_down.weight", small(EMBEDDING, FEED_FORWARD))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
