"""Ingest while serving: `python -m ingest` from the shell and uploads in the Articles tab, while
questions are being answered. Answers keep coming, and the new articles are found afterwards
without a restart, by the keyword index and by the vectors (embedded Chroma does not see
another process's vectors unless the index reopens it on a new generation)."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from assistant import Assistant
from tests.conftest import ROOT
from tests.served import Conversation, Reply, ServedApp, app_env, copy_project, served_app
from tests.standin_ollama import REF, StandInOllama

pytestmark = pytest.mark.server

CLI_ARTICLE = """Lausanne : un accord sur l'eau potable signé avec Genève

Le 3 mars 2017, le maire de Lausanne, Pierre-Alain Dubochet, a annoncé la signature d'un accord \
sur l'eau potable avec la ville de Genève. L'accord prévoit une nouvelle conduite de 60 kilomètres \
entre le lac Léman et les réservoirs de la ville.

Selon Pierre-Alain Dubochet, les travaux commenceront en septembre 2017 et dureront deux ans.
"""
UPLOADED_ARTICLE = """Bordeaux : le tramway prolongé jusqu'à l'aéroport de Mérignac

La métropole de Bordeaux a inauguré le 12 avril 2017 le prolongement de la ligne A du tramway \
jusqu'à l'aéroport de Mérignac. Le trajet depuis le centre-ville prend désormais 35 minutes.

Selon la présidente de la métropole, Claudine Mérou, 8 000 voyageurs par jour sont attendus.
"""

FILLERS = 12
_TOPICS = ["la vigne", "le port", "la gare", "le musée", "l'école", "le marché"]


def filler(n: int) -> str:
    topic = _TOPICS[n % len(_TOPICS)]
    return (
        f"Chronique locale numéro {n} sur {topic}\n\n"
        f"Le conseil municipal a débattu pendant {n + 2} heures de l'avenir de {topic}. "
        f"Plusieurs élus demandent une étude avant le vote prévu en {2000 + n}.\n\n"
        f"Les habitants du quartier numéro {n} ont été invités à une réunion publique."
    )


def run_cli_ingest(project: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    env = app_env(project)
    return subprocess.run(
        [sys.executable, "-m", "ingest", "--quiet", *map(str, paths)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_live_index_sees_vectors_another_process_ingested(
    sample_assistant: Any, tmp_path: Path
) -> None:
    """The mechanism: the serving process's index, already queried, finds by vector an article
    that `python -m ingest` (another process) added, and keeps seeing the old ones."""
    assistant: Assistant = sample_assistant
    index = assistant.index
    before = index.vector_count()
    old_hit = index.collection.query(
        query_embeddings=[assistant.embedder.embed_query("John Kerry Syrie")], n_results=1
    )["ids"][0]
    article = assistant.settings.articles_dir / "lausanne.txt"
    article.write_text(CLI_ARTICLE, encoding="utf-8")
    done = run_cli_ingest(assistant.settings.root, article)
    assert done.returncode == 0, done.stderr

    new_ids = set(index.manifest.article(_article_id(assistant, "lausanne.txt")).chunk_ids)
    vector = assistant.embedder.embed_documents([CLI_ARTICLE.split("\n\n")[1]])[0]
    hit = index.collection.query(query_embeddings=[vector], n_results=1)["ids"][0]
    assert hit[0] in new_ids, "the new article's vectors are searchable without a restart"
    assert index.vector_count() == before + len(new_ids)
    again = index.collection.query(
        query_embeddings=[assistant.embedder.embed_query("John Kerry Syrie")], n_results=1
    )["ids"][0]
    assert again == old_hit
    passages = assistant.retrieve("accord sur l'eau potable entre Lausanne et Genève", k=3)
    top = passages[0]
    assert top.file == "lausanne.txt" and top.dense_score is not None
    assert top.keyword_score is not None


def _article_id(assistant: Assistant, file: str) -> str:
    return next(a.article_id for a in assistant.articles() if a.file == file)


def test_an_upload_waits_for_an_ingest_run_elsewhere(
    sample_assistant: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An upload arriving while `python -m ingest` holds the lock waits for it, then indexes;
    after LOCK_WAIT_S it gives up with the lock's message instead of hanging."""
    from assistant.index.articles import ingest_lock
    from assistant.web import articles as ui_module

    shelf = ui_module.ArticlesUI(sample_assistant)
    upload = tmp_path / "tramway.txt"
    upload.write_text(UPLOADED_ARTICLE, encoding="utf-8")

    def hold_lock(seconds: float) -> threading.Thread:
        taken = threading.Event()

        def hold() -> None:
            with ingest_lock(sample_assistant.settings.index_dir):
                taken.set()
                time.sleep(seconds)

        thread = threading.Thread(target=hold)
        thread.start()
        assert taken.wait(10)
        return thread

    monkeypatch.setattr(ui_module, "LOCK_WAIT_S", 1.0)
    holder = hold_lock(4)
    status = shelf.upload([str(upload)])
    holder.join()
    assert status.startswith("❌ Another ingest") and "Wait for it to finish" in status

    monkeypatch.setattr(ui_module, "LOCK_WAIT_S", 60.0)
    holder = hold_lock(3)
    started = time.monotonic()
    status = shelf.upload([str(upload)])
    holder.join()
    assert status == "✅ tramway.txt: indexed."
    assert time.monotonic() - started > 2, "it waited for the lock"
    assert any("tramway" in str(row) for row in shelf.rows())


# --- the served app ---------------------------------------------------------------------------


@pytest.fixture
def app(tmp_path: Path, sample_index: Path) -> Iterator[tuple[ServedApp, Path, StandInOllama]]:
    project = copy_project(sample_index, tmp_path / "project")
    with (
        StandInOllama() as standin,
        served_app(
            project,
            tmp_path / "app.log",
            llm__provider="ollama",
            llm__ollama_base_url=standin.url,
            llm__ollama_model="stand-in",
        ) as served,
    ):
        standin.piece_delay_s = 0.05
        yield served, project, standin


class AskingLoop:
    """Users asking question after question in threads until stopped; every reply is kept."""

    def __init__(self, url: str, users: int = 2) -> None:
        self.replies: list[tuple[str, Reply]] = []
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(url, n), daemon=True) for n in range(users)
        ]

    def _run(self, url: str, user: int) -> None:
        conversation = Conversation(url)
        n = 0
        while not self._stop.is_set():
            ref = f"K{user:02x}{n:06x}"
            conversation.history = []
            reply = conversation.ask(f"(réf. {ref}) Que menace de faire John Kerry en Syrie ?")
            self.replies.append((ref, reply))
            n += 1
        conversation.close()

    def __enter__(self) -> AskingLoop:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)


def start_cli_ingest(project: Path, folder: Path) -> subprocess.Popen[str]:
    """`python -m ingest FOLDER`, returned once it holds the ingest lock."""
    cli = subprocess.Popen(
        [sys.executable, "-m", "ingest", "--quiet", str(folder)],
        cwd=ROOT,
        env=app_env(project),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lock_file = project / "data" / "index" / "ingest.lock"
    deadline = time.monotonic() + 300
    while f"pid {cli.pid}" not in lock_file.read_text() and cli.poll() is None:
        assert time.monotonic() < deadline, "the CLI ingest never took the lock"
        time.sleep(0.2)
    return cli


def finish(cli: subprocess.Popen[str]) -> None:
    output, _ = cli.communicate(timeout=600)
    assert cli.returncode == 0, output


def best_passage_title(reply: Reply) -> str:
    first = re.search(r'id="source-1">.*?<strong>(.*?)</strong>', reply.sources)
    return first[1] if first else ""


def test_cli_ingest_and_upload_while_answering(
    app: tuple[ServedApp, Path, StandInOllama], tmp_path: Path
) -> None:
    from gradio_client import handle_file

    served, project, _standin = app
    articles = project / "data" / "articles"
    for batch in ("batch1", "batch2"):  # fillers: each CLI run holds the lock for a while
        (articles / batch).mkdir()
        for n in range(FILLERS // 2):
            path = articles / batch / f"filler{n:02d}.txt"
            path.write_text(filler(n + (FILLERS // 2 if batch == "batch2" else 0)))
    (articles / "batch1" / "lausanne.txt").write_text(CLI_ARTICLE, encoding="utf-8")
    upload = tmp_path / "tramway bordeaux.txt"
    upload.write_text(UPLOADED_ARTICLE, encoding="utf-8")
    asker = Conversation(served.url)

    with AskingLoop(served.url) as loop:
        time.sleep(2)
        finish(start_cli_ingest(project, articles / "batch1"))
        # Seen without a restart, and by its vectors: this English question shares no word
        # with the French article, and the best older passage is below the refusal threshold.
        # (Asked before the app writes anything itself, which would also refresh its view.)
        reply = asker.ask("(ref. K1a1a1a1a) Which Swiss city signed a drinking water deal?")
        assert "K1a1a1a1a" in reply.text and "Lausanne" in best_passage_title(reply), reply

        # an upload while another CLI run holds the lock waits for it instead of failing
        cli = start_cli_ingest(project, articles / "batch2")
        status, _table, _filter, _pick = asker.client.predict(
            [handle_file(upload)], "", api_name="/upload"
        )
        finish(cli)
        assert "tramway bordeaux.txt: indexed" in status, status
        asker.history = []
        reply = asker.ask("(réf. K2b2b2b2b) Jusqu'où le tramway de Bordeaux est-il prolongé ?")
        assert "K2b2b2b2b" in reply.text and "Bordeaux" in best_passage_title(reply), reply
        time.sleep(2)  # a few more answers after both ingests
    asker.close()

    assert len(loop.replies) >= 4, "questions were answered during the ingests"
    for ref, reply in loop.replies:
        assert reply.error == "" and "⚠️" not in reply.text, reply.text
        assert set(REF.findall(reply.text)) == {ref}, reply.text

    # one index, consistent: as many vectors as chunks, every article in it
    stats = subprocess.run(
        [sys.executable, "-m", "assistant", "stats"],
        cwd=ROOT,
        env=app_env(project),
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    head = stats.splitlines()[0]
    chunks, vectors = (int(head.split(", ")[i].split()[0]) for i in (1, 2))
    assert chunks == vectors and f"{5 + FILLERS + 2} articles" in head, stats
    assert "lausanne.txt" in stats and "tramway bordeaux.txt" in stats
