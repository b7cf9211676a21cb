"""Make untrusted text (article passages, questions, conversation history) inert in a prompt.

llama-cpp-python renders the chat template to one string and tokenizes it with special tokens
parsed (`special=True`), so an article that contains `<|im_end|><|im_start|>system` would open
a real system turn in the model's eyes; Ollama's templates behave the same way. Chat-template
control sequences in untrusted text are therefore rewritten to look-alikes that tokenize as
ordinary text and still read the same to a person.
"""

from __future__ import annotations

import re

__all__ = ["neutralise_control_tokens", "printable"]

# <|im_start|>, <|eot_id|>, <|endoftext|>… (Qwen, Llama 3, Phi, GPT), Gemma's turn markers,
# Llama 2 / Mistral [INST] and <<SYS>> markers, and the BOS/EOS tags some templates print.
_CONTROL_TOKEN = re.compile(
    r"<\|\s*([^<>|\n]{0,64}?)\s*\|>"
    r"|<(/?)(start_of_turn|end_of_turn|s|SYS)>"
    r"|\[(/?)(INST|SYS)\]"
    r"|<<(/?)SYS>>",
    re.IGNORECASE,
)


def _replace(match: re.Match[str]) -> str:
    if match.group(1) is not None:
        return f"‹{match.group(1)}›"
    if match.group(3):
        return f"‹{match.group(2)}{match.group(3)}›"
    if match.group(5):
        return f"({match.group(4)}{match.group(5)})"
    return f"«{match.group(6)}SYS»"


def neutralise_control_tokens(text: str) -> str:
    """`text` with chat-template control sequences replaced by inert look-alikes."""
    return _CONTROL_TOKEN.sub(_replace, text)


def printable(name: str) -> str:
    """A file name safe to show on one line: undecodable bytes and control characters escaped."""
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in name)
