"""The local models: the LLM and embedder factories, the model check, provisioning."""
