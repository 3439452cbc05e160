"""The Hungarian catalogue follows the glossary (docs/glossary.md): none of the words it
rules out (a row naming a msgctxt: none in that context's texts), and no English message
promises a "follow" feature the portal does not have."""

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


# A row about the texts of one translation context names it: "msgctxt *subject or course*".
ROW_CONTEXT = re.compile(r"msgctxt \*([^*]+)\*")


def row_context(row: dict[str, str]) -> str | None:
    found = ROW_CONTEXT.search(row["concept"])
    return found.group(1) if found else None


def hungarian_texts(context: str | None = None) -> list[str]:
    """The Hungarian translations, all of them or those of one msgctxt."""
    entries = messages("hu")
    if context is not None:
        entries = [entry for entry in entries if entry.msgctxt == context]
    return [text for entry in entries for text in entry.msgstr]


def test_the_glossary_is_a_table():
    assert len(glossary_rows()) >= 15


@pytest.mark.parametrize("row", glossary_rows(), ids=lambda row: row["en"])
def test_the_hungarian_catalogue_does_not_use_the_words_the_glossary_rules_out(row):
    avoided = [word.strip() for word in row["not"].split(",") if word.strip()]
    context = row_context(row)
    texts = hungarian_texts(context)
    if context is not None:
        assert texts, f"no message of msgctxt “{context}” in {catalogue('hu')}"
    for word in avoided:
        # A word and its suffixed forms: Hungarian adds endings ("adminisztrátora").
        pattern = re.compile(r"(?<!\w)" + re.escape(word), re.IGNORECASE)
        used = [text for text in texts if pattern.search(text)]
        assert used == [], f"“{word}” (say “{row['hu']}”) in {catalogue('hu')}"


def test_the_space_administrators_words_come_in_pairs_of_both_contexts():
    """Issue 25 item 12: a subject's or course's administrator is its *oktató*, any other
    space's its *adminisztrátor*; each text naming them is written for both kinds of space."""
    contexts = {row_context(row) for row in glossary_rows()}
    assert {"subject or course", "other space"} <= contexts
    counts = {
        context: len([entry for entry in messages("hu") if entry.msgctxt == context])
        for context in ("subject or course", "other space")
    }
    assert counts["subject or course"] == counts["other space"], counts


# "Follow" as a promise: "follow it", "follow the public spaces"; not "if you followed a link".
FOLLOW_PROMISE = re.compile(r"\bfollow (it|them|the|this|these|a space|spaces)\b", re.IGNORECASE)


def test_no_english_message_promises_a_follow_feature():
    """The portal has no "follow" (issue 25 item 12): a guest opens and looks at a public space
    (the glossary's row; its Hungarian is held by the test above)."""
    promising = [entry.msgid for entry in messages("en") if FOLLOW_PROMISE.search(entry.msgid)]
    assert promising == []
