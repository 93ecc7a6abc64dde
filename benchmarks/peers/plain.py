"""The baseline of the peers benchmark: a plain PyYAML + Markdown + Jinja2 loop over the records.

    python benchmarks/peers/plain.py SOURCE OUTPUT

Reads SOURCE/records/*.md (YAML front matter, then Markdown), writes OUTPUT/records/<slug>.html per
record and OUTPUT/index.html listing them all. No checking, no cache, nothing incremental: what a
script written in an afternoon does, and so the least work the same output can cost in Python.
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
import markdown
import yaml
from markupsafe import Markup

PAGE = """\
<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{ title }} · 记录</title></head>
<body><header><a href="../index.html">记录</a></header>
<main><h1>{{ title }}</h1><p><time datetime="{{ date }}">{{ date }}</time></p>
<dl>
<dt>地址</dt><dd>{{ address }}</dd>
<dt>建成年份</dt><dd>{{ founded }}</dd>
<dt>户数</dt><dd>{{ households }}</dd>
<dt>物业公司</dt><dd>{{ company }}</dd>
<dt>电话</dt><dd><a href="tel:{{ phone | replace(' ', '') }}">{{ phone }}</a></dd>
</dl>
{{ body }}</main></body></html>
"""

LISTING = """\
<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>记录</title></head>
<body><main><h1>记录</h1><ul>
{% for r in records %}<li><a href="records/{{ r.slug }}.html">{{ r.title }}</a>
<time>{{ r.date }}</time> {{ r.address }}</li>
{% endfor %}</ul></main></body></html>
"""


def read(path: Path) -> dict[str, object]:
    _before, head, body = path.read_text("utf-8").split("---\n", 2)
    data: dict[str, object] = yaml.safe_load(head)
    data["slug"] = path.stem
    data["body"] = markdown.markdown(body)
    return data


def build(source: Path, output: Path) -> int:
    env = jinja2.Environment(autoescape=True, loader=jinja2.DictLoader({"page.html": PAGE, "listing.html": LISTING}))
    page, listing = env.get_template("page.html"), env.get_template("listing.html")
    records = [read(path) for path in sorted((source / "records").glob("*.md"))]
    (output / "records").mkdir(parents=True, exist_ok=True)
    for record in records:
        html = page.render({**record, "body": Markup(record["body"])})
        (output / "records" / f"{record['slug']}.html").write_text(html, "utf-8")
    records.sort(key=lambda r: str(r["title"]))
    (output / "index.html").write_text(listing.render(records=records), "utf-8")
    return len(records) + 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    print(f"wrote {build(Path(sys.argv[1]), Path(sys.argv[2]))} files")
