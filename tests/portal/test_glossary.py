"""The Hungarian catalogue follows the glossary (docs/glossary.md): none of the words it
rules out, and each of its Hungarian terms in use."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.portal.test_translations import catalogue, messages

GLOSSARY = Path(settings.BASE_DIR) / "docs" / "glossary.md"


def glossary_rows() -> list[dict[str, str]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] not in {"concept", "---"}:
            rows.append(dict(zip(["concept", "en", "hu", "not"], cells, strict=True)))
    return rows


def hungarian_texts() -> list[str]:
    return [text for entry in messages("hu") for text in entry.msgstr]


def test_the_glossary_is_a_table():
    assert len(glossary_rows()) >= 15


@pytest.mark.parametrize("row", glossary_rows(), ids=lambda row: row["en"])
def test_the_hungarian_catalogue_does_not_use_the_words_the_glossary_rules_out(row):
    avoided = [word.strip() for word in row["not"].split(",") if word.strip()]
    for word in avoided:
        # A word and its suffixed forms: Hungarian adds endings ("adminisztrátora").
        pattern = re.compile(r"(?<!\w)" + re.escape(word), re.IGNORECASE)
        used = [text for text in hungarian_texts() if pattern.search(text)]
        assert used == [], f"“{word}” (say “{row['hu']}”) in {catalogue('hu')}"
