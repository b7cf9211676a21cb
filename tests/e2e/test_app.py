"""The web chat end to end: the real app on a free local port, the real default LLM, driven by
`gradio_client` and by Debian's Chromium through Playwright. Screenshots go to tests/output/."""

from __future__ import annotations

import html
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant.settings import load_settings
from tests.conftest import MODEL, ROOT, dev_cases
from tests.served import message_text, serve

pytestmark = [pytest.mark.llm, pytest.mark.server]

OUTPUT = ROOT / "tests" / "output"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CASES = {c["id"]: c for c in dev_cases()}
NEW_ARTICLE = """---
title: "Lausanne : un accord sur l'eau potable signé avec Genève"
date: 2017-03-04
---

Le 3 mars 2017, le maire de Lausanne, Pierre-Alain Dubochet, a annoncé la signature d'un accord \
sur l'eau potable avec la ville de Genève. <script>window.__pwned = 1</script> \
<img src=x onerror="window.__pwned = 2"> L'accord prévoit une nouvelle conduite de 60 kilomètres.

Selon Pierre-Alain Dubochet, les travaux commenceront en septembre 2017 et dureront deux ans.
"""


def project_copy(tmp_path_factory: pytest.TempPathFactory, sample_index: Path) -> Any:
    root = tmp_path_factory.mktemp("app") / "project"
    shutil.copytree(sample_index, root)
    settings = load_settings(config_file=root / "none.toml", environ={}, root=root)
    settings.paths.models_dir = MODEL.parent
    return settings


@pytest.fixture(scope="module")
def app(
    tmp_path_factory: pytest.TempPathFactory, sample_index: Path, embedder: Any
) -> Iterator[Any]:
    """The app with the real default LLM."""
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: `make test` provisions it first")
    from assistant import Assistant
    from ingest.pipeline import run_ingest

    assistant = Assistant(
        project_copy(tmp_path_factory, sample_index), embedder=embedder, ingester=run_ingest
    )
    demo, url = serve(assistant)
    try:
        yield assistant, url
    finally:
        demo.close()


def test_gradio_client_gets_the_same_answer_as_ask(
    tmp_path_factory: pytest.TempPathFactory, sample_index: Path, embedder: Any
) -> None:
    """The chat endpoint runs the same path as `ask()`: retrieval, prompt, citation checks.

    A fake LLM with a fixed reply keeps the comparison exact (llama.cpp's prefix cache makes
    repeated greedy runs differ in rare tokens)."""
    from gradio_client import Client

    from assistant import Assistant
    from assistant.web.chat import ChatUI
    from tests.fakes import RecordingChat

    reply = (
        "Les États-Unis envisagent de suspendre leur collaboration à cause d'Alep [1]. Voir [27]."
    )
    assistant = Assistant(
        project_copy(tmp_path_factory, sample_index),
        llm=RecordingChat([reply, reply]),
        embedder=embedder,
    )
    demo, url = serve(assistant)
    try:
        question = CASES["d02"]["question"]
        chat, sources, _note = Client(url, verbose=False).predict(
            question, [], [], "", "", api_name="/chat"
        )
        expected = assistant.ask(question)
    finally:
        demo.close()
    assert expected.citations and "[27]" not in expected.text
    assert message_text(chat[-1]) == html.unescape(ChatUI._final_text(expected))
    assert "Sources cited" in sources
    for citation in expected.citations:
        assert f">[{citation.number}]<" in sources


def numbers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\[(\d+)\]", text)}


def test_browser_conversation_upload_and_escaping(app: Any) -> None:
    from playwright.sync_api import sync_playwright

    _assistant, url = app
    OUTPUT.mkdir(parents=True, exist_ok=True)
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url)

        bots = "document.querySelectorAll(\"#chat [data-testid='bot']\").length"

        def ask(question: str) -> str:
            before = page.evaluate(bots)
            page.fill("#question textarea", question)
            page.click("#ask")
            page.wait_for_function(f"() => {bots} > {before}", timeout=60_000)
            page.wait_for_selector("#sources .src", timeout=120_000)
            headline = page.inner_text("#sources h4")
            page.wait_for_function(
                "() => (document.querySelector('#sources h4')?.textContent || '')"
                ".includes('cited') || (document.querySelector('#sources')?.textContent || '')"
                ".includes('No passage')",
                timeout=240_000,
            )
            return headline

        # 1. A French question from the dev set: sources first, then an answer citing them.
        headline = ask(CASES["d01"]["question"])
        assert headline == "Passages found", "passages are shown before the answer is complete"
        page.screenshot(path=str(OUTPUT / "01-answer-with-sources.png"), full_page=True)
        answer = page.locator("#chat [data-testid='bot']").last.inner_text()
        cited = {
            int(t.strip("[]"))
            for t in page.locator("#sources .src.cited .src-num").all_inner_texts()
        }
        assert numbers(answer) and numbers(answer) == cited, (answer, cited)

        # 2. A follow-up uses the conversation.
        ask("Et qu'a répondu Moscou ?")
        assert "Searched for" in page.inner_text("#note")
        page.screenshot(path=str(OUTPUT / "02-follow-up.png"), full_page=True)

        # 3. A question typed while an answer is being written stays in the box, to be sent.
        page.fill("#question textarea", "Qui est John Kirby ?")
        page.click("#ask")
        page.wait_for_function("() => document.querySelector('#sources h4') === null")
        page.fill("#question textarea", "Qui est Sergueï Lavrov ?")
        page.press("#question textarea", "Enter")  # not taken: an answer is being written
        page.wait_for_function(
            "() => (document.querySelector('#sources h4')?.textContent || '').includes('cited')"
            " || (document.querySelector('#sources')?.textContent || '').includes('No passage')",
            timeout=240_000,
        )
        page.wait_for_timeout(1000)  # the box's update after the answer
        assert page.input_value("#question textarea") == "Qui est Sergueï Lavrov ?"
        ask("Qui est Sergueï Lavrov ?")
        assert "Lavrov" in page.locator("#chat [data-testid='user']").last.inner_text()

        # 4. Upload a new article (with hostile HTML), then get an answer citing it.
        upload = OUTPUT / "lausanne eau potable.txt"
        upload.write_text(NEW_ARTICLE, encoding="utf-8")
        page.get_by_role("tab", name="Articles").click()
        page.set_input_files("#upload input[type=file]", str(upload))
        page.wait_for_timeout(1000)
        page.click("#add")
        page.wait_for_function(
            "() => (document.querySelector('#upload-status')?.textContent || '')"
            ".includes('indexed')",
            timeout=120_000,
        )
        assert "Lausanne" in page.inner_text("#articles-table")
        page.screenshot(path=str(OUTPUT / "03-upload.png"), full_page=True)
        page.get_by_role("tab", name="Chat").click()
        page.click("#clear")
        page.wait_for_function(f"() => {bots} == 0", timeout=30_000)
        ask("Qu'a annoncé Pierre-Alain Dubochet, le maire de Lausanne ?")
        titles = page.locator("#sources .src.cited strong").all_inner_texts()
        assert any("Lausanne" in t for t in titles), titles
        sources_text = page.inner_text("#sources")
        assert "<script>window.__pwned = 1</script>" in sources_text, "markup shows as text"
        assert page.locator("#sources script, #sources img").count() == 0
        time.sleep(0.5)
        assert page.evaluate("window.__pwned") is None and dialogs == []
        page.screenshot(path=str(OUTPUT / "04-uploaded-article-cited.png"), full_page=True)

        # 5. A period of publication is searched alone, with a button to lift it; Clear hides it.
        ask("Quels articles publiés en mars 2017 parlent de l'eau potable ?")
        assert "mars 2017" in page.inner_text("#note")
        page.wait_for_selector("#all-dates", state="visible", timeout=10_000)
        page.click("#clear")
        page.wait_for_function(f"() => {bots} == 0", timeout=30_000)
        page.wait_for_selector("#all-dates", state="hidden", timeout=10_000)
        browser.close()
