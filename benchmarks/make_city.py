"""Write a valid synthetic content directory with N neighborhoods of realistic size.

    python benchmarks/make_city.py N OUTDIR

Each neighborhood has 20 buildings (2–3 units each, with heads), 10 notices (some pinned, some
expired), 15 services, 5 channels, projects, clubs, honours, a pact, and a site plan with walkways,
gates, assembly points and facilities. Grids cover about 500 households each. The same N always
gives the same files.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉斌宇浩凯健俊帆帅旭宁琳晨欣怡雪梅"
SERVICES = [
    "家电维修",
    "开锁",
    "管道疏通",
    "理发",
    "洗车",
    "裁缝",
    "快递驿站",
    "社区食堂",
    "诊所",
    "药店",
    "纱窗维修",
    "保洁",
    "搬家",
    "送水",
    "修鞋",
]
TOPICS = [
    "停水通知",
    "停电通知",
    "电梯维保",
    "居民面对面",
    "防诈骗提醒",
    "消防安全检查",
    "垃圾分类宣传",
    "志愿者招募",
    "文艺演出",
    "充电桩安装",
]


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def phone(serial: int) -> str:
    return f"139 {serial // 10000 % 10000:04d} {serial % 10000:04d}"


def site_yaml(count: int, grids: int) -> str:
    people = "\n".join(
        f"  w{g}:\n    name: 网格员{g}\n    phone: {phone(1_000_000 + g)}\n"
        f"  h{g}:\n    name: 网格长{g}\n    phone: {phone(2_000_000 + g)}\n"
        f"  p{g}:\n    name: 民警{g}\n    phone: 029-0000 {g % 10000:04d}"
        for g in range(1, grids + 1)
    )
    grid_list = "\n".join(
        f'  - id: "{g}"\n    name: 第{g}网格\n    households: 500\n    head: h{g}\n    worker: w{g}\n    police: p{g}'
        for g in range(1, grids + 1)
    )
    return f"""name: 合成社区
district: 示例区
street: 示例街道
area_code: "029"
base_url: https://city.example.org/
households: {count * 1200}
residents: {count * 3000}
office:
  address: 示例路1号
  phone: 029-0000 1000
  hours:
    - 周一至周五 8:30–18:00
emergency:
  - {{name: 报警, phone: 110}}
  - {{name: 火警, phone: 119}}
  - {{name: 急救, phone: 120}}
  - {{name: 社区值班, phone: 029-0000 1099}}
categories:
  - {{id: facilities, name: 公共设施, handler: 物业服务中心, phone: 029-0000 2000, promise: 2小时内响应}}
  - {{id: sanitation, name: 环境卫生, handler: 物业保洁, phone: 029-0000 2001, promise: 24小时内解决}}
  - {{id: safety, name: 安全隐患, handler: 网格员, phone: 029-0000 2002, promise: 立即处置}}
  - {{id: disputes, name: 矛盾纠纷, handler: 调解委员会, phone: 029-0000 2003, promise: 当天上门}}
  - {{id: services, name: 民生服务, handler: 社区居委会, phone: 029-0000 1000, promise: 72小时内办结}}
people:
{people}
grids:
{grid_list}
meetings:
  - {{name: 居民面对面, repeat: weekly, weekday: friday, start: "15:00", end: "17:00", place: 党群服务站}}
verified_on: 2026-11-01
"""


def site_map(rng: random.Random, buildings: int) -> str:
    """Rows of slabs along east–west roads, a north–south spine, a plaza and a court."""
    rows = (buildings + 3) // 4
    points = ["    gate: [100, -10]", "    plaza: [230, 60]", "    court: [230, 200]"]
    paths = []
    spine = ["gate"]
    entries = []
    for row in range(rows + 1):
        y = row * 40
        road = [f"r{row}-{c}" for c in range(5)]
        points += [f"    r{row}-{c}: [{c * 50}, {y}]" for c in range(5)]
        points.append(f"    s{row}: [230, {y}]")
        paths.append("[" + ", ".join([*road, f"s{row}"]) + "]")
        spine.append(f"s{row}")
    paths.append("[" + ", ".join(spine) + "]")
    paths.append("[gate, r0-2]")
    paths.append("[s1, plaza]")
    paths.append(f"[s{min(rows, 5)}, court]")
    for b in range(buildings):
        row, column = divmod(b, 4)
        x, y = column * 50 + 5, row * 40 + 8
        door = f"d{b + 1}"
        points.append(f"    {door}: [{x + 20}, {y - 2}]")
        paths.append(f"[r{row}-{column}, {door}, r{row}-{column + 1}]")
        facing = rng.choice(["南", "东", "西", "北"])
        entries.append(
            f"    {b + 1}:\n      rect: [{x}, {y}, 40, 12]\n      entrances: [{door}]\n"
            f"      board: {{at: [{x + 22}, {y - 1}], facing: {facing}}}"
        )
    facilities = "\n".join(
        f"    - {{code: F004, at: [{c * 50 + 2}, {r * 40 + 3}]}}" for r in range(0, rows, 2) for c in range(0, 5, 2)
    )
    return (
        "map:\n  north: 6\n  points:\n"
        + "\n".join(points)
        + "\n  paths:\n"
        + "\n".join(f"    - {p}" for p in paths)
        + "\n  gates:\n    - {id: main, name: 大门, at: gate}\n"
        + "  assembly_points:\n"
        + "    - {id: plaza, name: 中心广场, at: plaza, capacity: 1500,\n"
        + "       area: [[220, 50], [245, 50], [245, 70], [220, 70]]}\n"
        + "    - {id: court, name: 篮球场, at: court, capacity: 800}\n"
        + "  facilities:\n"
        + facilities
        + "\n    - {code: E010, at: [104, -6], note: 门卫室}\n"
        + "  buildings:\n"
        + "\n".join(entries)
        + "\n"
    )


def neighborhood(index: int, grids: int, rng: random.Random) -> str:
    buildings = []
    serial = index * 1000
    for b in range(1, 21):
        units = "\n".join(
            f"      - id: {u}\n        head: {{name: {name(rng)}, "
            f"phone: {phone(3_000_000 + serial + b * 10 + u)}, phone_public: {str(u % 2 == 1).lower()}}}"
            for u in range(1, rng.choice((3, 4)))
        )
        buildings.append(
            f"  - id: {b}\n    floors: {rng.choice((6, 11, 18, 26))}\n    households: {rng.choice((36, 72, 96))}\n"
            f'    grid: "{(index * 2 + b // 11) % grids + 1}"\n'
            f"    head: {{name: {name(rng)}, phone: {phone(4_000_000 + serial + b)}, phone_public: true}}\n"
            f"    units:\n{units}"
        )
    services = "\n".join(
        f"  - category: {SERVICES[s]}\n    name: {name(rng)[0]}记{SERVICES[s]}\n"
        f"    phone: {phone(5_000_000 + serial + s)}\n    hours: 每天 8:00–20:00"
        for s in range(15)
    )
    channels = "\n".join(
        f"  - category: 线上服务\n    name: 服务渠道{c}\n"
        f"    url: https://city.example.org/channel/{index}/{c}\n    hours: 24小时"
        for c in range(5)
    )
    return f"""name: 合成小区{index}
address: 示例路{index}号
founded: {1990 + index % 30}
households: 1200
residents: 3000
property_company: 示例物业公司{index % 17}
property_phone: 029-0000 {index % 10000:04d}
property_manager: {{name: {name(rng)}, phone: {phone(6_000_000 + index)}}}
community_leader: {{name: {name(rng)}, role: 社区党委委员, phone: {phone(7_000_000 + index)}}}
instructor: {{name: {name(rng)}, org: 示例单位, phone: {phone(8_000_000 + index)}}}
verified_on: 2026-11-{1 + index % 20:02d}
buildings:
{chr(10).join(buildings)}
services:
{services}
channels:
{channels}
projects:
  - {{name: 亲子时光站, partner: 示例小学, schedule: 每周六上午}}
  - {{name: 夕阳红, partner: 示例医院, schedule: 每周三下午}}
clubs:
  - {{name: 晨跑队, schedule: 每天 6:30}}
  - {{name: 合唱团, schedule: 每周二晚上}}
honours:
  - {{year: 2025, title: 好邻居, name: {name(rng)}}}
  - {{year: 2024, title: 优秀志愿者, name: {name(rng)}}}
meetings:
  - {{name: 楼栋议事会, repeat: monthly, day: 15, start: "19:00", place: 议事厅}}
{site_map(rng, 20)}"""


def notice(index: int, serial: int, rng: random.Random) -> tuple[str, str]:
    day = 1 + (index + serial * 3) % 28
    month = 11 if serial < 7 else 10
    expires = f"\nexpires: 2026-{month:02d}-{min(28, day + 5):02d}" if serial % 3 else ""
    topic = TOPICS[serial % len(TOPICS)]
    body = "\n\n".join(f"第{p}段：请各位居民留意{topic}的安排，如有疑问请致电 029-0000 1000。" for p in range(1, 4))
    front = (
        f"---\ntitle: {topic}（{index}-{serial}）\ndate: 2026-{month:02d}-{day:02d}{expires}\n"
        f"pinned: {str(serial == 0).lower()}\n---\n"
    )
    return f"2026-{month:02d}-{day:02d}-notice-{serial}.md", front + body + "\n"


def make_city(count: int, out: Path) -> None:
    rng = random.Random(count)
    grids = max(2, count * 2)  # two grids of 10 buildings (about 500 households) per neighborhood
    (out / "neighborhoods").mkdir(parents=True, exist_ok=True)
    (out / "site.yaml").write_text(site_yaml(count, grids), encoding="utf-8")
    for index in range(1, count + 1):
        folder = out / "neighborhoods" / f"n{index:05d}"
        (folder / "notices").mkdir(parents=True, exist_ok=True)
        (folder / "neighborhood.yaml").write_text(neighborhood(index, grids, rng), encoding="utf-8")
        (folder / "pact.md").write_text("\n".join(f"{i}. 公约第{i}条。" for i in range(1, 9)) + "\n", encoding="utf-8")
        for serial in range(10):
            file_name, text = notice(index, serial, rng)
            (folder / "notices" / file_name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3 or not sys.argv[1].isdigit():
        sys.exit(__doc__)
    make_city(int(sys.argv[1]), Path(sys.argv[2]))
