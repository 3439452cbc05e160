"""The Hungarian and English catalogues in locale/: complete, compiled from their sources, and
covering every message in the code. Needs GNU gettext (`make test` installs it)."""

import ast
import gettext
import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def require_gettext() -> None:
    if shutil.which("msgfmt") is None or shutil.which("xgettext") is None:
        pytest.fail("GNU gettext is needed for the catalogue tests: `make test` installs it.")


# --- a small PO reader -------------------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)


def _unquote(text: str) -> str:
    return ast.literal_eval(text)  # the escapes of a PO string are those of a Python string


def read_po(path: Path) -> list[Entry]:
    """Entries of a PO file, the header (msgid "") included."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int | None] | None = None

    def start() -> Entry:
        nonlocal entry
        if entry is None or entry.msgstr:
            entry = Entry()
            entries.append(entry)
        return entry

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            continue
        if line.startswith("#,"):
            start().flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            name, index = target
            value = _unquote(line)
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, getattr(entry, name) + value)
            continue
        keyword, _, rest = line.partition(" ")
        match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
        if keyword in {"msgctxt", "msgid"}:
            current = start()
            if keyword == "msgid" and current.msgid:
                current = Entry()
                entries.append(current)
                entry = current
            current.obsolete = obsolete
            setattr(current, keyword, _unquote(rest))
            target = (keyword, None)
        elif keyword == "msgid_plural":
            entry.msgid_plural = _unquote(rest)
            target = ("msgid_plural", None)
        elif keyword == "msgstr" or match:
            entry.msgstr.append(_unquote(rest))
            target = ("msgstr", len(entry.msgstr) - 1)
        else:
            raise AssertionError(f"{path}: cannot read the line {raw!r}")
    return entries


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def messages(language: str) -> list[Entry]:
    return [e for e in read_po(catalogue(language)) if e.msgid and not e.obsolete]


def test_po_reader_reads_plurals_contexts_and_flags(tmp_path):
    po = tmp_path / "x.po"
    po.write_text(
        'msgid ""\nmsgstr "Language: hu\\n"\n\n'
        '#, python-format\nmsgctxt "menu"\nmsgid "one %(n)s"\nmsgid_plural ""\n"many %(n)s"\n'
        'msgstr[0] "egy"\nmsgstr[1] ""\n"sok"\n\n'
        '#, fuzzy\nmsgid "a \\"b\\""\nmsgstr ""\n\n'
        '#~ msgid "old"\n#~ msgstr "régi"\n',
        encoding="utf-8",
    )
    header, plural, fuzzy, old = read_po(po)
    assert header.msgid == "" and header.msgstr == ["Language: hu\n"]
    assert plural.key == ("menu", "one %(n)s", "many %(n)s")
    assert plural.msgstr == ["egy", "sok"] and plural.flags == {"python-format"}
    assert fuzzy.msgid == 'a "b"' and fuzzy.flags == {"fuzzy"}
    assert old.obsolete and old.msgid == "old"


# --- the Hungarian catalogue is complete ----------------------------------------------------


def test_hungarian_catalogue_has_every_message_translated_and_none_fuzzy():
    entries = read_po(catalogue("hu"))
    header = entries[0]
    assert header.msgid == "" and "fuzzy" not in header.flags, "the header is fuzzy"
    assert "Language: hu\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header.msgstr[0]
    untranslated = [e.msgid for e in entries[1:] if not e.obsolete and not all(e.msgstr)]
    fuzzy = [e.msgid for e in entries[1:] if not e.obsolete and "fuzzy" in e.flags]
    assert untranslated == [], "untranslated Hungarian messages"
    assert fuzzy == [], "fuzzy Hungarian messages"
    assert len(entries) > 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    for entry in messages(language):
        wanted = set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
        for translation in entry.msgstr:
            if translation:
                assert set(PLACEHOLDER.findall(translation)) == wanted, entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogues_have_no_obsolete_messages(language):
    assert [e.msgid for e in read_po(catalogue(language)) if e.obsolete] == []


# --- the compiled catalogues are those of the sources ---------------------------------------


def compiled(data: bytes) -> gettext.GNUTranslations:
    return gettext.GNUTranslations(io.BytesIO(data))


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    """Compares content, not file times (git sets those at checkout): the committed .mo must
    hold exactly what msgfmt makes of the committed .po."""
    require_gettext()
    po = catalogue(language)
    fresh = subprocess.run(
        ["msgfmt", "--check-format", "-o", "-", str(po)], capture_output=True, check=True
    ).stdout
    committed = po.with_suffix(".mo").read_bytes()
    assert compiled(committed)._catalog == compiled(fresh)._catalog, (
        f"locale/{language}: the .mo is stale; run `make messages`"
    )
    assert compiled(committed).info() == compiled(fresh).info()


# --- no message in the code is missing from the catalogues ----------------------------------


def extracted_msgids(tmp_path, monkeypatch) -> dict[str, set]:
    """Run makemessages over a copy of the project, as `make messages` does, and read what it
    would write."""
    require_gettext()
    base = Path(settings.BASE_DIR)
    copy = tmp_path / "project"
    shutil.copytree(
        base,
        copy,
        ignore=shutil.ignore_patterns(
            ".*",
            "__pycache__",
            "*.mo",
            "*.sqlite3*",
            "*.egg-info",
            "bench",
            "docs",
            "node_modules",
            "staticfiles",
            "test-artifacts",
            "tmp",
        ),
    )
    monkeypatch.chdir(copy)
    monkeypatch.setattr(settings, "LOCALE_PATHS", [copy / "locale"])
    # The same options as the Makefile's `messages` target.
    call_command("makemessages", locale=LANGUAGES, no_location=True, no_obsolete=True, verbosity=0)
    return {
        language: {
            e.key
            for e in read_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")
            if e.msgid and not e.obsolete
        }
        for language in LANGUAGES
    }


def test_makemessages_would_add_no_message(tmp_path, monkeypatch):
    found = extracted_msgids(tmp_path, monkeypatch)
    for language in LANGUAGES:
        committed = {e.key for e in messages(language)}
        assert found[language] - committed == set(), (
            f"locale/{language}: messages in the code but not in the catalogue; "
            "run `make messages` and translate them"
        )
        assert committed - found[language] == set(), (
            f"locale/{language}: messages in the catalogue that the code no longer has"
        )
