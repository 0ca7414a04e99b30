"""The language of a page that declares none, or declares a wrong one, from its text."""

from __future__ import annotations

from pathlib import Path

import pytest
from newswatch.extraction import extract_article
from newswatch.extraction.language import detect_language, page_language

LEGACY = Path(__file__).parent / "fixtures" / "legacy-meta"

TEXTS = {
    "en": "The council said on Tuesday that it would not approve the plan, which has been "
    "criticised by residents who were worried about the traffic it would bring to the town.",
    "de": "Der Stadtrat hat am Dienstag beschlossen, dass die neue Brücke nicht vor dem "
    "nächsten Jahr gebaut wird, weil die Kosten für das Projekt noch einmal gestiegen sind.",
    "fr": "Le conseil municipal a décidé mardi que le nouveau pont ne sera pas construit avant "
    "l'année prochaine, car le coût du projet a encore augmenté pour la ville.",
    "es": "El ayuntamiento decidió el martes que el nuevo puente no se construirá hasta el año "
    "que viene, porque el coste del proyecto ha vuelto a subir para la ciudad.",
    "nl": "De gemeenteraad heeft dinsdag besloten dat de nieuwe brug niet voor volgend jaar "
    "wordt gebouwd, omdat de kosten van het project opnieuw zijn gestegen voor de stad.",
    "ru": "Городской совет во вторник решил, что новый мост не будет построен до следующего "
    "года, так как стоимость проекта снова выросла, и это было неожиданно для всех.",
    "ko": "시의회는 화요일 새 다리 건설을 내년까지 미루기로 결정했다. "
    "사업 비용이 다시 늘었기 때문이다.",
    "ja": "市議会は火曜日、新しい橋の建設を来年まで延期することを決めた。"
    "事業費が再び増えたためだ。",
    "zh": "市议会周二决定将新桥的建设推迟到明年，因为该项目的费用再次上涨。",
}


@pytest.mark.parametrize("language", sorted(TEXTS))
def test_a_paragraph_of_news_is_detected_in_its_language(language: str) -> None:
    assert detect_language(TEXTS[language]) == language


def test_a_text_too_short_to_tell_gets_no_language() -> None:
    assert detect_language("Brexit: live") is None
    assert detect_language("") is None


def test_a_quoted_foreign_word_does_not_relabel_an_english_text() -> None:
    assert detect_language(TEXTS["en"] + " She called it 김치 and 寿司.") == "en"


def test_a_page_that_declares_no_language_gets_the_detected_one() -> None:
    article = extract_article((LEGACY / "courier-table-edt.html").read_bytes())
    assert article.language == "en"


@pytest.mark.parametrize(
    ("declared", "language", "expected"),
    [
        # The script contradicts the declaration: a template's lang="en" on a Korean page.
        ("en", "ko", "ko"),
        ("ko", "en", "en"),
        # Same script, and the declared language's stop words are nearly absent.
        ("en", "de", "de"),
        ("fr", "nl", "nl"),
        # Declared and confirmed.
        ("de", "de", "de"),
        # Japanese mixes Han with kana; Korean may quote Han: both declarations hold.
        ("ja", "ja", "ja"),
    ],
)
def test_a_declaration_the_text_clearly_contradicts_is_wrong(
    declared: str, language: str, expected: str
) -> None:
    assert page_language(declared, TEXTS[language]) == expected


def test_a_declaration_the_detector_cannot_check_is_kept() -> None:
    # No Vietnamese profile, same (Latin) script: nothing says "vi" is wrong.
    vietnamese = "Hội đồng thành phố hôm thứ Ba quyết định hoãn xây cây cầu mới đến năm sau."
    assert page_language("vi", vietnamese) == "vi"
    # Too short to contradict anything.
    assert page_language("fr", "Brexit: live") == "fr"


def test_an_english_page_quoting_german_keeps_its_declaration() -> None:
    mixed = TEXTS["en"] + ' The mayor wrote: "Die Kosten sind gestiegen."'
    assert page_language("en", mixed) == "en"


def test_a_wrong_declaration_is_corrected_on_the_extracted_article() -> None:
    paragraph = f"<p>{TEXTS['de']} {TEXTS['de']}</p>"
    page = f'<html lang="en"><body><article>{paragraph * 2}</article></body></html>'
    assert extract_article(page.encode()).language == "de"
