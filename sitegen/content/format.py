"""The content format: every file, key and value type that editors write, declared in one place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sitegen.content.schema import (
    Bearing,
    Boolean,
    Choice,
    Date,
    Either,
    Field,
    FieldType,
    Identifier,
    Integer,
    ListOf,
    MapOf,
    Number,
    Pattern,
    PhoneNumber,
    Point,
    Record,
    Reference,
    Text,
    Time,
    Url,
)
from sitegen.i18n import _

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAY_ZH = "一二三四五六日"
WEEKDAY_ALIASES = {
    **{f"{prefix}{_WEEKDAY_ZH[i]}": day for i, day in enumerate(WEEKDAYS) for prefix in ("周", "星期")},
    "周天": "sunday",
    "星期天": "sunday",
    **{day[:3]: day for day in WEEKDAYS},
}

PERSON = Record(
    _("a person"),
    [
        Field(
            "name",
            Text(60, example="张敏"),
            True,
            "The person's name as residents know it.",
            "姓名",
        ),
        Field("role", Text(60), False, "Job or role, e.g. 专职网格员; slots give a default.", "职务"),
        Field("phone", PhoneNumber(), False, "Work phone for official roles.", "电话"),
        Field(
            "org",
            Text(80),
            False,
            "Organisation, e.g. the resident unit or police station.",
            "单位",
        ),
        Field(
            "public",
            Boolean(),
            False,
            "false: the person never appears in any output (default true).",
            "是否公开",
        ),
        Field(
            "phone_public",
            Boolean(),
            False,
            "Whether the phone is published. Default: true for official roles; false for "
            "volunteers (building and unit heads, part-time helpers, project and club contacts).",
            "电话是否公开",
        ),
    ],
    "A person written in place, or the id of someone listed under `people:`.",
)

PERSON_OR_REF = Either(
    Reference(_("a person listed under `people:`"), "zhang-min"),
    PERSON,
    _("a person (`name:` and `phone:` lines) or the id of someone under `people:`"),
)

PEOPLE = MapOf(PERSON, key_pattern=r"^[^\s:]+$")

MEETING = Record(
    _("a meeting"),
    [
        Field("name", Text(60, example="居民面对面"), True, "What the meeting is called.", "名称"),
        Field(
            "repeat",
            Choice(["weekly", "monthly"], {"每周": "weekly", "每月": "monthly"}),
            True,
            "weekly or monthly.",
            "周期",
        ),
        Field(
            "weekday",
            Choice(WEEKDAYS, WEEKDAY_ALIASES),
            False,
            "Day of the week (monday … sunday, or 周一 … 周日). Needed for weekly meetings.",
            "星期",
        ),
        Field(
            "week",
            Choice(["1", "2", "3", "4", "last"], {"最后": "last", "最后一周": "last"}),
            False,
            "For monthly meetings on a weekday: which week of the month (1–4 or last).",
            "第几周",
        ),
        Field(
            "day",
            Integer(1, 31, "15"),
            False,
            "For monthly meetings on a date: the day of the month.",
            "日期",
        ),
        Field("start", Time(), True, "Start time, 24-hour clock, e.g. 15:00.", "开始时间"),
        Field("end", Time(), False, "End time.", "结束时间"),
        Field("place", Text(100), True, "Where it takes place.", "地点"),
        Field(
            "description",
            Text(300, multiline=True),
            False,
            "One or two sentences on what happens.",
            "说明",
        ),
    ],
)

OFFICE = Record(
    _("the community office"),
    [
        Field("address", Text(120), True, "Street address of the office.", "地址"),
        Field("phone", PhoneNumber(), True, "The office phone.", "电话"),
        Field(
            "hours",
            ListOf(Text(80), min_items=1),
            True,
            "Opening hours, one line per period.",
            "办公时间",
        ),
    ],
)

EMERGENCY = Record(
    _("an emergency number"),
    [
        Field("name", Text(30, example="报警"), True, "What the number is for.", "名称"),
        Field("phone", PhoneNumber(), True, "The number.", "电话"),
        Field("note", Text(80), False, "A short note.", "备注"),
    ],
)

CATEGORY = Record(
    _("an issue category"),
    [
        Field("id", Identifier("facilities"), True, "Short id.", "编号"),
        Field("name", Text(30, example="公共设施"), True, "Name of the category.", "类别"),
        Field("examples", Text(120), False, "Typical issues, e.g. 路灯、电梯、门禁.", "举例"),
        Field("handler", Text(60), True, "Who handles it, e.g. 物业服务中心.", "责任方"),
        Field("phone", PhoneNumber(), False, "Number to call for this category.", "电话"),
        Field("contact", PERSON_OR_REF, False, "A person to contact.", "联系人"),
        Field(
            "promise",
            Text(120),
            True,
            "The response promise, e.g. 2小时内响应，24小时内解决.",
            "承诺时限",
        ),
    ],
)

# A neighborhood's own party for a category of site.yaml, where it differs (its property office …).
WHO_TO_CALL = Record(
    _("who to call for a category"),
    [
        Field("handler", Text(60), False, "Who handles it here, e.g. 和谐家园物业服务中心.", "责任方"),
        Field("phone", PhoneNumber(), False, "Number to call for it here.", "电话"),
        Field("contact", PERSON_OR_REF, False, "A person to contact.", "联系人"),
        Field("promise", Text(120), False, "The response promise here, if it differs.", "承诺时限"),
    ],
)

GRID = Record(
    _("a grid"),
    [
        Field("id", Identifier("01"), True, "Short id, e.g. 01.", "编号"),
        Field("name", Text(40), False, "Name, e.g. 第一网格 (default: 第<id>网格).", "名称"),
        Field("households", Integer(0, 5000, "420"), False, "Households in the grid.", "户数"),
        Field("head", PERSON_OR_REF, False, "Grid head (网格长).", "网格长"),
        Field("worker", PERSON_OR_REF, False, "Full-time grid worker (专职网格员).", "专职网格员"),
        Field("helpers", ListOf(PERSON_OR_REF), False, "Part-time helpers (兼职网格员).", "兼职网格员"),
        Field("police", PERSON_OR_REF, False, "Police officer (网格警员).", "网格警员"),
        Field("area", Text(120), False, "Streets or places the grid covers besides buildings.", "范围"),
    ],
)

CHAIN_LEVEL = Record(
    _("a level of the chain"),
    [
        Field("name", Text(40, example="社区党委"), True, "Who acts at this level.", "层级"),
        Field(
            "role",
            Text(20, example="统领"),
            True,
            "What they do: 统领, 负责, 落实, 配合, 补充.",
            "职责",
        ),
        Field("description", Text(200, multiline=True), False, "One sentence on how.", "说明"),
    ],
)

SITE = Record(
    _("site.yaml"),
    [
        Field("name", Text(40, example="盛世社区"), True, "The community's name.", "社区名称"),
        Field("district", Text(40), False, "District or county.", "区县"),
        Field("street", Text(40), False, "Street office (街道) or town.", "街道"),
        Field(
            "area_code",
            Pattern(r"0?[1-9][0-9]{1,2}", _("an area code"), "029", numbers=(10, 999)),
            False,
            "Telephone area code, e.g. 029; lets editors omit it.",
            "区号",
        ),
        Field(
            "base_url",
            Url(60),
            False,
            "Address the site is published at; needed for QR codes.",
            "网站地址",
        ),
        Field("intro", Text(1000, multiline=True), False, "A short introduction (Markdown).", "简介"),
        Field("area_km2", Text(10), False, "Area in square kilometres.", "面积"),
        Field("households", Integer(0, 50_000_000), False, "Households in the community.", "户数"),
        Field("residents", Integer(0, 100_000_000), False, "Residents in the community.", "人数"),
        Field("office", OFFICE, True, "The community office.", "社区办公"),
        Field("emergency", ListOf(EMERGENCY, min_items=1), True, "Emergency numbers.", "紧急电话"),
        Field("categories", ListOf(CATEGORY, min_items=1), True, "Who to call for what.", "问题分类"),
        Field("people", PEOPLE, False, "Community staff and others, by id, for use in grids.", "人员"),
        Field("grids", ListOf(GRID, max_items=100_000), False, "The grids and their teams.", "网格"),
        Field(
            "chain",
            ListOf(CHAIN_LEVEL, max_items=7),
            False,
            "The five-level chain, top first.",
            "五级网格",
        ),
        Field("meetings", ListOf(MEETING), False, "Recurring community meetings.", "例会"),
        Field("verified_on", Date(), False, "When the contact data was last checked.", "信息核对日期"),
        Field(
            "mask_personal_mobiles",
            Boolean(),
            False,
            "true: on web pages, volunteers' public mobile numbers show as 139 **** 0101 (print sheets keep "
            "them whole); official numbers always stay whole.",
            "隐藏个人手机号",
        ),
        Field(
            "languages",
            ListOf(Choice(["zh", "en"]), min_items=1, max_items=2),
            False,
            "Editions of the website: [zh] (the default) or [zh, en] for an English edition under en/, "
            "with Chinese wherever a text has no translation. The print kit stays Chinese.",
            "网站语言",
        ),
        Field(
            "search",
            Boolean(),
            False,
            "false: no search page and no search index (default true: `sitegen build` indexes the "
            "website pages into search/, and an edit changes only the index files of the words it touched).",
            "站内搜索",
        ),
    ],
    "The community: one file, content/site.yaml.",
)

BUILDING = Record(
    _("a building"),
    [
        Field(
            "id",
            Identifier("3"),
            True,
            "Short id used in grids and file names, e.g. 3 or A2.",
            "编号",
        ),
        Field("name", Text(30), False, "Name shown to residents (default: <id>号楼).", "名称"),
        Field("floors", Integer(1, 200, "18"), False, "Number of floors.", "层数"),
        Field("households", Integer(0, 2000, "72"), False, "Households in the building.", "户数"),
        Field(
            "grid",
            Reference(_("a grid in site.yaml"), "01"),
            False,
            "The grid it belongs to (default: the neighborhood's `grid`).",
            "所属网格",
        ),
        Field("head", PERSON_OR_REF, False, "Building head (楼栋长).", "楼栋长"),
        Field(
            "units",
            ListOf(
                Record(
                    _("a unit"),
                    [
                        Field("id", Identifier("1"), True, "Unit (stairwell) number.", "单元"),
                        Field("head", PERSON_OR_REF, False, "Unit head (单元长).", "单元长"),
                    ],
                )
            ),
            False,
            "Units (stairwells) and their heads.",
            "单元",
        ),
    ],
)

SERVICE = Record(
    _("a service"),
    [
        Field("category", Text(20, example="家电维修"), True, "Kind of service.", "类别"),
        Field("name", Text(60), True, "Name of the shop or person.", "名称"),
        Field("phone", PhoneNumber(), False, "Phone number.", "电话"),
        Field("hours", Text(60), False, "Opening hours.", "服务时间"),
        Field("address", Text(100), False, "Where to find it.", "地址"),
        Field("url", Url(), False, "Web address.", "网址"),
        Field("note", Text(120), False, "A short note, e.g. 上门服务.", "备注"),
    ],
)

CHANNEL = Record(
    _("an online channel"),
    [
        Field("category", Text(20, example="随手拍"), True, "What it is for.", "类别"),
        Field("name", Text(60), True, "Name of the channel, e.g. 12345 市民热线.", "名称"),
        Field("url", Url(), False, "Web address (what its QR code opens).", "网址"),
        Field("phone", PhoneNumber(), False, "Phone number.", "电话"),
        Field("hours", Text(60), False, "When it answers.", "服务时间"),
        Field(
            "how",
            Text(120),
            False,
            "How to reach it without a link, e.g. 微信搜索小程序「一键安全」.",
            "使用方法",
        ),
    ],
)

PROJECT = Record(
    _("a project"),
    [
        Field("name", Text(40, example="亲子时光站"), True, "Name.", "名称"),
        Field("partner", Text(80), False, "Partner unit or enterprise.", "共建单位"),
        Field("schedule", Text(80), False, "When it runs, e.g. 每周六上午.", "时间"),
        Field("place", Text(80), False, "Where.", "地点"),
        Field("contact", PERSON_OR_REF, False, "Who to contact.", "联系人"),
        Field("description", Text(300, multiline=True), False, "What it does.", "简介"),
    ],
)

CLUB = Record(_("a club"), list(PROJECT.fields.values()))

HONOUR = Record(
    _("an honour"),
    [
        Field("year", Integer(1949, 2100, "2025"), True, "Year awarded.", "年份"),
        Field("title", Text(30, example="好邻居"), True, "The honour.", "称号"),
        Field("name", Text(60), True, "Who received it (person, family or team).", "获得者"),
        Field("note", Text(200, multiline=True), False, "Why, in a sentence.", "事迹"),
    ],
)

POINT_REF = Reference(_("a point listed under `map.points`"), "p1")
MAP_POINT_ID = r"^[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*$"
MAP_ID_HINT = _("map ids use letters, digits and dashes, e.g. `gate-s` or `b3-door`; names go in `name:`")

MAP_BUILDING = Record(
    _("a building on the map"),
    [
        Field(
            "outline", ListOf(Point(), min_items=3), False, "Corners of the building, in order: `[[x, y], …]`.", "轮廓"
        ),
        Field(
            "rect",
            ListOf(Number(-100_000, 100_000), min_items=4, max_items=4),
            False,
            "Instead of `outline`: `[x, y, width, depth]` of a rectangle (x, y = south-west corner).",
            "矩形",
        ),
        Field(
            "entrances",
            ListOf(POINT_REF, min_items=1),
            True,
            "Points on the walkways where people leave the building.",
            "出入口",
        ),
        Field(
            "board",
            Record(
                _("a notice board"),
                [
                    Field("at", Point(), True, "Where the board hangs.", "位置"),
                    Field(
                        "facing",
                        Bearing(),
                        False,
                        "Which way the board's front faces (a reader faces the other way).",
                        "朝向",
                    ),
                ],
            ),
            False,
            "Where the building's notice board hangs: the evacuation plan's \"you are here\".",
            "公告栏",
        ),
    ],
)

GATE = Record(
    _("a gate"),
    [
        Field("id", Identifier("south-gate"), True, "Short id.", "编号"),
        Field("name", Text(30, example="南门"), True, "Name shown on the plan.", "名称"),
        Field("at", POINT_REF, True, "The walkway point where the gate is.", "位置"),
        Field("exit", Boolean(), False, "true (default): an emergency exit from the compound.", "安全出口"),
    ],
)

ASSEMBLY_POINT = Record(
    _("an assembly point"),
    [
        Field("id", Identifier("plaza"), True, "Short id.", "编号"),
        Field("name", Text(30, example="中心广场"), True, "Name shown on the plan.", "名称"),
        Field("at", POINT_REF, True, "The walkway point where people gather.", "位置"),
        Field("capacity", Integer(1, 1_000_000, "800"), False, "How many people it holds.", "容纳人数"),
        Field("area", ListOf(Point(), min_items=3), False, "Outline of the area: `[[x, y], …]`.", "范围"),
    ],
)

FACILITY = Record(
    _("a safety facility"),
    [
        Field(
            "code",
            Pattern(r"[A-Za-z]\d{3}", _("an ISO 7010 code"), "F001"),
            True,
            "ISO 7010 code: E003 first aid, E004 emergency phone, E010 AED, "
            "F001 extinguisher, F002 hose reel, F004 hydrant/equipment, …",
            "标志代码",
        ),
        Field("at", Point(), True, "Where it is.", "位置"),
        Field("note", Text(40), False, "Where exactly, e.g. 1号楼大堂.", "说明"),
    ],
)

LANDMARK = Record(
    _("a landmark"),
    [
        Field("name", Text(20, example="会所"), True, "Name shown on the plan, e.g. 会所, 门卫室, 幼儿园.", "名称"),
        Field("outline", ListOf(Point(), min_items=3), False, "Corners, in order: `[[x, y], …]`.", "轮廓"),
        Field(
            "rect",
            ListOf(Number(-100_000, 100_000), min_items=4, max_items=4),
            False,
            "Instead of `outline`: `[x, y, width, depth]`.",
            "矩形",
        ),
    ],
)

SITE_MAP = Record(
    _("the site plan"),
    [
        Field(
            "north",
            Number(-360, 360, "-12"),
            False,
            "Direction of north, in degrees clockwise from the top of the plan (default 0).",
            "北向",
        ),
        Field(
            "points",
            MapOf(Point(), MAP_POINT_ID, MAP_ID_HINT),
            True,
            "Walkway points by id: `p1: [x, y]` in metres.",
            "路点",
        ),
        Field(
            "paths",
            ListOf(ListOf(POINT_REF, min_items=2), min_items=1),
            True,
            "Walkways and roads, each a list of point ids walked in order.",
            "道路",
        ),
        Field("gates", ListOf(GATE), False, "Gates of the compound.", "大门"),
        Field(
            "assembly_points",
            ListOf(ASSEMBLY_POINT, min_items=1),
            True,
            "Emergency assembly points (应急避难场所).",
            "避难场所",
        ),
        Field(
            "facilities",
            ListOf(FACILITY),
            False,
            "Fire hydrants, extinguishers, AEDs, first aid, emergency phones.",
            "安全设施",
        ),
        Field(
            "buildings",
            MapOf(MAP_BUILDING, MAP_POINT_ID, MAP_ID_HINT),
            True,
            "Each building's shape and entrances, by building id.",
            "楼栋位置",
        ),
        Field(
            "landmarks",
            ListOf(LANDMARK),
            False,
            "Other structures to draw for orientation: clubhouse, guard room, school, shops.",
            "其他建筑",
        ),
    ],
    "The neighborhood's site plan in metres: walkways, gates, assembly points, facilities, buildings.",
)

NEIGHBORHOOD = Record(
    _("neighborhood.yaml"),
    [
        Field("name", Text(40, example="和谐家园"), True, "The neighborhood's name.", "小区名称"),
        Field(
            "order",
            Integer(-1000, 1000, "1"),
            False,
            "Position in lists (smaller first; default 0, then by folder name).",
            "排序",
        ),
        Field("address", Text(120), False, "Street address.", "地址"),
        Field("founded", Integer(1900, 2100, "2006"), False, "Year built.", "建成年份"),
        Field("households", Integer(0, 100_000), False, "Resident households.", "住户"),
        Field("residents", Integer(0, 1_000_000), False, "Residents.", "居民"),
        Field("property_company", Text(80), False, "Property-management company.", "物业公司"),
        Field("property_phone", PhoneNumber(), False, "Property service desk phone.", "物业服务电话"),
        Field("property_manager", PERSON_OR_REF, False, "Property manager (物业经理).", "物业经理"),
        Field(
            "community_leader",
            PERSON_OR_REF,
            False,
            "Community leader in charge (社区包联领导).",
            "社区包联领导",
        ),
        Field(
            "instructor",
            PERSON_OR_REF,
            False,
            "Resident-unit instructor (驻区单位指导员).",
            "驻区单位指导员",
        ),
        Field("verified_on", Date(), True, "When the contact data was last checked.", "信息核对日期"),
        Field(
            "grid",
            Reference(_("a grid in site.yaml"), "01"),
            False,
            "The grid of every building that names none.",
            "所属网格",
        ),
        Field("people", PEOPLE, False, "People of this neighborhood, by id.", "人员"),
        Field(
            "who_to_call",
            MapOf(WHO_TO_CALL, Identifier.PATTERN.pattern, _("use the `id` of a category in site.yaml")),
            False,
            "Who to call here, by category id of site.yaml, where it differs from site.yaml.",
            "找谁办事",
        ),
        Field("buildings", ListOf(BUILDING), False, "Buildings, their units and heads.", "楼栋"),
        Field("services", ListOf(SERVICE), False, "Everyday service contacts.", "便民服务"),
        Field("channels", ListOf(CHANNEL), False, "Online service channels.", "线上服务"),
        Field("projects", ListOf(PROJECT), False, "Co-building projects (共驻共建).", "共建项目"),
        Field("clubs", ListOf(CLUB), False, "Interest clubs.", "兴趣社团"),
        Field("honours", ListOf(HONOUR), False, "Role models and honours (微榜样).", "荣誉"),
        Field("meetings", ListOf(MEETING), False, "Recurring meetings of this neighborhood.", "例会"),
        Field("map", SITE_MAP, False, "The site plan, for the map page and the evacuation plans.", "平面图"),
    ],
    "One neighborhood (小区): content/neighborhoods/<slug>/neighborhood.yaml.",
)

NOTICE = Record(
    _("a notice"),
    [
        Field("title", Text(80, example="11月20日停水通知"), True, "Headline.", "标题"),
        Field("date", Date(), True, "Date of the notice.", "日期"),
        Field(
            "expires",
            Date(),
            False,
            "Last day it is current; afterwards it moves to the archive.",
            "有效期至",
        ),
        Field("pinned", Boolean(), False, "true: shown first.", "置顶"),
        Field("from", Text(60), False, "Who issues it, e.g. 和谐家园物业服务中心.", "发布单位"),
    ],
    "The facts between the `---` lines at the top of a notice file.",
)

SCHEMAS: dict[str, Record] = {"site": SITE, "neighborhood": NEIGHBORHOOD, "notice": NOTICE}


# Value types written once under `$defs` and referred to wherever they are used.
SHARED: dict[str, FieldType] = {"phone": PhoneNumber(), "date": Date(), "time": Time(), "person": PERSON}


def _shared(schema: Any, shared: dict[str, Any], used: set[str]) -> Any:
    """``schema`` with every copy of a shared type's schema replaced by a reference to it."""
    for name, written in shared.items():
        if isinstance(schema, dict) and _undescribed(schema) == _undescribed(written):
            used.add(name)
            return {
                "$ref": f"#/$defs/{name}",
                **({"description": schema["description"]} if "description" in schema else {}),
            }
    if isinstance(schema, dict):
        return {key: _shared(value, shared, used) for key, value in schema.items()}
    if isinstance(schema, list):
        return [_shared(value, shared, used) for value in schema]
    return schema


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each kind of file, for editors' completion and inline errors."""
    shared = {name: kind.json_schema() for name, kind in SHARED.items()}
    defs = {
        name: _shared(schema, {k: v for k, v in shared.items() if k != name}, set()) for name, schema in shared.items()
    }
    result = {}
    for name, record in SCHEMAS.items():
        used: set[str] = set()
        body = _shared(record.json_schema(), shared, used)
        while True:  # the shared types used by the shared types used
            more = {ref for n in used for ref in _refs(defs[n])} - used
            if not more:
                break
            used |= more
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **body}
        if used:
            schema["$defs"] = {n: defs[n] for n in sorted(used)}
        result[name] = schema
    return result


def _undescribed(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key != "description"}


def _refs(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        found = {schema["$ref"].rsplit("/", 1)[-1]} if "$ref" in schema else set()
        return found.union(*(_refs(v) for v in schema.values()))
    if isinstance(schema, list):
        return set().union(*(_refs(v) for v in schema))
    return set()


def write_schemas(folder: Path) -> list[Path]:
    """Write the JSON Schema of each content file into ``folder``; return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in json_schemas().items():
        path = folder / f"{name}.schema.json"
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written
