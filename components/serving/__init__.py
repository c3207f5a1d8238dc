"""Model servers (vLLM, TGI, llama.cpp): what fits, which flags, and the Kubernetes objects."""
