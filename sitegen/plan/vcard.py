"""Write vCard 3.0 contact cards (RFC 2426) of people and of organisations: escaped, folded, with N and FN."""

from __future__ import annotations

# Two-character family names; every other Chinese name is taken to start with a one-character one.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 "
    "夏侯 轩辕 令狐 钟离 独孤 南宫 西门 端木 申屠 百里 呼延 澹台".split()
)


def escape_text(value: str) -> str:
    """Escape a vCard text value: backslash, comma, semicolon and newlines."""
    value = value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return value.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def split_name(name: str) -> tuple[str, str]:
    """(family, given) of a name: Chinese names by their surname, others at the last space."""
    name = name.strip()
    if "·" in name or "•" in name:  # transliterated names: given name first, family name last
        given, _, family = name.replace("•", "·").rpartition("·")
        return family, given
    if name and all("\u4e00" <= c <= "\u9fff" for c in name):
        size = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
        return (name[:size], name[size:]) if len(name) > 1 else (name, "")
    if " " in name:
        given, family = name.rsplit(" ", 1)
        return family, given
    return name, ""


def _fold(line: str, newline: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    parts: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not parts else 74  # continuation lines start with a space
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return f"{newline} ".join(parts)


def make_vcard(
    name: str,
    tel: str = "",
    org: str = "",
    title: str = "",
    note: str = "",
    url: str = "",
    newline: str = "\r\n",
    fold: bool = True,
) -> str:
    """A vCard 3.0 for one person; ``tel`` is the number to dial (digits, optional ``,ext``).

    Files use CRLF as the standard says. QR codes use ``newline="\n"``: phone scanners accept it, and
    HTML cannot hold a CR in the data-qr-payload attribute that must show the exact payload; they are
    not folded either (``fold=False``), which keeps the code small.
    """
    family, given = split_name(name)
    lines = [f"N:{escape_text(family)};{escape_text(given)};;;", f"FN:{escape_text(name)}"]
    if org:
        lines.append(f"ORG:{escape_text(org)}")
    if title:
        lines.append(f"TITLE:{escape_text(title)}")
    if tel:
        lines.append(f"TEL;TYPE=VOICE:{tel}")
    return _card(lines, url, note, newline, fold)


def make_org_vcard(
    name: str, tel: str = "", label: str = "", note: str = "", url: str = "", newline: str = "\r\n", fold: bool = True
) -> str:
    """A vCard 3.0 for an organisation: a property company, an office, a hotline, a shop.

    Its name is the ORG and the FN, and N is empty, so that no address book files it under its first
    character as a surname. vCard 3.0 has no KIND (vCard 4 added it): ``X-ABShowAs:COMPANY`` marks a
    company as Apple's Contacts does, and ``label`` names the number (``X-ABLabel``, e.g. 物业服务电话),
    grouped with its TEL. Files and QR codes as for ``make_vcard``.
    """
    lines = ["N:;;;;", f"FN:{escape_text(name)}", f"ORG:{escape_text(name)}", "X-ABShowAs:COMPANY"]
    if tel and label:
        lines += [f"item1.TEL;TYPE=WORK,VOICE:{tel}", f"item1.X-ABLabel:{escape_text(label)}"]
    elif tel:
        lines.append(f"TEL;TYPE=WORK,VOICE:{tel}")
    return _card(lines, url, note, newline, fold)


def _card(lines: list[str], url: str, note: str, newline: str, fold: bool) -> str:
    lines = ["BEGIN:VCARD", "VERSION:3.0", *lines]
    if url:
        lines.append(f"URL:{url}")
    if note:
        lines.append(f"NOTE:{escape_text(note)}")
    lines.append("END:VCARD")
    return "".join((_fold(line, newline) if fold else line) + newline for line in lines)
