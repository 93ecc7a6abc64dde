"""Regular expressions that accept exactly what the checker accepts, for the JSON Schema editors use.

The checker reads every value as the text written; editors' YAML tools read plain numbers as
numbers and everything else as text. For text, these patterns stand in for the checker: whole
numbers within bounds (with leading zeros, as the checker reads them), calendar dates that exist,
times of day, compass words in any case. Digits may be full-width (as a Chinese input method types
them): the checker reads those too.
"""

from __future__ import annotations

_FULL_WIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}
DIGIT = "[0-9０-９]"


def digits(low: str, high: str) -> str:
    """A character class of the digits from ``low`` to ``high``, ASCII or full-width."""
    if low == high:
        return f"[{low}{_FULL_WIDTH[low]}]"
    return f"[{low}-{high}{_FULL_WIDTH[low]}-{_FULL_WIDTH[high]}]"


def _same_length(low: str, high: str) -> list[str]:
    """Alternatives matching the numbers from ``low`` to ``high``, written with as many digits as they have."""
    if not low:
        return [""]
    if low[0] == high[0]:
        return [digits(low[0], low[0]) + rest for rest in _same_length(low[1:], high[1:])]
    tail = len(low) - 1
    anything = f"{DIGIT}{{{tail}}}" if tail else ""
    parts = []
    if low[1:] == "0" * tail:
        parts.append(digits(low[0], low[0]) + anything)
    else:
        parts += [digits(low[0], low[0]) + rest for rest in _same_length(low[1:], "9" * tail)]
    first, last = int(low[0]) + 1, int(high[0]) - 1
    if high[1:] == "9" * tail:
        last += 1
    if first <= last:
        parts.append(digits(str(first), str(last)) + anything)
    if high[1:] != "9" * tail:
        parts += [digits(high[0], high[0]) + rest for rest in _same_length("0" * tail, high[1:])]
    return parts


def _positive(low: int, high: int) -> str:
    """The numbers from ``low`` to ``high`` (1 <= low <= high) without leading zeros."""
    parts = []
    while low <= high:
        top = min(high, 10 ** len(str(low)) - 1)
        parts += _same_length(str(low), str(top))
        low = top + 1
    return "|".join(parts)


def integer_range(minimum: int, maximum: int) -> str:
    """A pattern of the whole numbers from ``minimum`` to ``maximum`` as the checker reads them.

    A sign may lead (`+5`, `-5`), zeros may follow it (`0392`), and blanks may surround it.
    """
    return rf"^\s*(?:{_whole_numbers(minimum, maximum)})\s*$"


def _whole_numbers(minimum: int, maximum: int) -> str:
    options = []
    if maximum >= 1:
        options.append(rf"\+?0*(?:{_positive(max(minimum, 1), maximum)})")
    if minimum <= -1:
        options.append(rf"-0*(?:{_positive(max(-maximum, 1), -minimum)})")
    if minimum <= 0 <= maximum:
        options.append(r"[-+]?0+")
    return "|".join(options)


def case_blind(word: str) -> str:
    """A pattern of ``word`` in any mix of upper and lower case."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.lower() != c.upper() else _escape(c) for c in word)


def _escape(char: str) -> str:
    return "\\" + char if char in r".^$*+?()[]{}|\-/" else char


def words(options: list[str], numbers: list[int] | None = None) -> str:
    """A pattern of any of ``options`` in any case, or of ``numbers`` as the checker reads them, with blanks around."""
    alternatives = [case_blind(w) for w in sorted(options, key=len, reverse=True)]
    alternatives += [_whole_numbers(n, n) for n in numbers or []]
    return rf"^\s*(?:{'|'.join(alternatives)})\s*$"


def _days(months: str, last: int) -> str:
    month = f"(?:{'|'.join(f'0?{m}' if len(m) == 1 else m for m in months.split(','))})"
    tens = {28: f"0?[1-9]|1{DIGIT}|2[0-8]", 30: f"0?[1-9]|[12]{DIGIT}|30", 31: f"0?[1-9]|[12]{DIGIT}|3[01]"}[last]
    return f"{month}{_MONTH_DAY}(?:{tens})"


_YEAR_DAY, _MONTH_DAY = "[-/.年]", "[-/.月]"


def _ascii_to_both(pattern: str) -> str:
    """Let every ASCII digit (single or in a class) in ``pattern`` be full-width too."""
    out, index = [], 0
    while index < len(pattern):
        char = pattern[index]
        if char == "[":
            end = pattern.index("]", index)
            inner = pattern[index + 1 : end]
            extra = "".join(_FULL_WIDTH[c] if c.isdigit() and c.isascii() else ("-" if c == "-" else "") for c in inner)
            out.append(f"[{inner}{extra if any(c.isdigit() for c in inner) else ''}]")
            index = end + 1
            continue
        out.append(f"[{char}{_FULL_WIDTH[char]}]" if char.isdigit() and char.isascii() else char)
        index += 1
    return "".join(out)


def date_pattern() -> str:
    """Dates from 1900 to 2100 that exist, written year-month-day with `-`, `/`, `.` or 年月日."""
    year = "(?:19[0-9][0-9]|20[0-9][0-9]|2100)"
    leap = "(?:19(?:0[48]|[2468][048]|[13579][26])|20(?:0[048]|[2468][048]|[13579][26]))"
    months = "|".join(
        [
            _days("1,3,5,7,8,10,12", 31).replace(DIGIT, "[0-9]"),
            _days("4,6,9,11", 30).replace(DIGIT, "[0-9]"),
            _days("2", 28).replace(DIGIT, "[0-9]"),
        ]
    )
    common = f"{year}{_YEAR_DAY}(?:{months})"
    leap_day = f"{leap}{_YEAR_DAY}0?2{_MONTH_DAY}29"
    return rf"^\s*(?:{_ascii_to_both(common)}|{_ascii_to_both(leap_day)})日?\s*$"


TIME_PATTERN = _ascii_to_both(r"^\s*(?:[01]?[0-9]|2[0-3])[:：][0-5][0-9]\s*$")


def _numbers(*groups: str) -> str:
    """Digits given class by class (``"1", "[3-9]", "D"``…), each followed by any separators."""
    separator = r"[\s\-–—()（）.·－．]*"
    return "".join(f"{DIGIT if g == 'D' else _ascii_to_both(g)}{separator}" for g in groups)


def _run(count: int) -> tuple[str, ...]:
    return ("D",) * count


def phone_pattern() -> str:
    """Phone numbers as :func:`sitegen.content.phone.parse_phone` reads them (local numbers of 7 or 8
    digits are taken to follow the community's area code, which site.yaml gives)."""
    kept = [  # numbers that +86 may come before as they are
        _numbers("1", "[3-9]", *_run(9)),  # mobile
        *(_numbers("1", *_run(n)) for n in (2, 4, 5)),  # 110, 12345, 123456
        _numbers("[48]", "0", "0", *_run(7)),  # 400 / 800
        *(_numbers("[148]", *_run(n)) for n in (6, 7)),  # local numbers (after the area code)
    ]
    own = [
        *(_numbers("9", "[56]", *_run(n)) for n in (3, 4)),  # 95598
        *(_numbers("[235679]", *_run(n)) for n in (6, 7)),  # more local numbers
    ]
    landline = [
        _numbers("0", "1", "0", *_run(8)),
        _numbers("0", "2", *_run(9)),
        _numbers("0", "1", "[1-9]", "D", *_run(7)),
        _numbers("0", "1", "[1-9]", "D", *_run(8)),
        _numbers("0", "[3-9]", "D", "D", *_run(7)),
        _numbers("0", "[3-9]", "D", "D", *_run(8)),
    ]
    after_country = [  # +86 before a landline's area code without its 0
        _numbers("1", "0", *_run(8)),
        _numbers("2", *_run(9)),
        _numbers("[35679]", "D", "D", *_run(7)),
        _numbers("[35679]", "D", "D", *_run(8)),
    ]
    separators = r"[\s\-–—()（）.·－．]*"
    country = rf"(?:[+＋]|0{separators}0){separators}8{separators}6{separators}"
    extension = rf"(?:转|分机|[Ee][Xx][Tt]\.?|[XxｘＸ]|[,，])\s*{DIGIT}{{1,6}}"
    body = rf"(?:{'|'.join(kept + own + landline)}|{country}(?:{'|'.join(kept + landline + after_country)}))"
    return rf"^\s*{separators}{body}(?:{extension})?\s*$"
