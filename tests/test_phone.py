"""parse_phone: the numbers editors write, as residents read them (display) and dial them (tel)."""

from __future__ import annotations

import pytest

from sitegen.content.phone import Phone, PhoneError, parse_phone


def phone(text: str, area_code: str = "") -> tuple[str, str, str]:
    parsed = parse_phone(text, area_code)
    return parsed.digits, parsed.display, parsed.tel


def error(text: str, area_code: str = "") -> tuple[str, str]:
    with pytest.raises(PhoneError) as info:
        parse_phone(text, area_code)
    return str(info.value), info.value.hint


# --- mobiles -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "13900000001",
        "139 0000 0001",
        "139-0000-0001",
        " 139 0000 0001 ",
        "+86 139 0000 0001",
        "+8613900000001",
        "+86-139-0000-0001",
        "0086 139 0000 0001",
        "(+86) 139 0000 0001",
    ],
)
def test_mobile_numbers(text: str) -> None:
    assert phone(text) == ("13900000001", "139 0000 0001", "tel:13900000001")


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_every_mobile_prefix(prefix: str) -> None:
    parsed = parse_phone(prefix + "912345678")
    assert parsed.is_mobile
    assert parsed.display == f"{prefix}9 1234 5678"


def test_mobile_with_wrong_second_digit() -> None:
    assert error("120 0000 0000") == ("`120 0000 0000` is not a mobile number", "mobile numbers start with 13–19")


def test_mobile_one_digit_short() -> None:
    assert error("139 0000 001") == (
        "`139 0000 001` is not a valid phone number",
        "a mobile number has 11 digits; this one has 10",
    )


def test_mobile_one_digit_long() -> None:
    assert error("139 0000 00012")[1] == "a mobile number has 11 digits; this one has 12"


# --- landlines ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "digits", "display"),
    [
        ("029-8888 7777", "02988887777", "029-8888 7777"),
        ("029-88887777", "02988887777", "029-8888 7777"),
        ("02988887777", "02988887777", "029-8888 7777"),
        ("(029) 8888 7777", "02988887777", "029-8888 7777"),
        ("（029）8888-7777", "02988887777", "029-8888 7777"),
        ("010-6666 5555", "01066665555", "010-6666 5555"),
        ("021 5555 6666", "02155556666", "021-5555 6666"),
    ],
)
def test_landlines_with_three_digit_area_codes(text: str, digits: str, display: str) -> None:
    assert phone(text) == (digits, display, f"tel:{digits}")


@pytest.mark.parametrize(
    ("text", "digits", "display"),
    [
        ("0917-123 4567", "09171234567", "0917-123 4567"),
        ("0917-1234567", "09171234567", "0917-123 4567"),
        ("0512-6666 5555", "051266665555", "0512-6666 5555"),
        ("0512 66665555", "051266665555", "0512-6666 5555"),
    ],
)
def test_landlines_with_four_digit_area_codes(text: str, digits: str, display: str) -> None:
    assert phone(text) == (digits, display, f"tel:{digits}")


def test_landline_is_not_a_mobile() -> None:
    assert not parse_phone("029-8888 7777").is_mobile


@pytest.mark.parametrize(
    ("text", "digits", "display"),
    [
        ("+86 29 8888 7777", "02988887777", "029-8888 7777"),
        ("+86-21-5555-6666", "02155556666", "021-5555 6666"),
        ("0086 917 123 4567", "09171234567", "0917-123 4567"),
        ("+86 400 123 4567", "4001234567", "400-123-4567"),
    ],
)
def test_international_landline_gets_its_area_code_back(text: str, digits: str, display: str) -> None:
    assert phone(text) == (digits, display, f"tel:{digits}")


def test_international_beijing_landline() -> None:
    assert phone("+86 10 6666 5555") == ("01066665555", "010-6666 5555", "tel:01066665555")


def test_three_digit_area_code_needs_eight_local_digits() -> None:
    message, _hint = error("029-8888 777")
    assert "029-8888 777" in message


def test_seven_digit_local_number_in_a_city_with_eight() -> None:
    error("888 7777", area_code="029")


# --- extensions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "029-8888 7777转123",
        "029-8888 7777 转 123",
        "029-8888 7777分机123",
        "029-8888 7777 ext 123",
        "029-8888 7777 ext.123",
        "029-8888 7777 EXT 123",
        "029-8888 7777 x123",
        "029-8888 7777,123",
        "029-8888 7777，123",
    ],
)
def test_extensions(text: str) -> None:
    parsed = parse_phone(text)
    assert (parsed.digits, parsed.extension) == ("02988887777", "123")
    assert parsed.display == "029-8888 7777"
    assert parsed.label == "029-8888 7777 转 123"
    assert parsed.tel == "tel:02988887777,123"


def test_no_extension_label_is_the_display() -> None:
    assert parse_phone("029-8888 7777").label == "029-8888 7777"


def test_extension_marker_without_digits() -> None:
    message, _hint = error("139 0000 0001转")
    assert message == "`139 0000 0001转` is not a phone number: it contains `转`"


def test_extension_alone_is_not_a_number() -> None:
    assert error("转123")[0] == "`转123` is not a phone number: it contains `转`"


# --- service numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["110", "119", "120", "122", "12345", "12315", "12110", "95598", "95555", "96110"])
def test_short_service_numbers(number: str) -> None:
    assert phone(number) == (number, number, f"tel:{number}")
    assert phone(number, area_code="029") == (number, number, f"tel:{number}")


@pytest.mark.parametrize(
    ("text", "digits", "display"),
    [
        ("400-123-4567", "4001234567", "400-123-4567"),
        ("4001234567", "4001234567", "400-123-4567"),
        ("400 123 4567", "4001234567", "400-123-4567"),
        ("800-123-4567", "8001234567", "800-123-4567"),
    ],
)
def test_400_and_800_numbers(text: str, digits: str, display: str) -> None:
    assert phone(text) == (digits, display, f"tel:{digits}")


def test_400_number_one_digit_short() -> None:
    message, hint = error("400-123-456")
    assert message == "`400-123-456` is not a valid phone number"
    assert hint == (
        "write a mobile (139 0000 0101), a landline with area code (029-0000 1234) or a service number (12345)"
    )


# --- local numbers and area_code ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["8888 7777", "88887777", "8888-7777"])
def test_local_number_with_area_code(text: str) -> None:
    assert phone(text, area_code="029") == ("02988887777", "029-8888 7777", "tel:02988887777")


def test_local_seven_digit_number_with_four_digit_area_code() -> None:
    assert phone("123 4567", area_code="0917") == ("09171234567", "0917-123 4567", "tel:09171234567")


def test_local_number_keeps_its_extension() -> None:
    parsed = parse_phone("8888 7777 转 12", area_code="029")
    assert (parsed.digits, parsed.extension, parsed.tel) == ("02988887777", "12", "tel:02988887777,12")


def test_area_code_does_not_change_full_numbers() -> None:
    assert phone("0917-123 4567", area_code="029") == ("09171234567", "0917-123 4567", "tel:09171234567")
    assert phone("139 0000 0001", area_code="029")[0] == "13900000001"


def test_local_number_without_area_code() -> None:
    assert error("8888 7777") == (
        "`8888 7777` has no area code",
        "residents call from mobiles: write the area code first, e.g. 029-0000 1234, or set `area_code` in site.yaml",
    )


# --- malformed input ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "+86", "()", "-"])
def test_empty(text: str) -> None:
    assert error(text) == ("the phone number is empty", "write the number, e.g. 139 0000 0101")


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("abc", "a"),
        ("029-8888 七七七七", "七"),
        ("139 0000 000l", "l"),
        ("11O", "O"),
        ("029-8888 7777 / 029-8888 6666", "/"),
        ("029-8888 7777（白天）", "白"),
        ("+1 650 555 1234", "+"),
    ],
)
def test_letters_and_words(text: str, bad: str) -> None:
    assert error(text) == (
        f"`{text}` is not a phone number: it contains `{bad}`",
        "write only digits, spaces and dashes; put notes like opening hours in their own field",
    )


@pytest.mark.parametrize("text", ["12", "0", "029", "029-123", "02988887777123", "0029 8888 7777", "00000000000"])
def test_wrong_lengths(text: str) -> None:
    message, hint = error(text)
    assert message == f"`{text}` is not a valid phone number"
    assert hint


@pytest.mark.parametrize(
    "text", ["１３９ ００００ ０００１", "１３９００００００01", "＋８６ １３９ ００００ ０００１"]
)
def test_full_width_digits_are_read_as_digits(text: str) -> None:
    # What a Chinese input method types in full-width mode.
    assert phone(text) == ("13900000001", "139 0000 0001", "tel:13900000001")


def test_phone_is_a_value() -> None:
    assert parse_phone("139-0000-0001") == Phone("13900000001", "139 0000 0001")
