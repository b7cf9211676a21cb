from __future__ import annotations

import pytest

from assistant.answer.citations import (
    attribute,
    check_markers,
    has_claims,
    is_refusal,
    tidy_markers,
)

REFUSALS = [
    "Les articles ne contiennent pas la réponse à cette question.",
    "The articles do not contain the answer to this question.",
]


def test_valid_markers_are_kept_in_order_of_first_use() -> None:
    checked = check_markers("Kerry a menacé [2]. Lavrov a répondu [1][2].", 3)
    assert checked.numbers == [2, 1]
    assert checked.text == "Kerry a menacé [2]. Lavrov a répondu [1][2]."
    assert checked.removed == []


def test_out_of_range_marker_is_removed_not_shifted() -> None:
    checked = check_markers("Kerry a menacé [4]. Lavrov a répondu [1].", 3)
    assert checked.numbers == [1]
    assert checked.removed == [4]
    assert checked.text == "Kerry a menacé. Lavrov a répondu [1]."


def test_numbering_from_zero_is_invalid() -> None:
    checked = check_markers("Alep est bombardée [0].", 3)
    assert checked.numbers == [] and checked.removed == [0]
    assert "[0]" not in checked.text


def test_repeated_marker_counts_once() -> None:
    checked = check_markers("A [1]. B [1]. C [1, 1].", 2)
    assert checked.numbers == [1]
    assert checked.text == "A [1]. B [1]. C [1]."


def test_list_markers_are_split_and_checked() -> None:
    checked = check_markers("Les deux ministres ont parlé [1, 7; 2].", 3)
    assert checked.numbers == [1, 2]
    assert checked.removed == [7]
    assert checked.text == "Les deux ministres ont parlé [1][2]."


def test_refusal_detection_in_both_languages() -> None:
    assert is_refusal("Les articles ne contiennent pas la réponse à cette question.", REFUSALS)
    assert is_refusal("the articles do not contain the answer to this question [1]", REFUSALS)
    assert not is_refusal("Kerry a menacé la Russie [1].", REFUSALS)
    long = REFUSALS[1] + " However, Kerry met Lavrov in Moscow and they laid flowers [2]."
    assert not is_refusal(long, REFUSALS), "a real answer around the sentence is not a refusal"
    both = " ".join(REFUSALS)  # the system prompt names every language's refusal
    assert is_refusal(f"{both}.", REFUSALS), "the refusal given in two languages"
    searched = "Les articles de septembre 2016 ne contiennent pas la réponse à cette question."
    asked = "Que disent les articles de septembre 2016 ?"
    assert is_refusal(searched, REFUSALS, asked), "what was asked named after the subject"
    assert not is_refusal(searched, REFUSALS), "words the question does not have"
    about = "The articles about the 2016 election do not contain the answer to this question."
    assert is_refusal(about, REFUSALS, "What did the articles about the 2016 election say?")
    for partial, question in [
        (
            "The articles say talks were suspended [1] but do not contain the answer to this "
            "question.",
            "What do the articles say about why the talks were suspended?",
        ),
        (
            "Les articles citent Kerry et Lavrov [1] mais ne contiennent pas la réponse à cette "
            "question.",
            "Que disent les articles sur Kerry et Lavrov ?",
        ),
    ]:
        assert not is_refusal(partial, REFUSALS, question), "an answer with a refusal after it"


def test_has_claims() -> None:
    assert has_claims("Kerry [1].")
    assert not has_claims(" [1] [2]. ")


def test_copied_sentence_without_marker_gets_its_passage() -> None:
    passages = [
        "Le prix du blé a baissé de 3 % cette semaine.",
        "John Kerry a menacé son homologue russe Sergueï Lavrov de geler toute coopération.",
    ]
    text = "John Kerry a menacé Sergueï Lavrov de geler la coopération. Il pleuvait à Paris."
    assert attribute(text, passages) == (
        "John Kerry a menacé Sergueï Lavrov de geler la coopération [2]. Il pleuvait à Paris."
    )


def test_marked_or_unsupported_sentences_are_left_alone() -> None:
    passages = ["John Kerry a menacé de geler toute coopération avec la Russie."]
    assert attribute("Kerry a menacé [1].", passages) == "Kerry a menacé [1]."
    unsupported = "Vladimir Poutine a gagné les élections présidentielles."
    assert attribute(unsupported, passages) == unsupported


def test_words_repeated_from_the_question_are_not_looked_for() -> None:
    """An answer restating the question shares few words with the passage it answers from."""
    passages = [
        "Washington et Moscou discutent d'un accord militaire.",
        "La bataille d'Alep est cruciale ; la deuxième ville du pays est divisée depuis 2012.",
    ]
    question = "Quelle est la ville la plus touchée par les combats évoqués dans les articles ?"
    text = "La ville la plus touchée par les combats évoqués dans les articles est Alep."
    assert attribute(text, passages) == text, "without the question, too few words are shared"
    assert attribute(text, passages, question=question) == (
        "La ville la plus touchée par les combats évoqués dans les articles est Alep [2]."
    )
    only_the_question = "La ville la plus touchée par les combats est évoquée."
    assert attribute(only_the_question, passages, question=question) == only_the_question
    elsewhere = "La ville la plus touchée par les combats est Homs."
    assert attribute(elsewhere, passages, question=question) == elsewhere
    quoted = ["Alep, dit-il : « oui ».", "Kerry a menacé de suspendre la coopération à Alep."]
    marked = "Oui, Kerry a menacé de suspendre la coopération [2]."
    asked = "Kerry a-t-il menacé de suspendre la coopération ?"
    assert attribute(marked, quoted, question=asked) == marked, "a marked sentence: all words"
    tie = "La ville la plus touchée par les combats est Alep."
    both = ["Alep.", "La bataille d'Alep, la ville la plus touchée par les combats."]
    assert attribute(tie, both, question=question).endswith("[2]."), "a tie: most of all words"


def test_answer_in_another_language_is_attributed_by_its_names() -> None:
    """An English answer about French passages shares their names, not their words."""
    passages = [
        "John Kerry a menacé son homologue russe Sergueï Lavrov de geler toute coopération.",
        "Les ministères russes sont prêts à continuer, a fait savoir le général-lieutenant "
        "Victor Poznikhir.",
        "Le ministre de la Défense Sergueï Choïgou a parlé d'une phase très active.",
    ]
    text = "The general was Victor Poznikhir. Sergei Shoigu spoke of active talks."
    assert attribute(text, passages, by_names=True) == (
        "The general was Victor Poznikhir [2]. Sergei Shoigu spoke of active talks [3]."
    ), "other spellings count"
    assert "[3]" not in attribute(text, passages), "by names only across languages"
    for unsupported in (
        "Barack Obama said he was very concerned.",  # nobody the passages name
        "Sergei spoke at length.",  # one name only
        "Sergei Lavrov and Sergei Shoigu met.",  # a tie: one name in each
        "Kerry threatened Sergueï Lavrov [1].",  # already cited
        "Kerry warned Lavrov and Obama.",  # the most-named passage lacks a person: Obama
    ):
        assert attribute(unsupported, passages, by_names=True) == unsupported


def test_tidy_moves_a_leading_marker_and_drops_repeats() -> None:
    assert (
        tidy_markers("[1]: Kerry a menacé la Russie. Fin.") == "Kerry a menacé la Russie [1]. Fin."
    )
    assert tidy_markers("Kerry a menacé [1]. [1]") == "Kerry a menacé [1]."
    assert tidy_markers("A [1]. B [2].") == "A [1]. B [2]."


def test_citation_to_the_wrong_passage_is_moved_to_the_one_quoted() -> None:
    passages = [
        "La volonté affichée par Washington de suspendre sa coopération met en échec les accords.",
        "Le prix du blé a baissé de 3 % cette semaine.",
        "John Kerry avait auparavant menacé de mettre un terme à la coopération avec Moscou.",
    ]
    text = "John Kerry avait menacé de mettre un terme à la coopération avec Moscou [2]."
    assert attribute(text, passages) == (
        "John Kerry avait menacé de mettre un terme à la coopération avec Moscou [3]."
    )
    loosely = "Washington veut suspendre la coopération avec Moscou [1]."
    assert attribute(loosely, passages) == loosely, "a plausible citation is left alone"


def test_renumber_maps_prompt_numbers_to_shown_ones_even_across_stream_pieces() -> None:
    from assistant.answer.citations import renumber, renumber_stream

    numbers = {1: 3, 2: 5}
    assert renumber("A [1]. B [2, 1]. C [4].", numbers) == "A [3]. B [5][3]. C [0]."
    pieces = ["Kerry a menacé [", "1", "]. Lavrov [2", "]", " et [", "x] fin"]
    assert "".join(renumber_stream(pieces, numbers)) == "Kerry a menacé [3]. Lavrov [5] et [x] fin"
    assert "".join(renumber_stream(["[", "1"], numbers)) == "[1", "an open bracket is let go"


@pytest.mark.parametrize(
    "sentence",
    [
        "John F. Kennedy was shot in Dallas in 1963.",
        "J. R. R. Tolkien wrote the book in Oxford in 1937.",
        "The lowest recorded temperature is −11.7 °C (10.9 °F) at Omeo.",
        "M. Kerry a rencontré St. Louis Dupont à Moscou hier.",
        "Lady Margaret Butler (c. 1250) was the heiress of the family.",
    ],
)
def test_initials_titles_and_decimals_do_not_end_a_sentence(sentence: str) -> None:
    """One splitter for articles and answers: the marker goes after the whole sentence."""
    passage = f"Selon les archives, {sentence[0].lower()}{sentence[1:]}"
    tied = attribute(sentence, [passage])
    assert tied == sentence[:-1] + " [1].", tied
