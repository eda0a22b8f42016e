"""Tests for the credit-code check (GB 32100-2015), with the public vectors of docs/rules.md."""

from __future__ import annotations

import pytest

from orchestration.identity import USCC_ALPHABET, is_valid_uscc, uscc_check_char


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # the three vectors of docs/rules.md
        ("915000007339743120", True),
        ("91110000802085421K", True),
        ("91500000747150426A", False),  # right check character would be W
        ("91500000747150426W", True),
        # wrong length
        ("", False),
        ("91500000733974312", False),  # 17 characters
        ("9150000073397431200", False),  # 19 characters
        # letters outside the alphabet, check character recomputed so only the letter is wrong
        ("91500000I339743120", False),
        ("91500000O339743120", False),
        ("91500000Z339743120", False),
        ("91500000S339743120", False),
        ("91500000V339743120", False),
        # lower case and spaces are not cleaned up here
        ("91110000802085421k", False),
        ("91110000802085421K ", False),
        (" 91110000802085421K", False),
        ("9111 0000802085421K", False),
        ("91110000-802085421K", False),
        ("９１５０００００７３３９７４３１２０", False),  # full-width digits
    ],
)
def test_is_valid_uscc(code: str, expected: bool) -> None:
    assert is_valid_uscc(code) is expected


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("91500000733974312", "0"),  # Σ value×weight ≡ 0 (mod 31): 31 becomes 0
        ("91110000802085421", "K"),
        ("91500000747150426", "W"),
    ],
)
def test_uscc_check_char(first17: str, check: str) -> None:
    assert uscc_check_char(first17) == check


@pytest.mark.parametrize(
    "first17", ["9150000073397431", "915000007339743120", "9150000073397431i", "91500000I33974312"]
)
def test_uscc_check_char_rejects_malformed_body(first17: str) -> None:
    with pytest.raises(ValueError):
        uscc_check_char(first17)


def test_alphabet_has_31_characters_without_i_o_z_s_v() -> None:
    assert len(USCC_ALPHABET) == 31
    assert not set("IOZSV") & set(USCC_ALPHABET)


def test_is_valid_uscc_rejects_non_strings() -> None:
    assert is_valid_uscc(915000007339743120) is False  # type: ignore[arg-type]
    assert is_valid_uscc(None) is False  # type: ignore[arg-type]
