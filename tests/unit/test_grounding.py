"""Names in a question must be in the passages found, numbers in an answer must come from what
the model read (assistant/answer/grounding.py)."""

from __future__ import annotations

import pytest

from assistant.answer.followup import resolve_follow_up
from assistant.answer.grounding import (
    drop_unsupported,
    missing_names,
    missing_numbers,
    missing_people,
    stated_numbers,
)
from assistant.text.names import asks_who, capitalised

PASSAGES = [
    "Le président russe Vladimir Poutine a parlé avec Angela Merkel de la Syrie.",
    "Sergueï Choïgou, ministre russe de la Défense, était à Moscou. Combats à Alep.",
]


def test_names_are_the_capitalised_words_after_the_first() -> None:
    assert capitalised("Qu'a dit Barack Obama sur la Syrie ?") == ["Barack", "Obama", "Syrie"]
    assert capitalised("Quel rôle pour l'Iran et l'ONU ?") == ["Iran", "ONU"]
    assert "K0a1b2c3d" not in capitalised("Voir (réf. K0a1b2c3d) Kerry")  # codes are not names
    assert (
        list(missing_names("Pourquoi l'ONU et les US hésitent-ils ?", PASSAGES)) == []
    )  # too short


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Qui est Sergueï Choïgou ?", True),
        ("Who is John Kirby?", True),
        ("who's Chris Bambery", True),
        ("Qui était Bachar el-Assad ?", True),
        ("Qui est Staffan de Mistura ?", True),
        ("Who is Ursula von der Leyen?", True),
        ("Qui est M. Kirby ?", True),
        ("Who is John F. Kennedy?", True),
        ("Qui est Valéry Giscard d'Estaing ?", True),
        ("Qui est Vladimir Poutine ?!", True),
        ("Et qui John Kerry est-il ?", True),  # how "Et qui est-il ?" is made standalone
        ("Qui est Jean-Yves Le Drian ?", True),
        ("Who is Kerry Talking To?", False),  # title case
        ("Who is The Guardian?", False),
        ("Qui est Le Monde ?", False),
        ("Who is Kirby? And Lavrov?", False),
        ("Qui est le ministre russe ?", False),  # asks for a name, not for a role
        ("Who is negotiating with Russia?", False),
        ("Who is Putin's spokesman?", False),
        ("Qui est l'ONU ?", False),
        ("Qui est-il ?", False),
        ("Qui sont Kerry et Lavrov ?", False),
        ("Qui est Kerry et que veut-il ?", False),
        ("Qu'a dit John Kirby ?", False),
    ],
)
def test_who_is_questions_about_a_name(question: str, expected: bool) -> None:
    assert asks_who(question) is expected


def test_a_who_is_follow_up_made_standalone_is_still_one() -> None:
    resolved = resolve_follow_up(
        "Qui est-il ?", "Que fait John Kerry à Genève ?", "John Kerry négocie une trêve."
    )
    assert resolved is not None and "Kerry" in resolved and asks_who(resolved)


@pytest.mark.parametrize(
    "question",
    [
        "Qu'a dit Vladimir Poutine à Angela Merkel ?",
        "What did Putin tell Merkel about Syria?",  # other spellings of the same names
        "Who is Sergei Shoigu?",
        "What happened in Moscow and Aleppo?",
        "Quel est le prix du pétrole ?",  # no names at all: left to the other checks
    ],
)
def test_names_the_passages_mention_are_not_missing(question: str) -> None:
    assert list(missing_names(question, PASSAGES)) == []


def test_names_no_passage_mentions_are_missing() -> None:
    assert list(missing_names("Qu'a dit Barack Obama sur la Syrie ?", PASSAGES)) == [
        "Barack",
        "Obama",
    ]
    assert list(missing_names("Que pense Erdogan des combats à Alep ?", PASSAGES)) == ["Erdogan"]


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("What did Barack Obama say about the ceasefire?", ["Barack Obama"]),
        ("Did President Erdogan talk to Vladimir Putin?", ["President Erdogan"]),
        ("What did Vladimir Putin tell Angela Merkel?", []),  # other spellings
        ("Who is Sergei Shoigu?", []),
        ("Which Swiss city did the Secretary of State visit?", []),  # lone capitalised words
        ("What did the White House say about Aleppo?", []),  # after an article: not a person
        ("(ref. K1a1a1a1a) What did Obama say?", []),  # codes and lone names: not checked
        ("Was Angela Merkel's call about Syria?", []),  # a possessive
        ("What did Russian President Vladimir Putin say?", []),  # titles are translated
        ("What did Russian Defence Minister Sergei Shoigu say?", []),
        ("Why did White House officials criticise Moscow?", []),  # a body, not a person
        ("Does Turkey support Free Syrian Army?", []),
        ("What did Sergei Lavrov say?", ["Sergei Lavrov"]),
        ("What did Recep Tayyip Erdogan's adviser say?", ["Recep Tayyip Erdogan's"]),
    ],
)
def test_english_questions_are_checked_for_full_names_only(
    question: str, missing: list[str]
) -> None:
    assert list(missing_people(question, PASSAGES)) == missing


def test_numbers_ignore_separators_markers_and_leading_zeros() -> None:
    assert stated_numbers("20.000 soldats, 2,000 soldiers, 20 000 hommes [3]") == {"20000", "2000"}
    assert stated_numbers("peu avant minuit (21H00 GMT), le 09/10") == {"21", "0", "9", "10"}
    assert stated_numbers("3,5 % et 3.50 %") == {"3.5"}
    assert stated_numbers("1 234 567,89 $, pi = 3.14159") == {"1234567.89", "3.14159"}
    assert stated_numbers("Aucun chiffre [1] [2, 3].") == set()


def test_a_dotted_date_is_a_day_a_month_and_a_year() -> None:
    read = ["Das Treffen fand am 1.10.2016 statt."]
    wrong = "Das Treffen fand am 1.1.2016 statt [1]."
    assert drop_unsupported(wrong, read) == ("", [("drop_unread_numbers", wrong)])
    for kept in ["Das Treffen fand am 1.10.2016 statt [1].", "Le 1er octobre 2016 [1]."]:
        assert drop_unsupported(kept, read)[1] == []
    assert missing_numbers("Que s'est-il passé le 1.10.2016 ?", ["le 1er octobre 2016"]) == set()


def test_a_question_number_under_ten_is_not_checked_even_with_decimals() -> None:
    question = "Pourquoi la BCE a-t-elle relevé son taux de 0,5 point ?"
    assert missing_numbers(question, ["La BCE relève son taux d'un demi-point."], ["fr"]) == set()
    assert missing_numbers("Un taux de 12,5 % ?", ["un taux de 12 %"], ["fr"]) == {"12.5"}


def test_a_decimal_is_not_the_whole_number_of_its_digits() -> None:
    read = ["The council met on 12 February. The ticket costs 1,35 euros."]
    for answer in ["Freiburg has 1.2 million inhabitants [1].", "The ticket costs 135 euros [1]."]:
        assert drop_unsupported(answer, read) == ("", [("drop_unread_numbers", answer)])
    assert drop_unsupported("The ticket costs 1.35 euros [1].", read)[1] == []


def test_a_sentence_with_a_number_nobody_wrote_is_dropped() -> None:
    read = ["Les négociations ont duré plus de 12 heures à Moscou."]
    answer = "Les négociations ont duré 12 heures [1]. Environ 2 000 soldats sont déployés [1]."
    kept, dropped = drop_unsupported(answer, read)
    assert kept == "Les négociations ont duré 12 heures [1]."
    assert dropped == [("drop_unread_numbers", "Environ 2 000 soldats sont déployés [1].")]


@pytest.mark.parametrize(
    ("answer", "kept", "aside"),
    [
        (
            "Le dernier empereur fut Puyi, qui abdiqua le 14 février 1912 [1].",
            "Le dernier empereur fut Puyi [1].",
            "qui abdiqua le 14 février 1912",
        ),
        (
            "Puyi, qui abdiqua en 1912, fut le dernier empereur [1].",
            "Puyi fut le dernier empereur [1].",
            "qui abdiqua en 1912",
        ),
        (
            "Puyi (1906-1967) fut le dernier empereur.",
            "Puyi fut le dernier empereur.",
            "(1906-1967)",
        ),
        (
            "The last emperor was Puyi, who abdicated in 1912.",
            "The last emperor was Puyi.",
            "who abdicated in 1912",
        ),
        (
            "Puyi, who was born in 1906 in St. Petersburg, was the last emperor [1].",
            "Puyi was the last emperor [1].",
            "who was born in 1906 in St. Petersburg",
        ),
        ("Puyi fut le dernier empereur (1912)[1].", "Puyi fut le dernier empereur [1].", "(1912)"),
    ],
)
def test_only_an_aside_stating_an_unread_number_is_dropped(
    answer: str, kept: str, aside: str
) -> None:
    read = ["Puyi fut le dernier empereur de Chine.", "The last emperor was Puyi."]
    assert drop_unsupported(answer, read) == (kept, [("drop_unread_numbers", aside)])


def test_a_sentence_whose_own_clause_states_an_unread_number_is_dropped_whole() -> None:
    read = ["Kublai Khan declared the Yuan dynasty, which ruled China, in 1271."]
    for answer in (
        "Kublai Khan declared the Yuan dynasty in 1279 [1].",
        "Kublai Khan, who ruled China, declared the Yuan dynasty in 1279 [1].",
        "Kublai Khan declared the Yuan dynasty in 1279, which lasted until 1368 [1].",
        # reported speech is the claim, not an aside
        "Le ministre a affirmé, mardi, que 2 000 soldats seraient déployés [1].",
        "Il a annoncé, hier, qu'environ 2 000 soldats viendraient [1].",
    ):
        assert drop_unsupported(answer, read) == ("", [("drop_unread_numbers", answer)])


def test_a_sentence_that_is_all_aside_leaves_no_stray_marker() -> None:
    answer = "Kublai Khan declared the Yuan dynasty [1]. (He was born in 1215.) [2]"
    kept, dropped = drop_unsupported(answer, ["Kublai Khan declared the Yuan dynasty."])
    assert kept == "Kublai Khan declared the Yuan dynasty [1]."
    assert dropped == [("drop_unread_numbers", "(He was born in 1215.) [2]")]


@pytest.mark.parametrize(
    ("read", "language", "answer"),
    [
        ("Ses parents eurent neuf enfants.", "fr", "Ils avaient 9 enfants [1]."),
        ("Vingt-trois soldats sont morts.", "fr", "23 soldats sont morts [1]."),
        ("Some twenty-five thousand people marched.", "en", "25,000 people marched [1]."),
        ("Der König hatte neun Kinder.", "de", "Er hatte 9 Kinder [1]."),
    ],
)
def test_a_number_read_in_words_supports_the_same_number_in_digits(
    read: str, language: str, answer: str
) -> None:
    assert drop_unsupported(answer, [read], languages=[language]) == (answer, [])
    assert drop_unsupported(answer, [read])[1], "without the language, words are not numbers"


def test_numbers_in_words_are_read_in_the_languages_given_only() -> None:
    assert stated_numbers("neuf enfants, nine children", ["fr"]) == {"9"}
    assert stated_numbers("neuf enfants, nine children", ["fr", "en"]) == {"9"}
    assert stated_numbers("nine children", ["fr"]) == set()
    assert stated_numbers("un enfant, one child, le premier", ["fr", "en"]) == set()
    assert stated_numbers("neun Kinder", ["ru", "sv"]) == set(), "no converter: no error"


@pytest.mark.parametrize(
    ("question", "texts", "missing"),
    [
        ("Who ranked Warsaw as 22nd most liveable city?", ["Warsaw ranked 32nd in 2012."], {"22"}),
        ("Who ranked Warsaw 32nd in 2012?", ["Warsaw ranked 32nd.", "2012-05-01"], set()),
        ("Combien d'enfants eut-il ?", ["Il eut onze enfants."], set()),
        ("Qui avait onze enfants ?", ["Il eut 11 enfants."], set()),
        ("Qui avait dix-sept enfants ?", ["Il eut onze enfants."], {"17"}),
        ("Résume en 3 phrases ce qu'a dit Kerry.", ["Kerry a parlé."], set()),
        ("Combien de communes dans les années 30 ?", ["747 communes en 1930."], set()),
        ("Qu'a dit Kerry en 2015 ?", ["Kerry a parlé le 3 octobre 2016."], {"2015"}),
        ("Qu'a dit le G7 de l'A320 (réf. K5eed5eed) ?", ["Le sommet."], set()),
        ("What did the 1990s bring?", ["In 1990, the wall fell."], set()),
    ],
)
def test_numbers_of_the_question_no_text_states(
    question: str, texts: list[str], missing: set[str]
) -> None:
    assert missing_numbers(question, texts, ["fr", "en"]) == missing


def test_numbers_from_the_question_title_or_date_are_known() -> None:
    answer = "In 2016, the 84 victims of Nice were remembered [2]."
    kept, dropped = drop_unsupported(answer, ["What happened in 2016?", "Nice 2016-07-15 84 morts"])
    assert dropped == [] and kept == answer


def test_an_answer_of_unread_numbers_only_is_left_empty() -> None:
    kept, dropped = drop_unsupported("There are about 2,000 soldiers [1].", ["Kerry et Lavrov."])
    assert kept == "" and len(dropped) == 1


def test_a_question_in_the_answer_is_not_a_claim() -> None:
    """The model repeating the question it was asked, marker and all, answers nothing; the
    marker goes with it, not onto the next sentence."""
    question = "Quel temps faisait-il à Moscou pendant les négociations ?"
    assert drop_unsupported("Le temps faisait-il à Moscou ? [2]", [question]) == (
        "",
        [("drop_questions", "Le temps faisait-il à Moscou ? [2]")],
    )
    echo = "Quel temps faisait-il à Moscou ? [2] Il faisait froid selon Kerry [3]."
    assert drop_unsupported(echo, [])[0] == "Il faisait froid selon Kerry [3]."
    answer = "Kerry a menacé [1]. Pourquoi ? Il veut une trêve [2]."
    assert drop_unsupported(answer, ["Kerry"])[0] == "Kerry a menacé [1]. Il veut une trêve [2]."
    assert drop_unsupported("Kerry a-t-il menacé ? Oui [1].", [])[0] == "Oui [1]."


@pytest.mark.parametrize(
    "answer",
    [
        "Kerry a demandé : « Pourquoi attendre ? », selon l'AFP [1].",
        "Le titre de l'article est « La trêve tiendra-t-elle ? » [1].",
        'Kerry asked "Why wait? Why now?" before leaving [1].',
        "Kerry a demandé : « Pourquoi attendre ? » [1]",
    ],
)
def test_a_quoted_question_is_a_claim(answer: str) -> None:
    assert drop_unsupported(answer, []) == (answer, [])


def test_answers_without_numbers_are_unchanged() -> None:
    answer = "John Kerry a menacé de suspendre la coopération [1]."
    assert drop_unsupported(answer, ["Kerry"]) == (answer, [])


def test_the_numbers_of_a_numbered_list_are_not_claims() -> None:
    answer = (
        "Les États-Unis envisagent de suspendre leur collaboration pour deux raisons :\n\n"
        "1. La violence à Alep [1].\n2) Les bombardements [2].\n3. Environ 2 000 morts [2]."
    )
    kept, dropped = drop_unsupported(answer, ["La violence à Alep.", "Les bombardements."])
    assert dropped == [("drop_unread_numbers", "Environ 2 000 morts [2].")], "still checked"
    assert "deux raisons" in kept and "La violence à Alep [1]." in kept
    assert drop_unsupported("Morts :\n62.", ["Alep"])[1], "one numbered line is not a list"


def test_a_sentence_naming_a_person_nobody_wrote_of_is_dropped() -> None:
    read = [
        "[1] Alep\n<<<\nLa Turquie salue l'accord entre John Kerry et Sergueï Lavrov.\n>>>",
        "Que pense le président turc de l'accord ?",
    ]
    answer = (
        "Le président turc, Recep Tayyip Erdogan, salue l'accord [1]. "
        "Sergei Lavrov and John Kerry's deal was welcomed [1]. La Turquie salue l'accord [1]."
    )
    kept, dropped = drop_unsupported(answer, read, [])
    assert dropped == [
        ("drop_unread_people", "Le président turc, Recep Tayyip Erdogan, salue l'accord [1].")
    ]
    titled = drop_unsupported(answer, read, ["Erdogan salue l'accord d'Alep\nLa Turquie…"])
    assert titled == (answer, []), "named in the article the read sentence comes from"
    assert drop_unsupported("About 2,000 died [1].", read, ["2,000 morts"])[1], "numbers: read"
    assert kept.startswith("Sergei Lavrov"), "other spellings and possessives of read names"
    assert drop_unsupported(answer, read, None)[1] == [], "people checked only with articles"
    for fine in (
        "The White House welcomed it [1].",  # an institution
        "Washington et Moscou discutent [1].",  # places, one word each
        "Selon le Washington Post, Kerry a signé [1].",  # after an article
    ):
        assert drop_unsupported(fine, read, []) == (fine, [])
