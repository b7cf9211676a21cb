"""HTML for the web chat's sources panel and articles list. Article text, titles and file names
are untrusted: every piece of them goes through `html.escape` here, and nowhere else builds HTML."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from assistant.schema import Citation, Passage

_CONTEXT_CHARS = 600


def _paragraph_bounds(article: str, start: int, end: int) -> tuple[int, int]:
    """The paragraphs just before and after a passage, so the cited span is seen in context."""
    before, after = article.rfind("\n\n", 0, start), article.find("\n\n", end)
    left = article.rfind("\n\n", 0, max(before, 0))
    right = article.find("\n\n", after + 2) if after >= 0 else -1
    left = 0 if left < 0 else left + 2
    right = len(article) if right < 0 else right
    return max(left, start - _CONTEXT_CHARS), min(right, end + _CONTEXT_CHARS)


def highlighted(article: str, start: int, end: int, whole: bool = False) -> str:
    """Escaped text with the passage in <mark>; the surrounding paragraph, or the whole article."""
    a, b = (0, len(article)) if whole else _paragraph_bounds(article, start, end)
    before, span, after = article[a:start], article[start:end], article[end:b]
    return f"{escape(before)}<mark>{escape(span)}</mark>{escape(after)}"


def passage_card(number: int, passage: Passage, article: str | None, cited: bool) -> str:
    stated = [passage.published or "date unknown", passage.author, passage.site, passage.file]
    about = " · ".join(escape(part) for part in stated if part)
    added = " · the article's opening, added for context" if passage.opening else ""
    head = (
        f'<div class="src-head"><span class="src-num">[{number}]</span> '
        f"<strong>{escape(passage.title)}</strong><br><small>{about} · "
        f"characters {passage.start}–{passage.end}{added}</small></div>"
    )
    if article is None or article[passage.start : passage.end] != passage.text:
        body = f"<p><mark>{escape(passage.text)}</mark></p>"
        whole = ""
    else:
        body = f'<p class="src-text">{highlighted(article, passage.start, passage.end)}</p>'
        whole = (
            "<details><summary>Open the whole article</summary>"
            f'<div class="src-article">{highlighted(article, passage.start, passage.end, True)}'
            "</div></details>"
        )
    css = "src cited" if cited else "src"
    return f'<div class="{css}" id="source-{number}">{head}{body}{whole}</div>'


def sources_html(
    passages: Sequence[Passage],
    citations: Sequence[Citation] | None,
    article_text: dict[str, str | None],
) -> str:
    """Before the answer: every passage given to the model. After: the cited ones, in citation
    order, then the others folded away."""
    if not passages:
        return '<p class="src-empty">No passage was relevant enough to answer from.</p>'
    numbered = {p.chunk_id: n for n, p in enumerate(passages, start=1)}
    if citations is None:
        cards = [
            passage_card(n, p, article_text.get(p.article_id), False)
            for n, p in enumerate(passages, start=1)
        ]
        return '<div class="sources"><h4>Passages found</h4>' + "".join(cards) + "</div>"
    cited_ids = {c.passage.chunk_id for c in citations}
    cards = [
        passage_card(c.number, c.passage, article_text.get(c.passage.article_id), True)
        for c in citations
    ]
    others = [
        passage_card(numbered[p.chunk_id], p, article_text.get(p.article_id), False)
        for p in passages
        if p.chunk_id not in cited_ids
    ]
    html = '<div class="sources"><h4>Sources cited</h4>' + ("".join(cards) or "<p>None.</p>")
    if others:
        html += "<details><summary>Other passages given to the model</summary>"
        html += "".join(others) + "</details>"
    return html + "</div>"


CSS = """
.src { border: 1px solid #ddd; border-radius: 6px; padding: 8px; margin: 6px 0; }
.src.cited { border-color: #d4a017; }
.src-num { font-weight: bold; color: #b8860b; }
.src-text, .src-article { white-space: pre-wrap; font-size: 0.92em; }
.src mark { background: #fff3a0; }
"""
