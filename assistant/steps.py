"""The answer policy: every step that changes what is searched, read, said or refused, in the
order a question meets them. Each can be turned off (`answer.skip_steps`, or `--without STEP`
in the evaluation) to measure what it does; an `Answer` names the step that refused it
(`refused_by`) and the sentences each step dropped (`dropped`).

Steps not listed here always run: the question's clean-up, retrieval, the evidence choice, the
prompt and the generation itself, and the check that every `[n]` points to a passage read.
"""

from __future__ import annotations

STEPS: dict[str, str] = {
    # what is searched
    "follow_up_rule": "a follow-up's pronoun replaced by the person just talked about, no LLM",
    "follow_up_rewrite": "other follow-ups rewritten as standalone questions by the LLM",
    "translate_question": "a question in another language than the articles also searched "
    "with its translation",
    "question_dates": "a period of publication the question names becomes a filter; an "
    "event's date favours the articles published in the week after it",
    # refusals before the LLM
    "min_score_refusal": "refuse when no passage is similar enough (retrieval.min_dense_score)",
    "unknown_name_refusal": "refuse when the question names someone no passage mentions",
    "unknown_number_refusal": "refuse when the question states a number (a year, a rank, a "
    "count) that none of the found passages' articles states",
    # what is read
    "article_opening": "a who-is question also reads the lede of the best passage's article",
    "best_passage_last": "the excerpts are written in reverse rank order, the best one last, "
    "nearest the question: the small model answers from what it read last",
    # what is said
    "answer_translation": "an answer written in another language than the question's is "
    "translated back",
    "drop_unread_numbers": "drop answer sentences (or only their asides) stating numbers the "
    "model did not read",
    "drop_unread_people": "drop answer sentences naming people the articles do not mention",
    "drop_questions": "drop answer sentences that ask a question",
    "citation_repair": "tie uncited or mis-cited sentences to the passage they come from",
    "refusal_detection": "the model's refusal sentence makes the answer a refusal",
}


# Why an answer was withheld, for the refusals made by a check of the model's draft: the
# passages may hold the answer, so the user is pointed at them.
WITHHELD: dict[str, str] = {
    "drop_unread_numbers": "the model's answer stated numbers that the passages it read do not",
    "drop_unread_people": "the model's answer named people that the passages it read do not",
}


def check_names(names: list[str]) -> list[str]:
    """The names given, each one a known step (for settings validation)."""
    unknown = [n for n in names if n not in STEPS]
    if unknown:
        raise ValueError(f"unknown answer step(s) {unknown}; the steps are {list(STEPS)}")
    return names
