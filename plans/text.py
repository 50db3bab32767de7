"""Vietnamese text normalisation shared by the plan, deadline and reply parsers.

Every matcher in ``plans`` works on *folded* text: lower case, no diacritics, đ → d. Officials,
phones without a Vietnamese keyboard and OCR all drop or mangle the marks, so matching on the
folded form is the only way the same rule sees "Thường xuyên", "Thuong xuyen" and "Thuong xuyén".
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "fold",
    "fold_aligned",
    "normalize_spaces",
    "roman_to_int",
    "strip_diacritics",
]

_WS_RE = re.compile(r"\s+")
_COMBINING_RE = re.compile(r"[\u0300-\u036f]")

# Characters OCR and Word put where a plain one is meant; mapped one-for-one so that
# fold_aligned keeps offsets.
_EXTRA = {
    "đ": "d",
    "Đ": "d",
    "ð": "d",
    "Ð": "d",
    "ø": "o",
    "Ø": "o",
    "ß": "s",
    "ł": "l",
    "Ł": "l",
    "¢": "e",  # OCR for ệ/ê, as in "nghi¢p"
    "–": "-",
    "—": "-",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "−": "-",
    "‘": "'",
    "’": "'",
    "′": "'",
    "“": '"',
    "”": '"',
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\u200b": " ",
    "\ufeff": " ",
}


def _build_table() -> tuple[dict[int, str], dict[int, str]]:
    """One table for folding (lower + strip marks), one for stripping marks only."""
    fold_table: dict[int, str] = {}
    strip_table: dict[int, str] = {}
    for cp in list(range(0x41, 0x5B)):
        fold_table[cp] = chr(cp + 32)
    for cp in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        if base != ch and base.isascii() and base.isalpha():
            strip_table[cp] = base
            fold_table[cp] = base.lower()
        elif ch.isalpha() and len(ch.lower()) == 1 and ch.lower() != ch:
            fold_table[cp] = ch.lower()
    for ch, rep in _EXTRA.items():
        fold_table[ord(ch)] = rep
        strip_table[ord(ch)] = rep.upper() if ch.isupper() and rep.isalpha() else rep
    return fold_table, strip_table


_FOLD_TABLE, _STRIP_TABLE = _build_table()


def normalize_spaces(s: str) -> str:
    """Collapse every run of whitespace (incl. NBSP, newlines) to one space and strip."""
    return _WS_RE.sub(" ", s.replace("\u00a0", " ")).strip()


def strip_diacritics(s: str) -> str:
    """Remove Vietnamese marks but keep case: "Thường Xuyên" → "Thuong Xuyen"."""
    s = unicodedata.normalize("NFC", s).translate(_STRIP_TABLE)
    if not s.isascii():
        s = _COMBINING_RE.sub("", unicodedata.normalize("NFD", s))
    return s


def fold(s: str) -> str:
    """Lower case, no diacritics (đ → d), whitespace collapsed, stripped.

    ``fold("  Thường   XUYÊN ")`` → ``"thuong xuyen"``.
    """
    if not s:
        return ""
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    s = s.translate(_FOLD_TABLE)
    if not s.isascii():
        s = s.lower()
        if _COMBINING_RE.search(s):
            s = _COMBINING_RE.sub("", unicodedata.normalize("NFD", s))
    return " ".join(s.split())


def fold_aligned(s: str) -> tuple[str, str]:
    """Fold without changing length, so a match offset in the folded text is valid in the original.

    Returns ``(original, folded)``: *original* is ``s`` in NFC (with any stray combining marks
    removed), *folded* is the same length, lower case and without diacritics; whitespace is kept
    as is (patterns use ``\\s+``).
    """
    s = unicodedata.normalize("NFC", s)
    if _COMBINING_RE.search(s):
        s = _COMBINING_RE.sub("", s)
    f = s.translate(_FOLD_TABLE)
    if not f.isascii():
        low = f.lower()
        if len(low) == len(f):
            f = low
        else:  # rare characters whose lower case is longer (e.g. "İ"); keep them as they are
            f = "".join(c.lower() if len(c.lower()) == 1 else c for c in f)
    return s, f


_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100, "d": 500, "m": 1000}
_ROMAN_RE = re.compile(r"^[ivxlcdm]+$")


def roman_to_int(s: str) -> int | None:
    """``"IV"`` → 4, ``"xii"`` → 12; None if *s* is not a roman numeral."""
    t = s.strip().lower()
    if not t or not _ROMAN_RE.match(t):
        return None
    total = 0
    prev = 0
    for ch in reversed(t):
        v = _ROMAN[ch]
        if v < prev:
            total -= v
        else:
            total += v
            prev = v
    return total
