"""Write the commented starting files an editor fills in (`sitegen new`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sitegen.content.format import write_schemas
from sitegen.content.load import NEIGHBORHOOD_FILE, NEIGHBORHOODS_DIR, PACT_FILE, RESERVED_SLUGS, SLUG_RE
from sitegen.errors import SitegenError
from sitegen.i18n import _

SCHEMA_DIR = "schema"  # beside the content folder, as in sitegen's own repository
# Editors (VS Code with the YAML extension) read the schema named here: completion and inline errors.
SCHEMA_MODELINE = "# yaml-language-server: $schema=../../../schema/neighborhood.schema.json\n"

NEIGHBORHOOD_TEMPLATE = """\
## 小区信息（治理名片、楼栋、便民服务等）
## 填写说明：每行是「键: 值」，键用英文，值可以写中文。缩进用空格，不要用 Tab。
## 以 # 开头的行是注释，不会发布。去掉行首的「# 」即可启用该行。
## 改完后运行 `sitegen check` 检查；格式说明见 docs/content-format.md。

name: {name}    # 小区名称（必填）
verified_on: {today}   # 联系方式最近一次核对的日期（必填），核对后请更新

# address: 盛世路100号       # 地址
# founded: 2006              # 建成年份
# households: 1260           # 住户（户）
# residents: 3480            # 居民（人）
# property_company: 某某物业服务有限公司
# property_phone: 029-0000 2000   # 物业服务电话
# grid: "01"                 # 所属网格（site.yaml 中网格的 id），楼栋可单独填写

## 人员：可以直接写在对应位置，也可以在 people 下登记后用 id 引用。
## 写 public: false 的人不会出现在任何页面和打印件上；
## phone_public: true/false 决定电话是否公开，楼栋长、单元长等志愿者的电话默认不公开。
# property_manager:          # 物业经理
#   name: 李建国
#   phone: 139 0000 0201
# community_leader: wang-li  # 社区包联领导（site.yaml 中 people 的 id）
# instructor:                # 驻区单位指导员
#   name: 陈晓
#   org: 某某单位
#   phone: 139 0000 0202

# buildings:                 # 楼栋、单元及楼栋长、单元长
#   - id: 1                  # 编号：字母、数字或短横线
#     grid: "01"
#     head:                  # 楼栋长
#       name: 赵秀兰
#       phone: 139 0000 0203
#       phone_public: true   # 本人同意后才公开电话
#     units:
#       - id: 1
#         head: {{name: 孙立, phone: 139 0000 0204}}

# services:                  # 便民服务
#   - category: 家电维修
#     name: 老周家电维修
#     phone: 139 0000 0205
#     hours: 每天 8:00–20:00

# channels:                  # 线上服务渠道
#   - category: 市民热线
#     name: 12345 市民服务热线
#     phone: 12345
#     hours: 24小时

# projects:                  # 共驻共建项目
#   - name: 亲子时光站
#     partner: 某某小学
#     schedule: 每周六 9:00–11:00

# clubs:                     # 兴趣社团
#   - name: 晨跑队
#     schedule: 每天 6:30

# honours:                   # 微榜样
#   - year: 2025
#     title: 好邻居
#     name: 赵秀兰

# meetings:                  # 例会
#   - name: 楼栋议事会
#     repeat: monthly
#     day: 15
#     start: "19:00"
#     place: 小区议事厅
"""

PACT_TEMPLATE = """\
1. 爱护公共设施，不在楼道堆放杂物。
2. 电动自行车不进楼入户，在指定地点充电。
3. 文明养犬，出门牵绳，及时清理粪便。
4. 垃圾分类投放，不乱扔垃圾。
5. 22:00 至次日 7:00 不制造噪音，装修在规定时间进行。
"""


def new_neighborhood(content_dir: Path, slug: str, name: str = "", today: dt.date | None = None) -> Path:
    """Create ``neighborhoods/<slug>/`` with a commented neighborhood.yaml and a pact; return its path."""
    if not SLUG_RE.match(slug):
        raise SitegenError(
            _(
                "`{slug}` cannot be used as a folder name in web addresses; "
                "use lowercase letters, digits and dashes, e.g. hexie-jiayuan",
                slug=slug,
            )
        )
    if slug in RESERVED_SLUGS:
        raise SitegenError(_("`{slug}` is used by the site itself; choose another name", slug=slug))
    if not content_dir.is_dir():
        raise SitegenError(_("the content directory {path} does not exist", path=str(content_dir)))
    folder = content_dir / NEIGHBORHOODS_DIR / slug
    if folder.exists():
        raise SitegenError(_("{folder} already exists", folder=str(folder)))
    folder.mkdir(parents=True)
    today = today or dt.date.today()
    path = folder / NEIGHBORHOOD_FILE
    path.write_text(
        SCHEMA_MODELINE
        + NEIGHBORHOOD_TEMPLATE.format(name=json.dumps(name or slug, ensure_ascii=False), today=today.isoformat()),
        encoding="utf-8",
    )
    (folder / PACT_FILE).write_text(PACT_TEMPLATE, encoding="utf-8")
    return path


def schema_for_editors(content_dir: Path) -> list[Path]:
    """Write ``schema/`` beside the content folder if it is missing: the scaffold's first line points there."""
    folder = content_dir.resolve().parent / SCHEMA_DIR
    if (folder / "neighborhood.schema.json").is_file():
        return []
    return write_schemas(folder)
