"""Which language a text is written in: a question is answered in its own, and the articles'
language decides whether a question is translated before it is searched.

py3langid (the maintained port of langid.py, a naive Bayes model over byte n-grams that ships
in the package) identifies the language among `LANGUAGES`, the common languages of news
writing; restricting it keeps "Who is Sergei Lavrov?" from reading as Afrikaans. A short text
made mostly of names ("Qui est Victor Poznikhir ?", "Et Moscou ?") gets a low probability from
any identifier: then the function words of the languages that have a word list here decide,
and `default` when they do not.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from functools import cache
from typing import Any

# ISO 639-1 code -> English name, for the prompt ("Answer in German").
LANGUAGES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "sv": "Swedish", "da": "Danish", "no": "Norwegian",
    "fi": "Finnish", "pl": "Polish", "cs": "Czech", "ro": "Romanian", "hu": "Hungarian",
    "el": "Greek", "tr": "Turkish", "ru": "Russian", "uk": "Ukrainian", "ar": "Arabic",
    "he": "Hebrew", "fa": "Persian", "hi": "Hindi", "zh": "Chinese", "ja": "Japanese",
    "ko": "Korean", "vi": "Vietnamese", "id": "Indonesian", "ca": "Catalan",
}  # fmt: skip
MIN_PROBABILITY = 0.5  # below it, the identifier is guessing (see the module docstring)

_WORDS = re.compile(r"[a-zàâäçéèêëîïôöùûüÿœæ']+")
_FUNCTION_WORDS = {
    "fr": frozenset(
        "le la les un une des du de au aux et ou est sont qui que quoi quel quelle quels "
        "quelles pourquoi comment combien où ont a avec pour dans sur par ce cette ces il elle "
        "ils elles on nous vous leur leurs son sa ses pas ne plus été était fait dit entre "
        "selon après avant depuis qu'a qu'ont qu'est d'après l'on c'est".split()
    ),
    "en": frozenset(
        "the a an and or is are was were who what which why how when where whom whose did "
        "does do has have had with for in on at by of to from this that these those he she "
        "they it his her their not about said say after before between according".split()
    ),
}
_FRENCH_ELISIONS = {"l", "d", "qu", "c", "n", "s", "j"}
_lock = threading.Lock()


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def identify(text: str) -> tuple[str, float]:
    """(language code, probability) from the identifier alone."""
    with _lock:  # the identifier keeps state between calls
        code, probability = _identifier().classify(text)
    return str(code), float(probability)


def by_function_words(text: str) -> str | None:
    """The language whose function words (and, for French, elisions and accents) the text
    uses most, among those with a word list; None on a tie."""
    lowered = text.lower().replace("’", "'")
    words = _WORDS.findall(lowered)
    fr = sum(w in _FUNCTION_WORDS["fr"] or w.split("'")[0] in _FRENCH_ELISIONS for w in words)
    fr += 2 * len(re.findall(r"[àâçéèêëîïôùûœ]", lowered))
    en = sum(w in _FUNCTION_WORDS["en"] for w in words)
    if fr == en:
        return None
    return "fr" if fr > en else "en"


def detect_language(text: str, default: str = "fr") -> str:
    """The ISO 639-1 code of the language `text` is written in; `default` when unclear."""
    if not text.strip():
        return default
    code, probability = identify(text)
    if probability >= MIN_PROBABILITY:
        return code
    return by_function_words(text) or default


def majority_language(texts: Iterable[str], default: str = "en") -> str:
    """The language most of `texts` are written in (each judged on its first 2,000
    characters); `default` for none."""
    votes = Counter(detect_language(t[:2000], default="") for t in texts if t.strip())
    votes.pop("", None)
    return votes.most_common(1)[0][0] if votes else default


def language_name(code: str) -> str:
    return LANGUAGES.get(code, "the language of the question")
