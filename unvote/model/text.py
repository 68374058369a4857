"""Text folding: the one rule by which unvote compares what people type with names and titles.

``fold`` takes accents off and folds case (``Côte d’Ivoire`` → ``cote d'ivoire``); ``words`` also
makes every run of anything but letters and digits one space; ``name_key`` reads ``&`` as "and"
first, for the names of countries, groups and topics. Search terms and series titles are folded
with ``fold`` too, so a lookup, a completion and a search agree on what "the same" means.

``terms`` and ``term_pattern`` are how words typed for ``search`` and ``--about`` match a roll call's
text: every term, folded, at the start of a word.

Stdlib only (the CLI's completion imports it).
"""

from __future__ import annotations

import re
import unicodedata

from ..core.errors import UsageError

_NON_WORD = re.compile(r"[\W_]+")


def fold(text: str | None) -> str:
    """Accents off, case folded, a typographic apostrophe as a plain one; ``None`` → ``""``."""
    if not text:
        return ""
    if not text.isascii():
        # ı (dotless i) has no decomposition; ’ is how UN titles and country names spell '
        text = unicodedata.normalize("NFKD", text.replace("ı", "i").replace("’", "'"))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return text.casefold()


def words(text: str | None) -> str:
    """``fold``, then every run of anything but letters and digits one space (no space at either end)."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def name_key(text: str | None) -> str:
    """How a name is matched: ``&`` as "and", then ``words`` (``Trinidad & Tobago`` = ``trinidad and tobago``)."""
    return words((text or "").replace("&", " and "))


def fold_sql(expr: str) -> str:
    """``fold`` as DuckDB SQL over the expression ``expr``: search and series fold the store's text
    with it and the words typed with ``fold`` (a test checks the two agree on every text held; they
    differ only on compatibility characters such as the ligature ``ﬁ``, which NFKD spells out)."""
    folded = f"strip_accents(lower({expr}))"
    for char, plain in (("’", "'"), ("ı", "i"), ("ß", "ss")):  # as fold and casefold do
        folded = f"replace({folded}, chr({ord(char)}), {' || '.join(f'chr({ord(c)})' for c in plain)})"
    return folded


MAX_WORDS_CHARACTERS = 300  # search and --about: a long title pasted whole still fits


def terms(words, *, empty: str = "give at least one word to search for, e.g. unvote search Ukraine") -> list[str]:
    """What must all match: each word, or each quoted phrase, folded (lower case, no accents); none is
    a ``UsageError`` saying ``empty``.

    ``["Ukraine", "territorial integrity"]`` (the shell kept the quotes' phrase as one argument) and
    ``['"territorial integrity" ukraine']`` both give two terms."""
    if isinstance(words, str):
        words = [words]
    given = sum(len(str(w)) for w in words or ())
    if given > MAX_WORDS_CHARACTERS:  # a label names the words, and each is a pattern to match: keep them few
        raise UsageError(f"{given:,} characters of words to look for; give at most {MAX_WORDS_CHARACTERS} "
                         "(the few words that matter, or a phrase in quotes)")
    out = []
    for arg in words or ():
        arg = str(arg)
        if '"' in arg:
            if arg.count('"') % 2:
                raise UsageError(f"unbalanced quote in {arg!r}")
            parts = [a or b for a, b in re.findall(r'"([^"]*)"|(\S+)', arg)]
        else:
            parts = [arg]  # one shell argument: a word, or a phrase the shell's quotes kept together
        out += [f for f in (" ".join(fold(p).split()) for p in parts) if f]
    if not out:
        raise UsageError(empty)
    return list(dict.fromkeys(out))


def term_pattern(term: str) -> str:
    """An RE2 pattern: ``term`` at the start of a word (``ukrain`` finds Ukraine and Ukrainian); the
    words of a phrase may be parted by spaces or punctuation (``nuclear test`` finds Nuclear-Test-Ban)."""
    escaped = re.sub(r"([\\.^$|?*+()\[\]{}])", r"\\\1", term)
    return r"(^|[^[:alnum:]])" + r"[^[:alnum:]]+".join(escaped.split(" "))


# The UN Digital Library's catalogue tail on a resolution's title: " : resolution / adopted by the
# General Assembly", with the data's variants (resolutions, misspellings such as resolultion or a cut
# resolutio, "adopted" or "by" alone, no slash, no colon before a slash, a final full stop, "… by the United
# Nations"). Only a last part that starts with that word and is the catalogue's statement of
# responsibility is removed; subtitles stay.
_WORD = r"res(?:ol|ou)[a-z]{1,5}(?:ions?|io)\b"
_CATALOGUE_TAIL = re.compile(rf"(?:\s*:\s*{_WORD}\s*(?:/.*|(?:ad+op?t?ed|by|submitted)\b.*)?|\s+{_WORD}\s*/.*)\.?\s*$",
                             re.IGNORECASE)


def subject(title: str | None) -> str | None:
    """A resolution's title as a reader wants it: the catalogue's tail removed (``"Territorial integrity of
    Ukraine : resolution / adopted by the General Assembly"`` → ``"Territorial integrity of Ukraine"``).
    The title itself when nothing would be left; ``None`` stays ``None``."""
    if title is None:
        return None
    cleaned = _CATALOGUE_TAIL.sub("", title).strip()
    return cleaned or title.strip() or title
