"""Write a community made at random (from a seed) to stress the print kit: long and traditional-Chinese
names, many grids, services, channels, notices and unit heads, phone numbers with extensions.

Unlike ``tests/sites/overfull`` (every text as long as the format allows), the texts here are as long
as real ones get, and their mix changes with the seed. ``write_stress_site(folder, seed)`` writes
``folder/content`` and returns it. All phone numbers are obviously fake (139 0000 xxxx, 029-0000 xxxx).
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

import yaml

SURNAMES = [
    "王",
    "李",
    "張",
    "劉",
    "陳",
    "楊",
    "黃",
    "趙",
    "吳",
    "周",
    "歐陽",
    "司馬",
    "諸葛",
    "上官",
    "馬",
    "鄭",
    "謝",
]
GIVEN = ["偉", "秀英", "麗娟", "建國", "淑珍", "志強", "雅婷", "國華", "曉燕", "德明", "靜怡", "子涵", "鑫", "桂蘭"]
LONG_NAMES = [
    "阿卜杜熱合曼·買買提艾力",
    "熱娜古麗·吐爾遜托合提",
    "努爾麥麥提·艾爾肯江",
    "迪麗努爾·帕爾哈提",
    "古麗巴哈爾·阿依夏木",
    "扎西多吉·次仁旺堆",
]
PLACES = ["錦華", "西華", "蘭亭", "楓棲", "清苑", "機械廠", "紡織廠", "翠微", "鳳凰", "長樂"]
KINDS = ["家園", "名苑", "花園", "新村", "小區", "家屬院", "華庭", "雅居"]
TRADES = [
    ("家電維修", "家電維修服務部"),
    ("開鎖換鎖", "開鎖換鎖（公安備案）"),
    ("管道疏通", "管道疏通與防水維修中心"),
    ("理髮", "社區便民理髮店（老年人半價）"),
    ("洗車", "愛車洗車美容店"),
    ("快遞驛站", "快遞驛站（南門）"),
    ("紗窗維修", "紗窗紗門定做維修"),
    ("診所", "社區衛生服務站"),
    ("食堂", "長者食堂（助餐點）"),
    ("修鞋配鑰匙", "修鞋配鑰匙攤"),
]
CHANNELS = [
    "12345 市民服務熱線",
    "「新城一鍵安全」微信小程序",
    "{place}物業「{place}生活」小程序報修",
    "第{grid}網格居民微信群（掃碼聯繫網格員拉您入群）",
    "「{place}社區」微信公眾號",
    "市長信箱網上留言",
]


def person(chance: random.Random, number: int, long: bool = False) -> dict[str, Any]:
    name = chance.choice(LONG_NAMES) if long else chance.choice(SURNAMES) + chance.choice(GIVEN)
    phone = f"139 0000 {number:04d}" if chance.random() < 0.7 else f"029-0000 {number:04d}"
    if phone.startswith("029") and chance.random() < 0.4:
        phone += f" 转 {chance.randint(1, 9999)}"
    return {"name": name, "phone": phone}


def neighborhood_name(chance: random.Random) -> str:
    base = chance.choice(PLACES) + chance.choice(KINDS)
    return chance.choice([base, f"{base}·東區", f"{base}（原第一機械製造廠職工家屬院）", f"{base}二期"])


def site(chance: random.Random, grids: int) -> dict[str, Any]:
    people: dict[str, Any] = {}
    grid_list = []
    for g in range(1, grids + 1):
        for role in ("head", "worker", "police"):
            people[f"{role}-{g}"] = person(chance, 100 + 3 * g + len(role), long=chance.random() < 0.2)
        helpers = []
        for h in range(chance.randint(0, 4)):
            key = f"helper-{g}-{h}"
            people[key] = {**person(chance, 4000 + 10 * g + h, long=chance.random() < 0.15), "phone_public": True}
            helpers.append(key)
        grid = {"id": f"{g:02d}", "head": f"head-{g}", "worker": f"worker-{g}", "police": f"police-{g}"}
        grid |= {"helpers": helpers, "households": chance.randint(280, 540)}
        if chance.random() < 0.7:
            grid["name"] = f"第{g}網格" + chance.choice(["", "（錦華路東段北側）", "（南巷平房片區及沿街商鋪）"])
        if chance.random() < 0.3:
            grid["area"] = chance.choice(["南巷平房片區", "錦華路沿街商鋪及農貿市場", "地下人防工程"])
        grid_list.append(grid)
    return {
        "name": chance.choice(["錦華社區", "新城區西華街道錦華路東段老舊小區綜合改造示範社區", "蘭亭社區"]),
        "district": "新城區",
        "street": chance.choice(["西華街道", "西華街道辦事處（錦華路綜合治理工作站）"]),
        "area_code": "029",
        "base_url": "https://community.example.org/xinchengqu/jinhua/",
        "intro": "為測試打印材料隨機生成的社區。",
        "office": {"address": "錦華路88號 黨群服務中心", "phone": "029-0000 1000", "hours": ["週一至週五 8:30–18:00"]},
        "emergency": [
            {"name": "報警", "phone": "110"},
            {"name": "火警", "phone": "119"},
            {"name": "急救", "phone": "120"},
            {"name": "交通事故", "phone": "122"},
            {"name": "市民服務熱線", "phone": "12345"},
            {"name": "燃氣洩漏搶修", "phone": "029-0000 1098"},
            {"name": "社區夜間和節假日值班電話", "phone": "029-0000 1099 转 8"},
        ],
        "categories": [
            {
                "id": f"category-{c}",
                "name": name,
                "handler": chance.choice(
                    ["小區物業服務中心（無物業樓院找社區）", "網格員會同社區警務室", "社區人民調解委員會"]
                ),
                "phone": f"029-0000 {1000 + c:04d}",
                "promise": chance.choice(["2小時內響應，24小時內修復；需要更換設備的72小時內答覆", "當天上門"]),
            }
            for c, name in enumerate(["公共設施", "環境衛生", "安全隱患", "矛盾糾紛", "民生服務", "物業服務"], 1)
        ],
        "people": people,
        "grids": grid_list,
        "verified_on": dt.date(2026, 11, 20),
    }


def neighborhood(chance: random.Random, index: int, grids: int, name: str) -> dict[str, Any]:
    first = (index * 5) % grids + 1
    buildings = []
    for b in range(1, chance.randint(6, 12) + 1):
        units = [
            {
                "id": str(u),
                "head": {
                    **person(chance, 6000 + 100 * index + 10 * b + u, chance.random() < 0.1),
                    "phone_public": True,
                },
            }
            for u in range(1, chance.randint(1, 9) + 1)
        ]
        building: dict[str, Any] = {"id": str(b), "grid": f"{(first + b // 4 - 1) % grids + 1:02d}", "units": units}
        if chance.random() < 0.3:
            building["name"] = f"{b}號樓（{chance.choice(['東區高層住宅A座', '綜合樓', '老幹部樓'])}）"
        building["head"] = {**person(chance, 5000 + 100 * index + b), "phone_public": True}
        buildings.append(building)
    services = []
    for s in range(chance.randint(8, 26)):
        trade, shop = chance.choice(TRADES)
        service: dict[str, Any] = {"category": trade, "name": f"{chance.choice(PLACES)}{shop}{s + 1}號店"}
        if chance.random() < 0.85:
            service["phone"] = person(chance, 2000 + 50 * index + s)["phone"]
            service["hours"] = chance.choice(["每天 8:00–20:00", "週一至週六 9:00–18:00，夜間急修請打手機", "24小時"])
        elif chance.random() < 0.5:
            service["url"] = f"https://services.example.org/{index}/shop-{s:03d}"
        else:
            service["address"] = f"錦華路東段{s}號南門商業街地下一層"
        services.append(service)
    place = chance.choice(PLACES)
    channels = []
    for c, pattern in enumerate(chance.sample(CHANNELS, chance.randint(2, 6))):
        channel: dict[str, Any] = {"category": "線上渠道", "name": pattern.format(place=place, grid=first)}
        if c % 2:
            channel["url"] = f"https://channels.example.org/xinchengqu/{index}/c-{c:02d}?from=print"
        else:
            channel["phone"] = person(chance, 2400 + 10 * index + c)["phone"]
        channels.append(channel)
    return {
        "name": name,
        "order": index,
        "address": "錦華路東段100號",
        "founded": chance.randint(1958, 2020),
        "households": chance.randint(200, 4000),
        "residents": chance.randint(500, 9999),
        "property_company": chance.choice(
            [
                "錦程物業服務有限公司",
                "西安市新城區錦程錦華錦繡物業服務有限責任公司錦華路東段項目部",
                "西華街道安居物業服務中心（無物業樓院托管）",
            ]
        ),
        "property_phone": "029-0000 2701 转 1234",
        "property_manager": {**person(chance, 510 + index), "role": "物業經理"},
        "community_leader": {
            **person(chance, 100 + index, chance.random() < 0.3),
            "role": "社區黨委副書記、居委會副主任",
        },
        "instructor": {**person(chance, 520 + index), "org": "新城區人民法院西華人民法庭"},
        "verified_on": dt.date(2026, 11, 14 + index),
        "grid": f"{first:02d}",
        "buildings": buildings,
        "services": services,
        "channels": channels,
    }


def pact(chance: random.Random) -> str:
    rules = [
        "電動車不進樓入戶，統一到地下車庫充電區停放、充電。",
        "消防通道、樓梯間不堆放雜物，不鎖閉常閉式防火門。",
        "嚴禁高空拋物，陽台不放易墜物品。",
        "垃圾分類，按「定時定點」投放到各樓前分類亭。",
        "文明養犬，出門牽繩，及時清理犬糞。",
        "晚10點至早7點保持安靜；裝修只在工作日8:00–12:00、14:00–18:00進行。",
        "地面不停放機動車，不佔消防車道和無障礙通道。",
        "愛護電梯、門禁、健身器材、兒童遊樂設施等公共設施。",
        "鄰里互助，樓上樓下漏水、噪音等矛盾先當面溝通，溝通不了找樓棟長、網格員。",
    ]
    points = chance.sample(rules, chance.randint(4, len(rules)))
    return "\n".join(["# 居民公約", "", *(f"{i}. {rule}" for i, rule in enumerate(points, 1))]) + "\n"


def notice(chance: random.Random, index: int, slug: str) -> tuple[str, str]:
    day = dt.date(2026, 11, 22) - dt.timedelta(days=index)
    title = chance.choice(
        [
            f"第{index}號通知：關於冬季供暖管網檢修的通知",
            "11月27日（週五）居民面對面：聊聊供暖和老樓加裝電梯",
            "防詐騙提醒：冒充供暖、燃氣人員上門收費的，一律不要信",
            "招募冬季掃雪鏟冰志願者",
            "地下車庫電動車充電區擴容完工，新增120個充電口，請大家有序使用",
        ]
    )
    front: dict[str, Any] = {"title": title, "date": day, "expires": dt.date(2026, 12, 31)}
    if chance.random() < 0.2:
        front["pinned"] = True
    if chance.random() < 0.6:
        front["from"] = chance.choice(["錦程物業服務有限公司", "錦華社區居委會", "西華派出所錦華社區警務室"])
    body = "接供電部門通知，為更換小區配電室的老化設備，**11月24日（週二）9:00 至 16:00** 停電。"
    body += "行動不便、需要幫助上下樓的居民，請聯繫網格員 139 0000 0211，或打物業電話 029-0000 2701。" * chance.randint(
        1, 3
    )
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000) + "---\n\n" + body + "\n"
    return f"{day.isoformat()}-{slug}-{index:02d}.md", text


def write_stress_site(folder: Path, seed: int) -> Path:
    """Write a random community (the same for the same seed) to ``folder/content``; return that folder."""
    chance = random.Random(seed)
    content = folder / "content"
    grids = chance.randint(14, 30)
    dump(content / "site.yaml", site(chance, grids))
    names: set[str] = set()
    for index in range(1, chance.randint(2, 4) + 1):
        slug = f"n{index}"
        name = neighborhood_name(chance)
        while name in names:
            name = neighborhood_name(chance)
        names.add(name)
        home = content / "neighborhoods" / slug
        dump(home / "neighborhood.yaml", neighborhood(chance, index, grids, name))
        (home / "pact.md").write_text(pact(chance), encoding="utf-8")
        (home / "notices").mkdir()
        for n in range(1, chance.randint(3, 14) + 1):
            file, text = notice(chance, n, slug)
            (home / "notices" / file).write_text(text, encoding="utf-8")
    return content


def dump(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
