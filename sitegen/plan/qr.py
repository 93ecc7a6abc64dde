"""Make QR codes as inline SVG: vector, deterministic, no ids, cached by payload."""

from __future__ import annotations

import base64
import functools
import hashlib
import importlib.util
import itertools
import json
import os
import re
import zlib
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from sitegen import cache

QUIET_ZONE = 4
# Error correction levels, by the constants of the qrcode library (the fallback encoder, imported when
# a code is first made: loading it takes longer than an edit's whole build).
LEVELS = {"L": 1, "M": 0, "Q": 3, "H": 2}


@dataclass(frozen=True)
class QrCode:
    """A QR code ready to place on a page: its payload, size in modules and SVG markup."""

    payload: str
    level: str
    modules: int
    svg: Markup


_DARK_RUN = re.compile("1+")
_BITS = bytes.maketrans(b"\x00\x01", b"01")
# zxing-cpp draws a dark module as 0 and a light one as 255.
_PIXELS = bytes([ord("1")] + [ord("0")] * 255)


def _rows(matrix: list[list[bool]]) -> list[str]:
    """The modules as one string of 0 (light) and 1 (dark) per row."""
    return [bytes(row).translate(_BITS).decode("ascii") for row in matrix]


def _path(rows: list[str]) -> str:
    """One SVG path stroking each horizontal run of dark modules along the middle of its row.

    A stroke one module wide covers the run exactly; moves are relative, so a typical code takes
    half the bytes of one rectangle per run (a district prints tens of thousands of codes). The rows
    are searched as one string, a light module between each two, so that no run spans two rows.
    """
    width = len(rows[0]) + 1 if rows else 1
    parts = []
    first = True
    x = y = 0  # where the pen stopped: after the last run
    for run in _DARK_RUN.finditer("0".join(rows)):
        start, end = run.span()
        row, column = divmod(start, width)
        if first:
            parts.append(f"M{column} {row}.5h{end - start}")
            first = False
        else:
            parts.append(f"m{column - x} {row - y}h{end - start}")
        x, y = column + end - start, row
    return "".join(parts)


def _attribute(text: str) -> Markup:
    """Escape for an attribute; LF stays exact as a character reference. (HTML has no way to keep a
    CR in an attribute, so payloads never contain one.)"""
    if "\r" in text:
        raise ValueError("a QR payload shown in HTML cannot contain a carriage return")
    return Markup(str(escape(text)).replace("\n", "&#10;"))


def _mask(payload: str) -> int:
    """The mask pattern, picked from the payload rather than by scoring all eight (which takes several
    times longer, and a district's cold build makes tens of thousands of codes): every mask is valid
    and readers decode them all, as the print tests check by decoding every printed code."""
    return zlib.crc32(payload.encode("utf-8")) % 8


@functools.cache
def _zxing() -> Any:
    """zxing-cpp's writer, or None where it is not installed (then the qrcode library encodes)."""
    try:
        import zxingcpp
    except ImportError:
        return None
    return zxingcpp


@functools.cache
def encoder() -> str:
    """Which libraries encode the codes, and which build of each (its compiled module or code file).

    Codes kept in the cache, and the pages that show them, were made by these: others (a library
    installed, removed or upgraded) may draw other modules for the same text, so they are made again.
    """
    modules = [("zxing-cpp", "zxingcpp.zxingcpp")] if _zxing() is not None else []
    return "; ".join(_library(name, module) for name, module in [*modules, ("qrcode", "qrcode")])


def _library(name: str, module: str) -> str:
    spec = importlib.util.find_spec(module)
    origin = spec.origin if spec is not None and spec.origin else ""
    try:
        info = os.stat(origin)
    except OSError:
        return name
    return f"{name} {os.path.basename(origin)} {info.st_size} {info.st_mtime_ns}"


def encode(payload: str, level: str) -> list[str]:
    """The modules of ``payload``'s QR code, one string of 0 (light) and 1 (dark) per row, quiet zone included.

    zxing-cpp's writer (libzint, compiled: a fifth of the pure-Python library's time or less)
    encodes text in ASCII, which is nearly every code (web addresses, `tel:` numbers); it puts runs of
    digits in numeric segments, so a code may be a version smaller than qrcode's. Other text goes to
    the qrcode library, which writes it as UTF-8 in byte mode, as readers expect: libzint would pick a
    character set by itself (Shift JIS for most Chinese characters, ISO 8859-7 for Greek) and not say
    which in the code. Where zxing-cpp is not installed, qrcode encodes every code.
    """
    mask = _mask(payload)
    writer = _zxing()
    if writer is None or not payload.isascii():
        return _rows(_qrcode_matrix(payload, level, mask))
    code = writer.create_barcode(payload, writer.BarcodeFormat.QRCode, ec_level=level, data_mask=mask)
    image = code.to_image(scale=1, add_quiet_zones=False)  # one byte a module, row by row
    size: int = image.shape[1]
    modules = memoryview(image).tobytes().translate(_PIXELS).decode("ascii")
    margin = "0" * QUIET_ZONE
    light = "0" * (size + 2 * QUIET_ZONE)
    inside = [f"{margin}{modules[at : at + size]}{margin}" for at in range(0, len(modules), size)]
    return [*[light] * QUIET_ZONE, *inside, *[light] * QUIET_ZONE]


def _qrcode_matrix(payload: str, level: str, mask: int) -> list[list[bool]]:
    import qrcode

    code = qrcode.QRCode(error_correction=LEVELS[level], border=QUIET_ZONE, box_size=1, mask_pattern=mask)
    code.add_data(payload.encode("utf-8"))
    # What make(fit=True) does, less a second fitting: asking for the version before fitting fits too.
    code.best_fit()
    code.makeImpl(False, mask)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


def _svg(payload: str, level: str, size: int, path: str) -> QrCode:
    # The payload rides along in data-qr-payload so anyone can check what a printed code says.
    # No ids: any number of codes can share a page.
    svg = Markup(
        '<svg class="qr-code" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        'shape-rendering="crispEdges" aria-hidden="true" data-qr-payload="{payload}" data-qr-level="{level}">'
        '<rect width="{size}" height="{size}" fill="#fff"/>'
        '<path stroke="#000" d="{path}"/></svg>'
    ).format(size=size, payload=_attribute(payload), level=level, path=path)
    return QrCode(payload, level, size, svg)


@functools.lru_cache(maxsize=4096)
def make_qr(payload: str, level: str = "M") -> QrCode:
    """Encode ``payload`` at error-correction ``level`` with a 4-module quiet zone."""
    rows = encode(payload, level)
    return _svg(payload, level, len(rows), _path(rows))


def _pack(rows: list[str]) -> bytes:
    bits = "".join(rows)
    return int("1" + bits, 2).to_bytes((len(bits) + 8) // 8, "big")


def _unpack(data: bytes, size: int) -> list[str]:
    bits = bin(int.from_bytes(data, "big"))[3:]
    if len(bits) != size * size:
        raise ValueError("damaged entry")
    return [bits[y * size : (y + 1) * size] for y in range(size)]


# A code kept in the cache: its size in modules, its modules packed (base64), and a checksum of both,
# of the level and payload it was made for and of the encoder.
Entry = tuple[int, str, str]


def _entry_sum(key: str, size: int, packed: str) -> str:
    """The checksum of a kept code: of its modules, of the level and payload, and of the encoder that made it."""
    text = f"{encoder()}\0{key}\0{size}\0{packed}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _entry(key: str, rows: list[str]) -> Entry:
    packed = base64.b64encode(_pack(rows)).decode("ascii")
    return (len(rows), packed, _entry_sum(key, len(rows), packed))


def _modules(key: str, entry: object) -> list[str] | None:
    """The rows of a kept code if the entry is whole and was made for ``key``; else None (encode afresh)."""
    if not isinstance(entry, (list, tuple)) or len(entry) != 3:
        return None
    size, packed, checksum = entry
    if not isinstance(size, int) or not isinstance(packed, str) or not isinstance(checksum, str):
        return None
    if not 21 <= size <= 177 + 2 * QUIET_ZONE or checksum != _entry_sum(key, size, packed):
        return None
    try:
        return _unpack(base64.b64decode(packed, validate=True), size)
    except ValueError:
        return None


_CACHES = itertools.count()  # QrCaches made in this process, for the names of their folders set aside
# The cache's files: named by the first hex digits of the digest of the codes they hold. A district's
# 220,000 codes make files of about 50 codes, read in a fraction of a millisecond each.
BUCKET_DIGITS = 3
# The files a QrCache holds read at most: a process that draws a district's codes (a worker of a whole
# build with the cache full) held them all, 256 files of 430 KB at 10,000 neighborhoods, about 110 MB read.
BUCKETS_KEPT = 256


class QrCache:
    """Codes kept by payload in the cache directory, so a rebuild does not encode them again.

    Entries are the codes' modules, packed, in 4,096 JSON files by the payload's digest: a build that
    draws a few codes reads a few small files, and holds at most BUCKETS_KEPT of them, those used
    last. Each file is sealed (:mod:`sitegen.cache`), and each code in it carries a checksum of its
    modules and of the level and payload it was made for, checked before the code is drawn: a
    damaged code is encoded afresh, never printed. Codes made by forked
    workers are set aside (:meth:`set_aside`) in files of their own by bucket, or else come back through
    :meth:`take_new` and :meth:`merge`; :meth:`save` writes the files that gained codes, once, at the
    end of a build, one at a time: no process holds the codes of a whole district.
    """

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.buckets: OrderedDict[str, dict[str, Entry]] = OrderedDict()  # the files read, used last at the end
        self.new: dict[str, Entry] = {}
        self.drawn: OrderedDict[str, QrCode] = OrderedDict()  # codes used again soon (a whole neighborhood's cards)
        # Where codes are set aside until saved: named by the process that made the cache (its workers
        # share it), as an entry being written, so that a killed build's is swept.
        named = f"new-{os.getpid()}-{next(_CACHES)}{cache.TEMPORARY}"
        self.aside = directory / named if directory is not None else None
        if self.aside is not None:
            cache.remove(self.aside)

    @staticmethod
    def _bucket_of(key: str) -> str:
        return hashlib.sha1(key.encode("utf-8")).hexdigest()[:BUCKET_DIGITS]

    def file_of(self, payload: str, level: str = "M") -> Path:
        """The file of the cache that keeps one code."""
        assert self.directory is not None
        key = f"{level}\n{payload}"
        return self.directory / f"{self._bucket_of(key)}.json"

    def _bucket(self, name: str) -> dict[str, Entry]:
        if name in self.buckets:
            self.buckets.move_to_end(name)
        else:
            if len(self.buckets) >= BUCKETS_KEPT:
                self.buckets.popitem(last=False)  # read again if asked for
            loaded: object = {}
            if self.directory is not None:
                payload = cache.read(self.directory / f"{name}.json", f"qr codes\0{name}")
                try:
                    loaded = json.loads(payload) if payload is not None else {}
                except ValueError:  # sealed but not JSON: made by a program that wrote something else
                    loaded = {}
            self.buckets[name] = loaded if isinstance(loaded, dict) else {}
        return self.buckets[name]

    def make(self, payload: str, level: str = "M") -> QrCode:
        if self.directory is None:
            return make_qr(payload, level)
        key = f"{level}\n{payload}"
        if key in self.drawn:
            return self.drawn[key]
        code = self._draw(key, payload, level)
        self.drawn[key] = code
        if len(self.drawn) > 512:
            self.drawn.popitem(last=False)
        return code

    def _draw(self, key: str, payload: str, level: str) -> QrCode:
        entry = self.new.get(key) or self._bucket(self._bucket_of(key)).get(key)
        rows = _modules(key, entry) if entry is not None else None
        if rows is None:
            rows = encode(payload, level)
            self.new[key] = _entry(key, rows)
        return _svg(payload, level, len(rows), _path(rows))

    def take_new(self, keep: bool = True) -> dict[str, Entry]:
        """The codes made since the last call (in a worker: to send back to the parent).

        Without ``keep``, they are not kept to draw again (only the codes drawn last are): a worker
        that made a district's codes would hold them all.
        """
        new, self.new = self.new, {}
        if keep:
            for key, entry in new.items():
                self._bucket(self._bucket_of(key))[key] = entry
        return new

    def merge(self, entries: dict[str, Entry]) -> None:
        self.new.update(entries)

    def set_aside(self, entries: dict[str, Entry]) -> bool:
        """Add codes to the files of their buckets set aside until :meth:`save` (False if they cannot be).

        Each process appends to files of its own, a line of JSON at a time.
        """
        if self.aside is None or not entries:
            return not entries
        by_bucket: dict[str, dict[str, Entry]] = {}
        for key, entry in entries.items():
            by_bucket.setdefault(self._bucket_of(key), {})[key] = entry
        try:
            self.aside.mkdir(parents=True, exist_ok=True)
            for name, codes in by_bucket.items():
                with open(self.aside / f"{name}-{os.getpid()}", "a", encoding="utf-8") as stream:
                    stream.write(json.dumps(codes, ensure_ascii=False, separators=(",", ":")) + "\n")
        except OSError:
            return False  # those already written are saved too; the caller merges them all again
        return True

    def save(self) -> None:
        """Write the files that gained codes, one at a time; they are then let go (read again if asked for)."""
        if self.directory is None:
            return
        aside: dict[str, list[Path]] = {}
        if self.aside is not None and self.aside.is_dir():
            for path in self.aside.iterdir():
                aside.setdefault(path.name.split("-")[0], []).append(path)
        new: dict[str, dict[str, Entry]] = {}
        for key, entry in self.take_new(keep=False).items():
            new.setdefault(self._bucket_of(key), {})[key] = entry
        for name in sorted(set(new) | set(aside)):
            bucket = self._bucket(name)
            for path in aside.get(name, []):
                bucket.update(_set_aside(path))
            bucket.update(new.get(name, {}))
            data = json.dumps(self.buckets.pop(name), ensure_ascii=False, separators=(",", ":"))
            cache.write(self.directory / f"{name}.json", f"qr codes\0{name}", data.encode("utf-8"))
        if self.aside is not None:
            cache.remove(self.aside)
        self._remove_other_files()

    def _remove_other_files(self) -> None:
        """Remove the files of an earlier layout of the cache (other names), which are never read."""
        assert self.directory is not None
        try:
            names = os.listdir(self.directory)
        except OSError:
            return
        for name in names:
            stem, dot, extension = name.partition(".")
            if dot and extension == "json" and len(stem) != BUCKET_DIGITS and re.fullmatch("[0-9a-f]+", stem):
                try:
                    os.unlink(self.directory / name)
                except OSError:
                    pass


def _set_aside(path: Path) -> dict[str, Entry]:
    """The codes of one file set aside (a line cut short by a full disk is left out: those are made again)."""
    codes: dict[str, Entry] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, ValueError):
        return codes
    for line in lines:
        try:
            loaded = json.loads(line)
        except ValueError:
            continue
        if isinstance(loaded, dict):
            codes.update(loaded)
    return codes
