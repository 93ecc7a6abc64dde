"""Make QR codes as inline SVG: vector, deterministic, no ids, cached by payload."""

from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import qrcode
import qrcode.constants
from markupsafe import Markup, escape

QUIET_ZONE = 4
LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


@dataclass(frozen=True)
class QrCode:
    """A QR code ready to place on a page: its payload, size in modules and SVG markup."""

    payload: str
    level: str
    modules: int
    svg: Markup


def _path(matrix: list[list[bool]]) -> str:
    """One SVG path of horizontal runs of dark modules (compact and crisp)."""
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start} {y}h{x - start}v1h{start - x}z")
            else:
                x += 1
    return "".join(parts)


def _attribute(text: str) -> Markup:
    """Escape for an attribute; LF stays exact as a character reference. (HTML has no way to keep a
    CR in an attribute, so payloads never contain one.)"""
    if "\r" in text:
        raise ValueError("a QR payload shown in HTML cannot contain a carriage return")
    return Markup(str(escape(text)).replace("\n", "&#10;"))


def encode(payload: str, level: str) -> list[list[bool]]:
    """The modules of ``payload``'s QR code, quiet zone included."""
    code = qrcode.QRCode(error_correction=LEVELS[level], border=QUIET_ZONE, box_size=1)
    code.add_data(payload.encode("utf-8"))
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


def _svg(payload: str, level: str, size: int, path: str) -> QrCode:
    # The payload rides along in data-qr-payload so anyone can check what a printed code says.
    # No ids: any number of codes can share a page.
    svg = Markup(
        '<svg class="qr-code" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        'shape-rendering="crispEdges" aria-hidden="true" data-qr-payload="{payload}" data-qr-level="{level}">'
        '<rect width="{size}" height="{size}" fill="#fff"/>'
        '<path fill="#000" d="{path}"/></svg>'
    ).format(size=size, payload=_attribute(payload), level=level, path=path)
    return QrCode(payload, level, size, svg)


@functools.lru_cache(maxsize=4096)
def make_qr(payload: str, level: str = "M") -> QrCode:
    """Encode ``payload`` at error-correction ``level`` with a 4-module quiet zone."""
    matrix = encode(payload, level)
    return _svg(payload, level, len(matrix), _path(matrix))


class QrCache:
    """Codes kept on disk by payload, so a rebuild does not encode again what did not change."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    def make(self, payload: str, level: str = "M") -> QrCode:
        if self.directory is None:
            return make_qr(payload, level)
        key = hashlib.sha256(f"{level}\n{payload}".encode()).hexdigest()
        path = self.directory / key[:2] / f"{key}.txt"
        try:
            size, check, drawing = path.read_text(encoding="ascii").split("\n", 2)
            if check == _digest(drawing):  # a torn or edited entry is ignored, never printed
                return _svg(payload, level, int(size), drawing)
        except (OSError, ValueError, UnicodeDecodeError):
            pass
        matrix = encode(payload, level)
        drawing = _path(matrix)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(f"{len(matrix)}\n{_digest(drawing)}\n{drawing}", encoding="ascii")
            os.replace(temporary, path)
        except OSError:
            pass  # a cache that cannot be written only costs time
        return _svg(payload, level, len(matrix), drawing)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]
