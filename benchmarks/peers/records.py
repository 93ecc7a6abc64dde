"""Write the "records" workload, the same N records, as content for each tool the peers benchmark builds.

    python benchmarks/peers/records.py N OUTDIR   # OUTDIR/plain, OUTDIR/hugo, OUTDIR/mkdocs, OUTDIR/sitegen

A record is what a small site of public information publishes for one place: a title, a date, five
fields (address, year founded, households, the property company and its phone) and a Markdown body
of about 600 characters (three paragraphs with bold text and a link, and a list of four points).
Every tool gets the records as Markdown files with YAML front matter, except sitegen, whose format
has no free-form record: there a record is a neighborhood (its ``neighborhood.yaml`` carries the
title as ``name`` and the five fields under their own keys) with the body as its one notice
(``notices/<date>-record.md``, with the record's title and date). Each tool makes one
page per record and one listing page of all records; sitegen makes, as it does for any
neighborhood, its whole set of pages, print sheets, contact cards and feeds besides.

The same N always gives the same files.
"""

from __future__ import annotations

import datetime
import random
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

COMPANIES = ("华信物业", "安居物业", "城市花园物业", "万家物业", "锦绣物业", "和顺物业", "民生物业")
TOPICS = ("小区概况", "停车管理", "垃圾分类", "电梯维保", "消防通道", "绿化养护", "快递收发", "充电桩")
STREETS = ("长安路", "友谊路", "含光路", "朱雀大街", "太白路", "劳动路", "环城西路", "丰庆路")
TOOLS = ("plain", "hugo", "mkdocs", "sitegen")
EDITED = 7  # the record whose body the edit rebuild changes (0-based, as in bench.edit_notice)


@dataclass(frozen=True)
class Record:
    slug: str
    title: str
    date: str
    address: str
    founded: int
    households: int
    company: str
    phone: str
    body: str

    def fields(self) -> dict[str, object]:
        return {
            "address": self.address,
            "founded": self.founded,
            "households": self.households,
            "company": self.company,
            "phone": self.phone,
        }


def make_record(index: int, rng: random.Random) -> Record:
    topic = TOPICS[index % len(TOPICS)]
    street = STREETS[index % len(STREETS)]
    paragraphs = [
        f"第{p}段：{topic}的安排请各位居民**留意**，详见[服务指南](https://example.org/guide/{index}/{p})，"
        f"如有疑问请致电物业服务中心，工作人员将在两小时内答复。"
        for p in range(1, 4)
    ]
    points = "\n".join(
        f"- 要点{p}：{rng.choice(('按时', '按规定', '就近', '分类'))}办理，不得占用公共通道。" for p in range(1, 5)
    )
    body = "\n\n".join([paragraphs[0], points, *paragraphs[1:]]) + "\n"
    return Record(
        slug=f"r{index:05d}",
        title=f"记录{index}：{street}{topic}",
        date=f"2026-{1 + index % 11:02d}-{1 + index % 28:02d}",
        address=f"{street}{index}号",
        founded=1990 + index % 30,
        households=rng.choice((240, 480, 960, 1200)),
        company=f"{rng.choice(COMPANIES)}{index % 13}号服务中心",
        phone=f"029-8{index // 10000 % 1000:03d} {index % 10000:04d}",
        body=body,
    )


def make_records(count: int) -> list[Record]:
    rng = random.Random(count)
    return [make_record(index, rng) for index in range(1, count + 1)]


def front_matter(data: dict[str, object], body: str) -> str:
    head = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{head}---\n\n{body}"


def _page_data(record: Record) -> dict[str, object]:
    return {"title": record.title, "date": datetime.date.fromisoformat(record.date), **record.fields()}


def write_plain(records: list[Record], root: Path) -> None:
    (root / "records").mkdir(parents=True, exist_ok=True)
    for record in records:
        (root / "records" / f"{record.slug}.md").write_text(front_matter(_page_data(record), record.body), "utf-8")


HUGO_CONFIG = """\
baseURL = "https://example.org/records/"
languageCode = "zh-cn"
title = "记录"
uglyURLs = true
disableKinds = ["section", "taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""

HUGO_SINGLE = """\
<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{ .Title }} · {{ .Site.Title }}</title></head>
<body><header><a href="../index.html">{{ .Site.Title }}</a></header>
<main><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2006-01-02" }}</time></p>
<dl>
<dt>地址</dt><dd>{{ .Params.address }}</dd>
<dt>建成年份</dt><dd>{{ .Params.founded }}</dd>
<dt>户数</dt><dd>{{ .Params.households }}</dd>
<dt>物业公司</dt><dd>{{ .Params.company }}</dd>
<dt>电话</dt><dd><a href="tel:{{ replace .Params.phone " " "" }}">{{ .Params.phone }}</a></dd>
</dl>
{{ .Content }}</main></body></html>
"""

HUGO_HOME = """\
<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{ .Site.Title }}</title></head>
<body><main><h1>{{ .Site.Title }}</h1><ul>
{{ range (where .Site.RegularPages.ByTitle "Section" "records") }}
<li><a href="{{ .RelPermalink | strings.TrimPrefix "/records/" }}">{{ .Title }}</a>
<time>{{ .Date.Format "2006-01-02" }}</time> {{ .Params.address }}</li>
{{ end }}</ul></main></body></html>
"""


def write_hugo(records: list[Record], root: Path) -> None:
    (root / "content" / "records").mkdir(parents=True, exist_ok=True)
    (root / "layouts" / "_default").mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(HUGO_CONFIG, "utf-8")
    (root / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE, "utf-8")
    (root / "layouts" / "index.html").write_text(HUGO_HOME, "utf-8")
    for record in records:
        page = root / "content" / "records" / f"{record.slug}.md"
        page.write_text(front_matter(_page_data(record), record.body), "utf-8")


MKDOCS_CONFIG = """\
site_name: 记录
docs_dir: docs
use_directory_urls: false
theme:
  name: null
  custom_dir: theme
plugins: []
"""

MKDOCS_CONFIG_SEARCH = MKDOCS_CONFIG.replace("plugins: []\n", "plugins: [search]\n")

MKDOCS_MAIN = """\
<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{ page.title }} · {{ config.site_name }}</title></head>
<body>
{%- if page.is_homepage %}
<main><h1>{{ config.site_name }}</h1><ul>
{% for p in nav.pages if not p.is_homepage %}<li><a href="{{ p.url | url }}">{{ p.title }}</a>
<time>{{ p.meta.date }}</time> {{ p.meta.address }}</li>
{% endfor %}</ul></main>
{%- else %}
<header><a href="{{ nav.homepage.url | url }}">{{ config.site_name }}</a></header>
<main><h1>{{ page.title }}</h1><p><time datetime="{{ page.meta.date }}">{{ page.meta.date }}</time></p>
<dl>
<dt>地址</dt><dd>{{ page.meta.address }}</dd>
<dt>建成年份</dt><dd>{{ page.meta.founded }}</dd>
<dt>户数</dt><dd>{{ page.meta.households }}</dd>
<dt>物业公司</dt><dd>{{ page.meta.company }}</dd>
<dt>电话</dt><dd><a href="tel:{{ page.meta.phone | replace(' ', '') }}">{{ page.meta.phone }}</a></dd>
</dl>
{{ page.content }}</main>
{%- endif %}
</body></html>
"""


def write_mkdocs(records: list[Record], root: Path) -> None:
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "theme").mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(MKDOCS_CONFIG, "utf-8")
    (root / "mkdocs-search.yml").write_text(MKDOCS_CONFIG_SEARCH, "utf-8")
    (root / "theme" / "main.html").write_text(MKDOCS_MAIN, "utf-8")
    (root / "docs" / "index.md").write_text("---\ntitle: 记录\n---\n", "utf-8")
    for record in records:
        (root / "docs" / f"{record.slug}.md").write_text(front_matter(_page_data(record), record.body), "utf-8")


SITEGEN_SITE = """\
name: 记录社区
district: 示例区
street: 示例街道
area_code: "029"
base_url: https://example.org/records/
office:
  address: 示例路1号
  phone: 029-0000 1000
  hours: [周一至周五 8:30–18:00]
emergency:
  - {name: 报警, phone: 110}
categories:
  - {id: services, name: 民生服务, handler: 社区居委会, phone: 029-0000 1000, promise: 72小时内办结}
verified_on: 2026-11-01
"""


def write_sitegen(records: list[Record], root: Path) -> None:
    (root / "neighborhoods").mkdir(parents=True, exist_ok=True)
    (root / "site.yaml").write_text(SITEGEN_SITE, "utf-8")
    for record in records:
        folder = root / "neighborhoods" / record.slug
        (folder / "notices").mkdir(parents=True, exist_ok=True)
        data = {
            "name": record.title,
            "address": record.address,
            "founded": record.founded,
            "households": record.households,
            "property_company": record.company,
            "property_phone": record.phone,
            "verified_on": datetime.date(2026, 11, 1),
        }
        (folder / "neighborhood.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
        notice = {"title": record.title, "date": datetime.date.fromisoformat(record.date)}
        (folder / "notices" / f"{record.date}-record.md").write_text(front_matter(notice, record.body), "utf-8")


WRITERS = {"plain": write_plain, "hugo": write_hugo, "mkdocs": write_mkdocs, "sitegen": write_sitegen}


def write_all(count: int, out: Path, tools: tuple[str, ...] = TOOLS) -> None:
    records = make_records(count)
    for tool in tools:
        WRITERS[tool](records, out / tool)


def edited_file(tool: str, source: Path) -> Path:
    """The file holding the body of the record the edit rebuild changes."""
    pattern = {
        "plain": "records/*.md",
        "hugo": "content/records/*.md",
        "mkdocs": "docs/r*.md",
        "sitegen": "neighborhoods/*/notices/*.md",
    }[tool]
    found = sorted(source.glob(pattern))
    return found[min(EDITED, len(found) - 1)]


def edit(tool: str, source: Path, serial: int) -> Path:
    """Append a sentence to one record's body, as an editor would, and return the file."""
    path = edited_file(tool, source)
    with path.open("a", encoding="utf-8") as stream:
        stream.write(f"\n补充说明 {serial}。\n")
    return path


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    write_all(int(sys.argv[1]), Path(sys.argv[2]))
