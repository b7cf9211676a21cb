"""Answering: follow-ups, evidence, the prompt, generation and the checks on the answer."""
