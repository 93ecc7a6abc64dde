"""Measure the QR-code levers of a cold build: how many codes are drawn, how many distinct, and encoders.

    python benchmarks/qr_levers.py OUTPUT              # the output folder of a build (e.g. of make_city.py)
    python benchmarks/qr_levers.py OUTPUT --sample 3000 # time and check a sample of the distinct codes

1. Counts every code in the output's HTML (its ``data-qr-payload`` and ``data-qr-level``): codes
   drawn in all, without the combined ``all-sheets.html`` pages (which repeat every sheet), and
   distinct payloads, by sheet and by kind of payload.
2. Times, in CPU time of this process, turning each distinct payload into rows of modules (quiet
   zone included: what ``sitegen.plan.qr`` traces into a path) with ``qrcode`` as sitegen does today
   and with each other encoder installed: segno and qrcodegen (pure Python), zxing-cpp's writer
   and zint-bindings (compiled; zxing-cpp's writer is libzint inside).
3. Checks every code each encoder made with zxing-cpp's reader: drawn at 3 px a module, it must
   give back exactly the payload's bytes and text, with no ECI (``]Q1``: phones show byte-mode
   UTF-8 as text), at the same error-correction level, and says how many codes are module for module
   the same as ``qrcode``'s (same size, same mask), i.e. how many pages would not change. Where
   pyzbar is installed (and Debian's zbar-tools), ZBar must read the same bytes too: a reader that
   shares no code with zxing-cpp or libzint, which is inside both compiled writers.
"""

from __future__ import annotations

import argparse
import collections
import html
import random
import re
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

CODE = re.compile(rb'data-qr-payload="([^"]*)" data-qr-level="([LMQH])"')
LEVEL_NUMBER = {"L": 1, "M": 2, "Q": 3, "H": 4}
QUIET = 4

Rows = list[str]


def count_codes(output: Path) -> tuple[list[tuple[str, str]], str]:
    """The distinct (payload, level) pairs of the output, and a Markdown report of the counts."""
    drawn: collections.Counter[str] = collections.Counter()  # by sheet
    distinct_by_sheet: dict[str, set[tuple[str, str]]] = collections.defaultdict(set)
    kinds: collections.Counter[str] = collections.Counter()
    everywhere: set[tuple[str, str]] = set()
    combined = 0
    for page in output.rglob("*.html"):
        found = [(html.unescape(p.decode()), level.decode()) for p, level in CODE.findall(page.read_bytes())]
        if not found:
            continue
        if page.name == "all-sheets.html":
            combined += len(found)
            continue
        sheet = page.name if page.parent.name == "print" else f"{page.parent.name}/{page.name}"
        sheet = re.sub(r"^(building|evacuation)-[^.]+", r"\1-*", sheet)
        drawn[sheet] += len(found)
        distinct_by_sheet[sheet].update(found)
        everywhere.update(found)
    for payload, _level in everywhere:
        kinds[kind_of(payload)] += 1
    total = sum(drawn.values())
    lines = [
        f"codes drawn: {total + combined:,} in all, {total:,} without the combined all-sheets.html pages "
        f"({combined:,} there); distinct (payload, level): {len(everywhere):,} "
        f"({100 * len(everywhere) / max(total, 1):.0f} % of the sheets' codes)",
        "",
        "| sheet | codes drawn | distinct payloads | codes a sheet kind shares with another |",
        "| --- | ---: | ---: | ---: |",
    ]
    for sheet, count in drawn.most_common():
        others = set().union(*(codes for name, codes in distinct_by_sheet.items() if name != sheet))
        shared = len(distinct_by_sheet[sheet] & others)
        lines.append(f"| {sheet} | {count:,} | {len(distinct_by_sheet[sheet]):,} | {shared:,} |")
    lines += ["", "| kind of payload | distinct |", "| --- | ---: |"]
    lines += [f"| {kind} | {count:,} |" for kind, count in kinds.most_common()]
    return sorted(everywhere), "\n".join(lines)


def kind_of(payload: str) -> str:
    if payload.startswith("BEGIN:VCARD"):
        return "vCard (scan to save the contact)"
    if payload.startswith("tel:"):
        return "tel: number"
    if "/contact/" in payload:
        return "a service's contact page"
    if payload.startswith("http"):
        return "web address (the site's pages, online channels)"
    return "other"


def mask_of(payload: str) -> int:
    """The mask sitegen picks (sitegen.plan.qr.encode): from the payload, not by scoring all eight."""
    return zlib.crc32(payload.encode("utf-8")) % 8


def framed(matrix: list[list[int]] | list[list[bool]]) -> Rows:
    size = len(matrix)
    blank = "0" * (size + 2 * QUIET)
    rows = [blank] * QUIET
    rows += ["0" * QUIET + "".join("1" if m else "0" for m in row) + "0" * QUIET for row in matrix]
    return rows + [blank] * QUIET


def framed_array(dark: Any) -> Rows:
    """Rows of a numpy array of dark modules (true or 1 is dark), quiet zone added."""
    import numpy

    padded = numpy.pad(dark.astype(numpy.uint8), QUIET)
    width = padded.shape[1]
    text = (padded + 48).tobytes().decode("ascii")
    return [text[start : start + width] for start in range(0, len(text), width)]


def qrcode_today(payload: str, level: str) -> Rows:
    from sitegen.plan.qr import _rows, encode

    return _rows(encode(payload, level))


def segno_rows(scored: bool) -> Callable[[str, str], Rows]:
    import segno

    def encode(payload: str, level: str) -> Rows:
        code = segno.make_qr(
            payload.encode("utf-8"),
            error=level.lower(),
            boost_error=False,
            mask=None if scored else mask_of(payload),
        )
        return ["".join("1" if m & 1 else "0" for m in row) for row in code.matrix_iter(scale=1, border=QUIET)]

    return encode


def qrcodegen_rows(payload: str, level: str) -> Rows:
    from qrcodegen import QrCode, QrSegment

    ecc = {"L": QrCode.Ecc.LOW, "M": QrCode.Ecc.MEDIUM, "Q": QrCode.Ecc.QUARTILE, "H": QrCode.Ecc.HIGH}[level]
    segments = [QrSegment.make_bytes(payload.encode("utf-8"))]
    code = QrCode.encode_segments(segments, ecc, mask=mask_of(payload), boostecl=False)
    size = code.get_size()
    return framed([[code.get_module(x, y) for x in range(size)] for y in range(size)])


def zxing_rows(scored: bool) -> Callable[[str, str], Rows]:
    import numpy
    import zxingcpp

    def encode(payload: str, level: str) -> Rows:
        options = {} if scored else {"data_mask": mask_of(payload)}
        code = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level=level, **options)
        return framed_array(numpy.asarray(code.to_image(scale=1, add_quiet_zones=False)) == 0)

    return encode


def zint_rows(payload: str, level: str) -> Rows:
    import numpy
    import zint

    symbol = zint.Symbol()
    symbol.symbology = zint.Symbology.QRCODE
    symbol.input_mode = zint.InputMode.DATA
    symbol.option_1 = LEVEL_NUMBER[level]
    symbol.option_3 = (mask_of(payload) + 1) << 8  # a fixed mask, as sitegen picks it
    symbol.encode(payload.encode("utf-8"))
    data = numpy.asarray(symbol.encoded_data)
    return framed_array(numpy.unpackbits(data, axis=1, bitorder="little")[: symbol.rows, : symbol.width])


def encoders() -> dict[str, Callable[[str, str], Rows]]:
    found: dict[str, Callable[[str, str], Rows]] = {"qrcode 8 (sitegen today: mask from the payload)": qrcode_today}
    for name, module, make in (
        ("segno (mask from the payload)", "segno", lambda: segno_rows(False)),
        ("segno (mask scored)", "segno", lambda: segno_rows(True)),
        ("qrcodegen (mask from the payload)", "qrcodegen", lambda: qrcodegen_rows),
        ("zxing-cpp writer (mask from the payload)", "zxingcpp", lambda: zxing_rows(False)),
        ("zxing-cpp writer (mask scored)", "zxingcpp", lambda: zxing_rows(True)),
        ("zint-bindings (mask from the payload)", "zint", lambda: zint_rows),
    ):
        try:
            __import__(module)
        except ImportError:
            print(f"{name}: not installed", file=sys.stderr)
            continue
        found[name] = make()
    return found


def image_of(rows: Rows) -> Any:
    """The code drawn at 3 px a module, dark on white, as a numpy array."""
    import numpy

    modules = numpy.array([[c == "1" for c in row] for row in rows], dtype=numpy.uint8)
    return numpy.where(numpy.kron(modules, numpy.ones((3, 3), dtype=numpy.uint8)) > 0, 0, 255).astype(numpy.uint8)


def decode_check(rows: Rows, payload: str, level: str) -> str:
    """'' if zxing-cpp reads ``rows`` back as exactly ``payload``; else what is wrong."""
    import zxingcpp

    image = image_of(rows)
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode, text_mode=zxingcpp.TextMode.Plain)
    if len(results) != 1:
        return f"{len(results)} codes read"
    result = results[0]
    if result.bytes != payload.encode("utf-8"):
        return "other bytes"
    if result.text != payload:
        return f"other text ({result.content_type})"
    if result.symbology_identifier != "]Q1":
        return f"ECI or other mode ({result.symbology_identifier})"
    if result.ec_level != level:
        return f"level {result.ec_level}"
    return ""


def zbar_check(rows: Rows, payload: str) -> str:
    """'' if ZBar (a second reader, independent of zxing-cpp and libzint) reads ``payload`` back."""
    from pyzbar import pyzbar

    results = pyzbar.decode(image_of(rows), symbols=[pyzbar.ZBarSymbol.QRCODE])
    if len(results) != 1:
        return f"{len(results)} codes read by ZBar"
    return "" if results[0].data == payload.encode("utf-8") else "other bytes from ZBar"


def checker() -> Callable[[Rows, str, str], str]:
    try:
        from pyzbar import pyzbar  # noqa: F401  (needs libzbar0: Debian's zbar-tools)
    except ImportError:
        print("pyzbar not installed: codes are read with zxing-cpp only", file=sys.stderr)
        return decode_check
    return lambda rows, payload, level: decode_check(rows, payload, level) or zbar_check(rows, payload)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--sample", type=int, default=0, help="time and check this many distinct codes (0: all)")
    parser.add_argument("--no-check", action="store_true", help="time only")
    parser.add_argument("--only", default="", help="only the encoders whose names contain this (qrcode always)")
    args = parser.parse_args()
    codes, counts = count_codes(args.output)
    print(counts, flush=True)
    if args.sample and args.sample < len(codes):
        codes = random.Random(0).sample(codes, args.sample)
    reference: dict[tuple[str, str], Rows] = {}
    print(f"\n{len(codes):,} distinct codes encoded by each:\n")
    print("| encoder | CPU per code | CPU for these codes | × qrcode | read back | same modules as qrcode |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    base = 0.0
    check_code = checker()
    for name, encode in encoders().items():
        if args.only and args.only not in name and not name.startswith("qrcode 8"):
            continue
        encode(*codes[0])  # imports and first-call set-up outside the timing
        started = time.process_time()
        made = [encode(payload, level) for payload, level in codes]
        cpu = time.process_time() - started
        base = base or cpu
        if not reference:
            reference = dict(zip(codes, made, strict=True))
        same = sum(rows == reference[code] for code, rows in zip(codes, made, strict=True))
        check = "not checked"
        if not args.no_check:
            problems = collections.Counter(
                problem
                for (payload, level), rows in zip(codes, made, strict=True)
                if (problem := check_code(rows, payload, level))
            )
            check = "all read back exactly" if not problems else "; ".join(f"{n} {p}" for p, n in problems.items())
        print(
            f"| {name} | {1000 * cpu / len(codes):.3f} ms | {cpu:.2f} s | {cpu / base:.2f} | {check} "
            f"| {same:,} of {len(codes):,} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
