"""Word, sentence and capital-word counting as IFEval defines them, and language detection."""

from __future__ import annotations

import pytest

from persona.steer.checks.language import detect_language, is_english
from persona.steer.checks.text import count_capital_words, count_words, split_sentences


def test_words_are_word_character_runs() -> None:
    assert count_words("It's 3.5 km - well-known!") == 7


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("One. Two? Three!", ["One.", "Two?", "Three!"]),
        ("Mr. Smith met Dr. Jones. They talked.", ["Mr. Smith met Dr. Jones.", "They talked."]),
        ("It costs 3.5 dollars. Cheap.", ["It costs 3.5 dollars.", "Cheap."]),
        ('He said "stop." Then left.', ['He said "stop."', "Then left."]),
        ("A list\n* no stop\n* still none", ["A list\n* no stop\n* still none"]),
        ("1. The first.\n2. The second.", ["1.", "The first.", "2.", "The second."]),
        ("Wait... what now", ["Wait... what now"]),
        ("e.g. this one. Next.", ["e.g. this one.", "Next."]),
        ("", []),
    ],
)
def test_sentences_follow_punkt(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_capital_words_split_clitics_like_treebank() -> None:
    # DON'T -> DO + N'T; I counts; "U.S." is one token; numbers are not capital words
    assert count_capital_words("I DON'T like the U.S. plan (NASA) of 2024.") == 5


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("The quick brown fox jumps over the lazy dog and runs away.", "en"),
        ("I'm scared. I can feel his eyes on me. Every corner I turn, he's there.", "en"),
        ("Write a song about a corgi named Chester who loves to play fetch.", "en"),
        ("El perro come la comida que está en el suelo de la cocina.", "es"),
        ("Le chat est sur la table et il dort dans la cuisine.", "fr"),
        ("Der Hund ist nicht im Haus, und die Katze schläft.", "de"),
        ("Il gatto è sul tavolo e non vuole scendere per la cena.", "it"),
        ("O gato está em casa e não quer sair para a rua.", "pt"),
        ("Chúng tôi đã đi đến bãi biển và thưởng thức hải sản tươi ngon.", "vi"),
        ("Habari ya asubuhi, hii ni kazi ya watu wa kijiji na familia zao.", "sw"),
        ("यह एक बहुत अच्छी किताब है और मुझे यह पसंद है।", "hi"),
        ("हे पुस्तक खूप छान आहे आणि मला ते आवडते.", "mr"),
        ("यो किताब राम्रो छ र मलाई मन पर्छ।", "ne"),
        ("Это очень хорошая книга, и я её люблю.", "ru"),
        ("Це дуже гарна книга, і я її люблю.", "uk"),  # noqa: RUF001
        ("Това е много хубава книга и аз я обичам, ъгъл.", "bg"),  # noqa: RUF001
        ("هذا كتاب جيد جدا وأنا أحبه في المدرسة", "ar"),
        ("این کتاب بسیار خوب است و من آن را دوست دارم", "fa"),
        ("یہ کتاب بہت اچھی ہے اور مجھے پسند ہے۔", "ur"),  # noqa: RUF001
        ("이 책은 정말 좋습니다.", "ko"),
        ("この本はとても良いです。", "ja"),
        ("这本书很好。", "zh"),
        ("หนังสือเล่มนี้ดีมาก", "th"),
        ("இந்த புத்தகம் மிகவும் நல்லது", "ta"),
        ("ಈ ಪುಸ್ತಕ ತುಂಬಾ ಚೆನ್ನಾಗಿದೆ", "kn"),
        ("ఈ పుస్తకం చాలా బాగుంది", "te"),
        ("এই বইটি খুব ভালো", "bn"),
        ("આ પુસ્તક ખૂબ સારું છે", "gu"),
        ("ਇਹ ਕਿਤਾਬ ਬਹੁਤ ਵਧੀਆ ਹੈ", "pa"),
        ("Tämä kirja on hyvä ja se on myös halpa, mutta en ole lukenut sitä.", "fi"),
        ("To jest bardzo dobra książka i nie jest droga, ale się podoba.", "pl"),
    ],
)
def test_detect_language(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_no_letters_has_no_language_and_counts_as_english() -> None:
    assert detect_language("123 -- 456 !!") is None
    assert is_english("123")
    assert is_english("ok")  # too little evidence to call it anything else
