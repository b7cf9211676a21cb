"""Which language a question is asked in, so the answer comes back in the same one."""

from __future__ import annotations

import re

_WORDS = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ']+")
_FRENCH = frozenset(
    "le la les un une des du de au aux et ou est sont qui que quoi quel quelle quels quelles "
    "pourquoi comment combien où ont a avec pour dans sur par ce cette ces il elle ils elles "
    "on nous vous leur leurs son sa ses pas ne plus été était fait dit entre selon après "
    "avant depuis qu'a qu'ont qu'est d'après l'on c'est".split()
)
_ENGLISH = frozenset(
    "the a an and or is are was were who what which why how when where whom whose did does do "
    "has have had with for in on at by of to from this that these those he she they it his her "
    "their not about said say after before between according".split()
)


def detect_language(text: str, default: str = "fr") -> str:
    """'fr' or 'en' by common-word counts and French diacritics; `default` when unclear."""
    lowered = text.lower().replace("’", "'")
    words = _WORDS.findall(lowered)
    fr = sum(w in _FRENCH or w.split("'")[0] in {"l", "d", "qu", "c", "n", "s", "j"} for w in words)
    en = sum(w in _ENGLISH for w in words)
    fr += 2 * len(re.findall(r"[àâçéèêëîïôùûœ]", lowered))
    if fr == en:
        return default
    return "fr" if fr > en else "en"
