"""Enterprise identity: the unified social credit code (统一社会信用代码, GB 32100-2015).

Pure functions, no I/O: the check character of a code and whether a code is well formed.
"""

from __future__ import annotations

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters a credit code may use, in value order 0..30 (no I, O, Z, S, V)."""

USCC_LENGTH = 18

_VALUE = {char: value for value, char in enumerate(USCC_ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(USCC_LENGTH - 1))


def uscc_check_char(first17: str) -> str:
    """Return the check character (position 18) for the first 17 characters of a credit code.

    Raises ValueError when `first17` is not 17 characters of the credit-code alphabet.
    """
    if len(first17) != USCC_LENGTH - 1:
        raise ValueError(f"credit code body must be 17 characters, got {len(first17)}: {first17!r}")
    bad = [char for char in first17 if char not in _VALUE]
    if bad:
        raise ValueError(f"credit code body {first17!r} has characters outside the alphabet: {bad!r}")
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True when `code` is 18 characters of the alphabet and its check character is right.

    Strict: lower case, spaces and other separators make a code invalid; cleaning them
    up is the ingest's job, not this check's.
    """
    if not isinstance(code, str) or len(code) != USCC_LENGTH:
        return False
    if any(char not in _VALUE for char in code):
        return False
    return uscc_check_char(code[:-1]) == code[-1]
