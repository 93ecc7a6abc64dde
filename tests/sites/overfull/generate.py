"""Write ``content/``: a valid site whose one neighborhood is as full as the content format allows.

Run by hand, never by the test suite (the generated files are committed):

    python tests/sites/overfull/generate.py

Every text is as long as ``sitegen/content_schema.py`` lets editors write it, and every list is
longer than a sheet can show: the print tests print each sheet of this site and count pages. All
phone numbers are obviously fake (139 0000 xxxx, 029-0000 xxxx). The output is deterministic.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
CONTENT = HERE / "content"
SLUG = "overfull"

PROSE = (
    "为进一步做好冬季安全生产和居民生活保障工作，经社区党委、业主委员会和物业服务企业共同研究决定，"
    "对小区供暖管网、二次供水设备、电梯和消防设施开展全面检修，请各位居民相互转告并提前做好准备，"
    "给您带来的不便敬请谅解，如有疑问请联系本楼栋网格员或拨打物业服务中心电话咨询。"
)
SYLLABLES = [
    "阿卜杜热合曼",
    "买买提艾力",
    "吐尔逊托合提",
    "艾尔肯江",
    "努尔麦麦提",
    "热娜古丽",
    "帕尔哈提",
    "迪丽努尔",
    "古丽巴哈尔",
    "阿依夏木",
]


def fill(seed: str, length: int) -> str:
    """``seed`` repeated (then ``PROSE``) and cut to exactly ``length`` characters."""
    text = seed
    while len(text) < length:
        text += PROSE
    return text[:length]


def long_name(index: int, length: int = 60) -> str:
    """A name of exactly ``length`` characters made of ·-separated parts."""
    parts: list[str] = []
    i = index
    while len("·".join(parts)) < length:
        parts.append(SYLLABLES[i % len(SYLLABLES)])
        i += 3
    name = "·".join(parts)[:length]
    return name[:-1] + "娜" if name.endswith("·") else name


def mobile(n: int) -> str:
    return f"139 0000 {n:04d}"


def landline(n: int, extension: str = "") -> str:
    return f"029-0000 {n:04d}" + (f" 转 {extension}" if extension else "")


GRID_NAMES = [fill(f"第{i}网格（锦华路东段北侧原第一机械制造厂职工家属院片区）", 40) for i in range(1, 31)]


def person(index: int, phone: str, length: int = 60, **extra: Any) -> dict[str, Any]:
    return {"name": long_name(index, length), "phone": phone, **extra}


def site() -> dict[str, Any]:
    people: dict[str, Any] = {}
    grids = []
    for g in range(1, 31):
        gid = f"{g:02d}"
        people[f"head-{gid}"] = person(g, mobile(100 + g), 60 if g % 3 else 4, role=fill("社区党委委员兼网格长", 60))
        people[f"worker-{gid}"] = person(g + 1, mobile(200 + g), 60 if g % 2 else 3)
        people[f"police-{gid}"] = person(g + 2, landline(3000 + g, "123456"), org=fill("西华派出所社区警务室", 80))
        helpers = []
        for h in range(1, 6):
            key = f"helper-{gid}-{h}"
            people[key] = person(g + h, mobile(g * 10 + h + 4000), 60, phone_public=True)
            helpers.append(key)
        grids.append(
            {
                "id": gid,
                "name": GRID_NAMES[g - 1],
                "households": 5000,
                "head": f"head-{gid}",
                "worker": f"worker-{gid}",
                "helpers": helpers,
                "police": f"police-{gid}",
                "area": fill(f"第{g}网格范围：锦华路东段北侧沿街商铺、菜市场、南巷平房片区和地下人防工程", 120),
            }
        )
    return {
        "name": fill("新城区西华街道锦华路东段老旧小区综合改造与基层治理示范社区", 39) + "区",
        "district": fill("新城区（含原西华街道和锦华工业园区托管片区）", 40),
        "street": fill("西华街道办事处（锦华路东段综合治理工作站）", 40),
        "area_code": "029",
        "base_url": "https://community-info.overfull-example.org/xinchengqu/xh/",
        "intro": fill("这是为测试打印材料而写的社区：每一项都写到格式允许的最长。", 1000),
        "area_km2": "1234567.89",
        "households": 999999,
        "residents": 9999999,
        "office": {
            "address": fill("新城区西华街道锦华路东段888号锦华社区党群服务中心一楼大厅「一站式」便民服务窗口", 120),
            "phone": landline(1000, "8001"),
            "hours": [fill(f"第{i}段：周一至周五 8:30–12:00，14:30–18:00；", 80) for i in range(1, 6)],
        },
        "emergency": [
            {"name": "报警", "phone": "110"},
            {"name": "火警", "phone": "119"},
            {"name": "急救", "phone": "120"},
            {"name": fill("市民服务热线（停水停电供暖噪音扰民）", 30), "phone": "12345", "note": fill("24小时", 80)},
            {"name": fill("社区夜间和节假日值班电话", 30), "phone": landline(1099, "123456")},
            {"name": fill("燃气泄漏抢修（西安秦华天然气）", 30), "phone": landline(1098, "99")},
            {"name": fill("供电抢修", 30), "phone": "95598"},
            {"name": fill("供水抢修", 30), "phone": landline(1097)},
        ],
        "categories": [
            {
                "id": f"category-{c}",
                "name": fill(f"第{c}类：公共设施与环境卫生安全隐患", 30),
                "examples": fill("电梯故障、楼道灯不亮、门禁损坏、路灯、井盖、健身器材、", 120),
                "handler": fill("小区物业服务中心（无物业楼院找社区），夜间由值班经理", 60),
                "phone": landline(1000 + c, "123456"),
                "promise": fill("2小时内响应，24小时内修复；需要更换设备的72小时内答复并说明原因。", 120),
            }
            for c in range(1, 9)
        ],
        "people": people,
        "grids": grids,
        "chain": [
            {
                "name": fill(f"第{i}级：社区党委及各网格党支部", 40),
                "role": fill("统领负责落实配合补充", 20),
                "description": fill("书记牵头，每月研究一次各网格上报的难事。", 200),
            }
            for i in range(1, 8)
        ],
        "meetings": [
            {
                "name": fill("居民面对面（社区书记、网格长和民警轮流坐班）", 60),
                "repeat": "weekly",
                "weekday": "friday",
                "start": "15:00",
                "end": "17:00",
                "place": fill("锦华社区党群服务中心一楼议事厅", 100),
                "description": fill("现场听意见、答疑问。", 300),
            }
        ],
        "verified_on": dt.date(2026, 11, 20),
    }


def neighborhood() -> dict[str, Any]:
    buildings = []
    for b in range(1, 61):
        grid = f"{(b - 1) // 5 + 1:02d}"  # 12 grids cover the 60 buildings
        building: dict[str, Any] = {
            "id": str(b) if b % 7 else f"{b}-east-tower-annex",
            "grid": grid,
            "floors": 33,
            "households": 2000,
            "head": person(b, mobile(5000 + b), 60, phone_public=True),
        }
        if b % 4 == 1:
            building["name"] = fill(f"{b}号楼（东区第一组团北侧高层住宅楼A座）", 30)
        units = 12 if b % 3 == 1 else 2
        building["units"] = [
            {"id": str(u), "head": person(b + u, mobile(6000 + b * 12 + u), 60 if u % 2 else 2, phone_public=True)}
            for u in range(1, units + 1)
        ]
        buildings.append(building)
    services = []
    for s in range(1, 41):
        service: dict[str, Any] = {
            "category": fill(f"第{s}类家电维修开锁换锁管道疏通", 20),
            "name": fill(f"第{s}家：锦华路东段北侧老字号诚信家电维修开锁换锁管道疏通服务部（总店）", 60),
            "hours": fill("每天 8:00–22:00，法定节假日 9:00–18:00，夜间急修请打手机", 60),
            "address": fill(f"锦华路东段{s}号南门商业街地下一层", 100),
            "note": fill("上门服务；已在西华派出所备案；开锁须由物业核实业主身份。", 120),
        }
        if s % 5 == 0:
            service["url"] = f"https://services.overfull-example.org/neighborhood/overfull/svc-{s:03d}?from=print-"
        elif s % 5 != 4:  # every fifth from the fourth on has only an address
            service["phone"] = landline(2000 + s, "123456") if s % 2 else mobile(2000 + s)
        services.append(service)
    channels = []
    for c in range(1, 13):
        channel: dict[str, Any] = {
            "category": fill(f"第{c}类隐患随手拍与市民热线", 20),
            "name": fill(f"第{c}个：「新城一键安全」微信小程序（锦华路东段北侧原机械厂家属院专用入口）", 60),
            "hours": fill("24小时受理，工作日 8:30–18:00 两小时内回复，夜间次日回复", 60),
            "how": fill("微信搜索小程序「新城一键安全」，点「我要报告」，拍照并选择本小区，", 120),
        }
        if c % 3 == 1:
            channel["url"] = f"https://channels.overfull-example.org/xinchengqu/one-tap-safety/e-{c:03d}?lang=zh"
        elif c % 3 == 2:
            channel["phone"] = landline(2100 + c, "123456") if c % 2 else mobile(2100 + c)
        channels.append(channel)
    return {
        "name": fill("锦华路东段北侧原第一机械制造厂职工家属院及周边散居楼院综合片区", 40),
        "order": 1,
        "address": fill("锦华路东段100号（东门）、102号（南门）、104号（西门，仅限行人和非机动车）", 120),
        "founded": 1958,
        "households": 99999,
        "residents": 999999,
        "property_company": fill("西安市新城区锦程锦华锦绣物业服务有限责任公司锦华路东段北侧原机械厂家属院项目部", 80),
        "property_phone": landline(2701, "123456"),
        "property_manager": person(1, mobile(512), 60, role=fill("物业经理兼项目部总经理", 60)),
        "community_leader": person(2, mobile(101), 60, role=fill("社区党委书记、居委会主任、网格长", 60)),
        "instructor": person(3, mobile(513), 60, role="法官", org=fill("新城区人民法院西华人民法庭驻区指导组", 80)),
        "verified_on": dt.date(2026, 11, 20),
        "grid": "01",
        "buildings": buildings,
        "services": services,
        "channels": channels,
        "projects": [
            {
                "name": fill("青春驿站（青年居民交友读书职场法律讲座）", 40),
                "partner": fill("新城区人民法院西华人民法庭、新城区青年志愿者协会", 80),
                "schedule": fill("每月第一个周六 14:00–17:00", 80),
                "place": fill("小区会所三楼", 80),
                "contact": person(4, mobile(811), 60),
                "description": fill("青年居民交友、读书、职场法律讲座。", 300),
            }
        ],
        "clubs": [{"name": fill("名苑跑团", 40), "schedule": fill("每周二、四 20:00", 80), "place": fill("南门", 80)}],
        "honours": [
            {"year": 2025, "title": fill("优秀志愿者", 30), "name": long_name(5), "note": fill("创办青春驿站。", 200)}
        ],
        "meetings": [
            {
                "name": fill("楼栋议事会", 60),
                "repeat": "monthly",
                "day": 25,
                "start": "19:30",
                "end": "21:00",
                "place": fill("小区会所二楼议事厅", 100),
                "description": fill("四个网格轮流主持。", 300),
            }
        ],
    }


def pact() -> str:
    lines = ["2024年6月业主大会审议通过，2025年8月楼栋议事会增补，共三十条。", ""]
    for p in range(1, 31):
        head = fill(f"第{p}条电动车不进楼入户消防通道不堆放杂物", 14)
        text = fill("电动自行车不进单元门、不进电梯、不进家门；统一到地下车库充电区停放、充电。", 150)
        lines.append(f"{p}. **{head}。** {text}")
    return "\n".join(lines) + "\n"


def notice(index: int, community: bool = False) -> tuple[str, str]:
    day = dt.date(2026, 11, 22) - dt.timedelta(days=index)
    front = {
        "title": fill(
            f"{'社区' if community else ''}第{index}号通知：关于锦华路东段北侧原机械厂家属院冬季供暖管网检修的通知", 80
        ),
        "date": day,
        "from": fill("西安市新城区锦程锦华锦绣物业服务有限责任公司锦华路东段项目部", 60),
    }
    if index % 5 == 0:
        front["pinned"] = True
    if index % 2:
        front["expires"] = dt.date(2026, 12, 31)
    body = [
        f"## 第{index}号通知",
        "",
        fill("接供电部门通知，为更换小区配电室的老化设备，**11月24日（周二）9:00 至 16:00** 停电。", 400),
        "",
        "- " + fill("这几栋楼的**电梯停运**，请提前安排出行；", 120),
        "- " + fill("二次供水水泵停止，高层可能停水，请提前储水；", 120),
        "",
        fill("行动不便、需要帮助上下楼的居民，请联系网格员 139 0000 0211，或打物业电话 029-0000 2701。", 600),
    ]
    name = f"{day.isoformat()}-{'community' if community else 'overfull'}-notice-{index:02d}.md"
    text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000) + "---\n\n"
    return name, text + "\n".join(body) + "\n"


def dump(path: Path, data: dict[str, Any], comment: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(f"# {comment}\n# Written by tests/sites/overfull/generate.py: change that, not this file.\n{text}")


def main() -> None:
    if CONTENT.exists():
        shutil.rmtree(CONTENT)
    dump(CONTENT / "site.yaml", site(), "A community where everything is as long as the format allows.")
    folder = CONTENT / "neighborhoods" / SLUG
    dump(folder / "neighborhood.yaml", neighborhood(), "One neighborhood with more of everything than a sheet holds.")
    (folder / "pact.md").write_text(pact(), encoding="utf-8")
    for i in range(1, 31):
        name, text = notice(i)
        (folder / "notices").mkdir(parents=True, exist_ok=True)
        (folder / "notices" / name).write_text(text, encoding="utf-8")
    for i in range(1, 6):
        name, text = notice(i, community=True)
        (CONTENT / "notices").mkdir(parents=True, exist_ok=True)
        (CONTENT / "notices" / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
