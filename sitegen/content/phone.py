"""Parse Chinese phone numbers as editors write them into a dialable, readable form."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sitegen.i18n import _

# Area codes of three digits (010 Beijing, 02x big cities); every other area code has four.
_THREE_DIGIT_AREA = re.compile(r"^0(10|2\d)")
_SEPARATORS = re.compile(r"[\s\-–—()（）.·]+")
_EXTENSION = re.compile(r"(?:转|分机|ext\.?|x|,|，)\s*(\d{1,6})$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Phone:
    """A validated phone number: ``digits`` to dial, ``display`` to read, ``extension`` if any."""

    digits: str
    display: str
    extension: str = ""

    @property
    def tel(self) -> str:
        """The ``tel:`` URI; an extension is dialled after a pause."""
        return f"tel:{self.digits}" + (f",{self.extension}" if self.extension else "")

    @property
    def is_mobile(self) -> bool:
        return len(self.digits) == 11 and self.digits[0] == "1"

    @property
    def label(self) -> str:
        """The readable number with its extension."""
        return self.display + (f" 转 {self.extension}" if self.extension else "")


class PhoneError(ValueError):
    """The text is not a phone number; ``hint`` says how to write one."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


def _group(digits: str, sizes: tuple[int, ...]) -> str:
    parts, start = [], 0
    for size in sizes:
        parts.append(digits[start : start + size])
        start += size
    if start < len(digits):
        parts.append(digits[start:])
    return " ".join(p for p in parts if p)


def _landline(digits: str) -> str:
    area = 3 if _THREE_DIGIT_AREA.match(digits) else 4
    local = digits[area:]
    return f"{digits[:area]}-{_group(local, (len(local) - 4, 4))}"


def parse_phone(text: str, area_code: str = "") -> Phone:
    """Return the Phone written in ``text``, or raise PhoneError saying what is wrong.

    Accepted: mobile numbers (11 digits from 13–19), landlines with area code, local numbers when
    the community's ``area_code`` is known, short service numbers (110, 12345, 95598) and
    400/800 numbers. Spaces, dashes, brackets and a leading +86 are allowed; an extension may follow
    after 转, ext or a comma.
    """
    raw = unicodedata.normalize("NFKC", text).strip()  # full-width digits typed with a Chinese IME
    extension = ""
    match = _EXTENSION.search(raw)
    if match and match.start() > 0:
        extension, raw = match.group(1), raw[: match.start()]
    compact = _SEPARATORS.sub("", raw)
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            compact = compact[len(prefix) :]
            if compact[:1] not in ("1", "0", "4", "8", "") or (compact[:2] == "10" and len(compact) == 10):
                compact = "0" + compact  # +86 29 … is the landline 029 …, +86 10 … Beijing
            break
    if not compact:
        raise PhoneError(_("the phone number is empty"), _("write the number, e.g. 139 0000 0101"))
    if not compact.isdigit() or not compact.isascii():
        bad = next(c for c in compact if not (c.isascii() and c.isdigit()))
        raise PhoneError(
            _("`{text}` is not a phone number: it contains `{bad}`", text=text.strip(), bad=bad),
            _("write only digits, spaces and dashes; put notes like opening hours in their own field"),
        )
    if compact[0] == "1" and len(compact) == 11:
        if compact[1] not in "3456789":
            raise PhoneError(
                _("`{text}` is not a mobile number", text=text.strip()), _("mobile numbers start with 13–19")
            )
        return Phone(compact, _group(compact, (3, 4, 4)), extension)
    if compact[0] == "1" and len(compact) in (3, 5, 6):
        return Phone(compact, compact, extension)
    if compact[:2] == "95" or compact[:2] == "96":
        if len(compact) in (5, 6):
            return Phone(compact, compact, extension)
    if compact[:3] in ("400", "800") and len(compact) == 10:
        return Phone(compact, f"{compact[:3]}-{compact[3:6]}-{compact[6:]}", extension)
    if compact[0] == "0" and compact[1:2] != "0" and 10 <= len(compact) <= 12:
        area = 3 if _THREE_DIGIT_AREA.match(compact) else 4
        # Cities with three-digit area codes have eight-digit local numbers.
        if len(compact) - area == 8 or (area == 4 and len(compact) - area == 7):
            return Phone(compact, _landline(compact), extension)
        raise PhoneError(
            _(
                "`{text}` has {count} digits after the area code {area}",
                text=text.strip(),
                count=len(compact) - area,
                area=compact[:area],
            ),
            _("local numbers in area {area} have 8 digits", area=compact[:area])
            if area == 3
            else _("local numbers in area {area} have 7 or 8 digits", area=compact[:area]),
        )
    if compact[0] != "0" and len(compact) in (7, 8):
        if area_code:
            try:
                return parse_phone(f"{area_code}{compact}" + (f"转{extension}" if extension else ""))
            except PhoneError as exc:
                raise PhoneError(
                    _("`{text}` has {count} digits", text=text.strip(), count=len(compact)), exc.hint
                ) from None
        raise PhoneError(
            _("`{text}` has no area code", text=text.strip()),
            _(
                "residents call from mobiles: write the area code first, e.g. 029-0000 1234, "
                "or set `area_code` in site.yaml"
            ),
        )
    if compact[0] == "1" and 9 <= len(compact) <= 13:
        hint = _("a mobile number has 11 digits; this one has {count}", count=len(compact))
    else:
        hint = _(
            "write a mobile (139 0000 0101), a landline with area code (029-0000 1234) or a service number (12345)"
        )
    raise PhoneError(_("`{text}` is not a valid phone number", text=text.strip()), hint)
