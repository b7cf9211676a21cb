"""Corpora and queries for the benchmarks, all derived from the sample articles, seeded.

- `copy_with_edits`: a larger folder made of the samples, each copy with small edits, so an
  ingest takes long enough to time (the copies are different articles to the index).
- `synthetic_articles`: French-like articles whose words are drawn from the samples' own
  vocabulary with the samples' word frequencies, for the scale index.
- `queries`: questions in the style of the dev set, built from the samples' sentences.
"""

from __future__ import annotations

import random
import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_QUESTION_FORMS = (
    "Que disent les articles sur {} ?",
    "Qu'est-ce qui est dit à propos de {} ?",
    "Pourquoi parle-t-on de {} ?",
    "Qui est concerné par {} ?",
    "What happened with {}?",
)


def sample_files(folder: Path) -> list[Path]:
    return sorted(p for p in Path(folder).iterdir() if p.suffix in {".txt", ".md", ".html"})


def copy_with_edits(samples: Path, out: Path, n_articles: int, seed: int = 0) -> list[Path]:
    """`n_articles` files in `out`: the samples in turn, each copy with its title (first long
    line) numbered, one word swapped for another of the same article and a closing paragraph
    of its own."""
    rng = random.Random(seed)
    sources = sample_files(samples)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = []
    for i in range(n_articles):
        source = sources[i % len(sources)]
        text = source.read_text(encoding="utf-8")
        words = sorted(set(_WORD.findall(text)), key=str.casefold)
        old, new = rng.sample([w for w in words if len(w) > 6], 2)
        lines = text.split("\n")
        title = next(n for n, line in enumerate(lines) if len(line.strip()) > 40)
        lines[title] = f"{lines[title].rstrip()} ({i + 1})"
        text = "\n".join(lines).replace(old, new, 1)
        text += (
            f"\n\nCet article a été repris dans l'édition numéro {i + 1} de la revue de presse.\n"
        )
        path = out / f"{i:04d}_{source.stem}{source.suffix}"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def edit_article(path: Path) -> None:
    """A small edit a journalist would make: one paragraph added at the end."""
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.rstrip() + "\n\nMise à jour : les discussions doivent reprendre la semaine "
        "prochaine à Genève, selon un porte-parole.\n",
        encoding="utf-8",
    )


class Vocabulary:
    """The samples' words with their frequencies, to write French-like text from."""

    def __init__(self, samples: Path) -> None:
        counts: Counter[str] = Counter()
        self.sentences: list[str] = []
        for path in sample_files(samples):
            text = path.read_text(encoding="utf-8")
            counts.update(_WORD.findall(text))
            self.sentences += [
                s.strip() for s in _SENTENCE.split(text) if 8 <= len(s.split()) <= 40
            ]
        self.words = list(counts)
        self.weights = [counts[w] for w in self.words]
        self.names = [w for w in self.words if w[0].isupper() and len(w) > 3]

    def sentence(self, rng: random.Random) -> str:
        words = rng.choices(self.words, self.weights, k=rng.randint(8, 26))
        return words[0][:1].upper() + " ".join(words)[1:] + "."

    def paragraph(self, rng: random.Random) -> str:
        return " ".join(self.sentence(rng) for _ in range(rng.randint(2, 5)))


def synthetic_articles(vocab: Vocabulary, seed: int) -> Iterator[tuple[str, str]]:
    """Endless (file name, text) pairs: a title line, then 4 to 14 paragraphs."""
    rng = random.Random(seed)
    n = 0
    while True:
        title = " ".join(rng.choices(vocab.words, vocab.weights, k=rng.randint(6, 11)))
        title = f"{rng.choice(vocab.names)} : {title}"
        paragraphs = [vocab.paragraph(rng) for _ in range(rng.randint(4, 14))]
        yield f"synthetic/{n:07d}.txt", title + "\n\n" + "\n\n".join(paragraphs) + "\n"
        n += 1


def queries(vocab: Vocabulary, n: int, seed: int, fixed: list[str] | None = None) -> list[str]:
    """`n` questions: the `fixed` ones first, then questions about a 3-6 word span of a real
    sample sentence (so every query has real matches and varied wording)."""
    rng = random.Random(seed)
    out = list(fixed or [])[:n]
    while len(out) < n:
        words = rng.choice(vocab.sentences).rstrip(".!?»").split()
        size = rng.randint(3, 6)
        start = rng.randint(0, max(len(words) - size, 0))
        out.append(rng.choice(_QUESTION_FORMS).format(" ".join(words[start : start + size])))
    return out
