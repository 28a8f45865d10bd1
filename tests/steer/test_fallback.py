"""The last resort after repair and re-ask: honest fallbacks, and the re-ask's wording."""

from __future__ import annotations

from persona.steer import RepairResult, Verdict, check, fall_back, make, reask_prompt, repair

FRENCH = make("language:response_language", language="fr")


def _last_resort(constraints: list, reply: str) -> RepairResult:  # type: ignore[type-arg]
    return fall_back(constraints, repair(constraints, reply))


def test_a_reply_in_the_wrong_language_becomes_a_notice_in_the_right_one() -> None:
    reply = "The capital of Canada is Ottawa, and it is a lovely city."
    result = _last_resort([FRENCH], reply)
    assert result == RepairResult(
        text="Je n'ai pas pu rédiger cette réponse en français.",
        applied=[],
        verdicts=[Verdict(id="language:response_language", passed=True)],
        before=check([FRENCH], reply),
        fell_back=["language:response_language"],
    )


def test_the_lines_already_in_the_language_are_kept() -> None:
    reply = (
        "La capitale du Canada est Ottawa, une ville très agréable.\n"
        "I hope this is what you were looking for and that it helps you."
    )
    result = _last_resort([FRENCH], reply)
    assert result.text == "La capitale du Canada est Ottawa, une ville très agréable."
    assert result.passed and result.fell_back == ["language:response_language"]


def test_the_fallback_keeps_the_other_rules() -> None:
    rules = [FRENCH, make("startend:end_checker", end_phrase="Bonne journée.")]
    result = _last_resort(rules, "Sure! Here is the answer you wanted, with all the details.")
    assert result.text == "Je n'ai pas pu rédiger cette réponse en français.\n\nBonne journée."
    assert result.passed


def test_lowercase_keeps_the_english_lines_and_drops_another_script() -> None:
    reply = "In Paris.\nエッフェル塔はフランスのパリにある有名な鉄の塔です。\nBuilt in 1889."
    rule = make("change_case:english_lowercase")
    assert not repair([rule], reply).passed
    result = _last_resort([rule], reply)
    assert result.text == "in paris.\nbuilt in 1889."
    assert result.passed and result.fell_back == ["change_case:english_lowercase"]


def test_lowercase_with_no_english_left_says_so() -> None:
    result = _last_resort([make("change_case:english_lowercase")], "Die Antwort ist nicht einfach.")
    assert result.text == "i could not write this reply in english."
    assert result.passed


def test_a_word_limit_cuts_inside_a_sentence_and_marks_the_cut() -> None:
    rule = make("style:max_words", max_words=5)
    reply = "This single sentence is far too long for the limit, so it must be cut"
    assert not repair([rule], reply).passed
    result = _last_resort([rule], reply)
    assert result.text == "This single sentence is far\u2026"
    assert result.passed and result.fell_back == ["style:max_words"]


def test_no_fallback_invents_content() -> None:
    rules = [
        make("length_constraints:number_words", num_words=50, relation="at least"),
        make("style:no_follow_up_questions"),
    ]
    first = repair(rules, "Want more?")
    assert fall_back(rules, first) == first


def test_the_reask_states_each_broken_rule_and_a_language_rule_in_the_language() -> None:
    rules = [FRENCH, make("style:no_emoji")]
    reply = "Hello there! 😀"
    assert reask_prompt(rules, check(rules, reply)) == (
        "Your reply broke these rules:\n"
        "- Write your entire reply in French; no other language is allowed. "
        "(your reply: the reply is in English, not French)\n"
        "- Do not use any emoji. (your reply: contains emoji: 😀)\n"
        "Write the reply again, following every rule. Output only the reply.\n"
        "Write the whole reply in French. Réponds uniquement en français."
    )


def test_a_table_in_a_plain_text_chat_becomes_lines_of_cells() -> None:
    rule = make("style:no_markdown")
    reply = "Here is a **table**:\n\n| Pet | Care |\n|---|---|\n| Cat | low |\n| Dog | high |"
    assert not repair([rule], reply).passed
    result = _last_resort([rule], reply)
    assert result.text == "Here is a table:\n\nPet; Care\nCat; low\nDog; high"
    assert result.passed and result.fell_back == ["style:no_markdown"]
