"""Helpers shared by the tests: write small content trees and run the CLI in-process."""

from __future__ import annotations

import textwrap
from pathlib import Path

MINIMAL_SITE = """\
name: 测试社区
base_url: https://example.org/community/
area_code: "029"
office:
  address: 测试路1号
  phone: 029-0000 1000
  hours:
    - 周一至周五 9:00–17:00
emergency:
  - name: 报警
    phone: 110
categories:
  - id: facilities
    name: 公共设施
    handler: 物业服务中心
    promise: 2小时内响应
grids:
  - id: "01"
    worker:
      name: 张敏
      phone: 139 0000 0001
"""

MINIMAL_NEIGHBORHOOD = """\
name: 和谐家园
verified_on: 2026-11-01
grid: "01"
buildings:
  - id: 1
"""


def write_site(root: Path, files: dict[str, str | bytes], minimal: bool = True) -> Path:
    """Write ``files`` (path → text or bytes) under ``root/content`` and return the content dir.

    With ``minimal``, a valid site.yaml and one neighborhood are written first, so a test only
    writes what it is about. Text is dedented.
    """
    content = root / "content"
    base: dict[str, str | bytes] = {}
    if minimal:
        base = {"site.yaml": MINIMAL_SITE, "neighborhoods/hexie/neighborhood.yaml": MINIMAL_NEIGHBORHOOD}
    for rel, data in {**base, **files}.items():
        path = content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(textwrap.dedent(data), encoding="utf-8")
    return content
