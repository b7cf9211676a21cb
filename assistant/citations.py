"""Check the `[n]` markers of a generated answer against the passages actually given.

Unknown numbers are removed, never shifted to a neighbour: a wrong citation is worse than none.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_MARKER = re.compile(r"\[\s*(\d+(?:\s*[,;]\s*\d+)*)\s*\]")
_SPACE_BEFORE_PUNCT = re.compile(r"[ \t]+([.,;:!?)])")
_MULTI_SPACE = re.compile(r"[ \t]{2,}")


@dataclass(frozen=True)
class CheckedText:
    text: str  # the answer with only valid markers left, each as [n]
    numbers: list[int]  # valid cited numbers, in order of first appearance
    removed: list[int]  # numbers that pointed to no passage


def check_markers(text: str, n_passages: int) -> CheckedText:
    numbers: list[int] = []
    removed: list[int] = []

    def replace(match: re.Match[str]) -> str:
        kept = []
        for raw in re.split(r"\s*[,;]\s*", match.group(1)):
            n = int(raw)
            if 1 <= n <= n_passages:
                kept.append(n)
                if n not in numbers:
                    numbers.append(n)
            else:
                removed.append(n)
        return "".join(f"[{n}]" for n in dict.fromkeys(kept))

    checked = _MARKER.sub(replace, text)
    if removed:
        checked = _MULTI_SPACE.sub(" ", _SPACE_BEFORE_PUNCT.sub(r"\1", checked))
    return CheckedText(checked.strip(), numbers, removed)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold().replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w' ]+", " ", text).split())


def is_refusal(text: str, refusals: list[str]) -> bool:
    """The model said the passages do not contain the answer (in any supported language),
    and said little else: at most a few words around the refusal sentence."""
    folded = _fold(_MARKER.sub(" ", text))
    for refusal in (_fold(r) for r in refusals if r.strip()):
        if refusal in folded:
            rest = folded.replace(refusal, " ")
            return len(rest.split()) <= 6
    return False


def has_claims(text: str) -> bool:
    """Some words beyond citation markers and punctuation."""
    return bool(re.search(r"\w{2,}", _MARKER.sub(" ", text)))
