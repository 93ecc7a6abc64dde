"""Safety signs in the style of ISO 7010, drawn for sitegen: the fixed table of codes and their SVG."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

SAFE_GREEN = "#00804a"
FIRE_RED = "#c8102e"
WHITE = "#fff"


@dataclass(frozen=True)
class Sign:
    """One sign: its ISO 7010 code, names, and whether it is a safe-condition or fire-equipment sign."""

    code: str
    name: str
    english: str
    fire: bool
    drawing: str

    @property
    def colour(self) -> str:
        return FIRE_RED if self.fire else SAFE_GREEN


# White pictograms on a 100 × 100 square. Simplified: recognisable at 8 mm on a plan.
_RUNNER = (
    '<circle cx="36" cy="22" r="8"/>'
    '<path d="M33 33 L24 56 M33 33 L46 50 L58 46 M30 42 L18 46 M24 56 L14 74 M24 56 L38 66 L40 84" '
    'stroke="#fff" stroke-width="8" stroke-linecap="round" stroke-linejoin="round" fill="none"/>'
)
_DOOR = '<path d="M62 14 H88 V88 H62 Z" stroke="#fff" stroke-width="6" fill="none"/>'
_CROSS = '<path d="M40 18 H60 V40 H82 V60 H60 V82 H40 V60 H18 V40 H40 Z"/>'
_SMALL_CROSS = '<path d="M74 8 H82 V16 H90 V24 H82 V32 H74 V24 H66 V16 H74 Z"/>'
_HANDSET = (
    '<path d="M22 30 C22 20 30 16 38 20 L44 34 C46 38 42 42 38 44 C42 54 48 60 58 64 '
    'C60 60 64 56 68 58 L82 64 C86 72 82 80 72 80 C44 80 22 58 22 30 Z"/>'
)
_HEART = (
    '<path d="M50 84 C30 68 14 56 14 38 C14 26 24 18 34 18 C42 18 47 22 50 28 '
    'C53 22 58 18 66 18 C76 18 86 26 86 38 C86 56 70 68 50 84 Z"/>'
)
_BOLT = f'<path d="M54 28 L40 54 H50 L44 74 L62 44 H52 L58 28 Z" fill="{SAFE_GREEN}"/>'
_PEOPLE = (
    '<circle cx="38" cy="42" r="5"/><circle cx="50" cy="38" r="5.5"/><circle cx="62" cy="42" r="5"/>'
    '<path d="M32 64 V52 Q38 47 44 52 V64 Z M43 62 V48 Q50 43 57 48 V62 Z M56 64 V52 Q62 47 68 52 V64 Z"/>'
)
_INWARD_ARROWS = (
    '<path d="M8 8 L28 14 L20 20 L30 30 L30 30 L20 20 L14 28 Z"/>'
    '<path d="M92 8 L86 28 L80 20 L70 30 L80 20 L72 14 Z"/>'
    '<path d="M8 92 L14 72 L20 80 L30 70 L20 80 L28 86 Z"/>'
    '<path d="M92 92 L72 86 L80 80 L70 70 L80 80 L86 72 Z"/>'
    '<path d="M20 20 L30 30 M80 20 L70 30 M20 80 L30 70 M80 80 L70 70" stroke="#fff" stroke-width="5"/>'
)
_EXTINGUISHER = (
    '<rect x="34" y="34" width="26" height="54" rx="9"/>'
    '<path d="M40 34 V24 H54 V34 Z"/>'
    '<path d="M47 24 V18 H30 L18 30" stroke="#fff" stroke-width="5" fill="none" stroke-linecap="round"/>'
    '<path d="M54 22 L70 16" stroke="#fff" stroke-width="5" stroke-linecap="round"/>'
)
_FLAME = (
    '<path d="M78 88 C66 88 62 78 66 70 C68 76 72 76 72 72 C70 64 76 56 80 52 '
    'C80 62 90 66 88 78 C87 84 84 88 78 88 Z"/>'
)
_REEL = (
    '<circle cx="44" cy="50" r="28" stroke="#fff" stroke-width="7" fill="none"/>'
    '<circle cx="44" cy="50" r="14" stroke="#fff" stroke-width="6" fill="none"/>'
    '<circle cx="44" cy="50" r="4"/>'
    '<path d="M72 50 H84 L92 44 V56 L84 50" stroke="#fff" stroke-width="5" fill="#fff" stroke-linejoin="round"/>'
)
_CALL_POINT = (
    '<rect x="22" y="22" width="46" height="56" rx="4" stroke="#fff" stroke-width="6" fill="none"/>'
    '<circle cx="45" cy="50" r="10"/>'
    '<path d="M76 34 Q84 50 76 66 M84 26 Q96 50 84 74" stroke="#fff" stroke-width="5" fill="none" '
    'stroke-linecap="round"/>'
)

SIGNS: dict[str, Sign] = {
    sign.code: sign
    for sign in (
        Sign("E001", "紧急出口", "Emergency exit", False, _RUNNER + _DOOR),
        Sign("E002", "紧急出口（右）", "Emergency exit (right)", False, _RUNNER + _DOOR),
        Sign("E003", "急救箱", "First aid", False, _CROSS),
        Sign("E004", "紧急电话", "Emergency telephone", False, _HANDSET + _SMALL_CROSS),
        Sign("E007", "应急避难场所", "Evacuation assembly point", False, _INWARD_ARROWS + _PEOPLE),
        Sign("E009", "医生", "Doctor", False, _CROSS + '<circle cx="50" cy="50" r="6" fill="#00804a"/>'),
        Sign("E010", "自动体外除颤器（AED）", "Automated external defibrillator", False, _HEART + _BOLT + _SMALL_CROSS),
        Sign("F001", "灭火器", "Fire extinguisher", True, _EXTINGUISHER + _FLAME),
        Sign("F002", "消防软管卷盘", "Fire hose reel", True, _REEL),
        Sign(
            "F004",
            "消防设施（含室外消火栓）",
            "Collection of firefighting equipment",
            True,
            _EXTINGUISHER + _REEL.replace("44", "62"),
        ),
        Sign("F005", "火灾报警按钮", "Fire alarm call point", True, _CALL_POINT),
        Sign("F006", "消防电话", "Fire emergency telephone", True, _HANDSET + _FLAME),
    )
}


def symbol_defs() -> Markup:
    """A hidden SVG defining every sign as ``#iso-<code>``: once per page that shows plans."""
    parts = []
    for code in sorted(SIGNS):
        sign = SIGNS[code]
        parts.append(
            f'<symbol id="iso-{code}" viewBox="0 0 100 100">'
            f'<rect width="100" height="100" rx="6" fill="{sign.colour}"/>'
            f'<g fill="{WHITE}">{sign.drawing}</g></symbol>'
        )
    return Markup(
        '<svg class="sign-defs" aria-hidden="true" focusable="false" style="display:none">'
        "<defs>" + "".join(parts) + "</defs></svg>"
    )
