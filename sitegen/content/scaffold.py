"""Write the commented starting files an editor fills in (`sitegen new`)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from sitegen.content.format import write_schemas
from sitegen.content.load import (
    NEIGHBORHOOD_FILE,
    NEIGHBORHOODS_DIR,
    NOTICES_DIR,
    PACT_FILE,
    RESERVED_SLUGS,
    SITE_FILE,
    SLUG_RE,
)
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

## 找谁办事：本小区和 site.yaml 不一样的地方（如公共设施找本小区物业），写问题类别的编号。
# who_to_call:
#   facilities:               # 公共设施
#     handler: 某某物业服务中心
#     phone: 029-0000 2000

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


def check_slug(slug: str) -> None:
    """Raise SitegenError if ``slug`` cannot name a neighborhood's folder."""
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


def neighborhood_files(slug: str, name: str = "", today: dt.date | None = None) -> dict[str, str]:
    """The scaffold's files by path below the content folder: a commented neighborhood.yaml and a pact."""
    folder = f"{NEIGHBORHOODS_DIR}/{slug}"
    today = today or dt.date.today()
    text = NEIGHBORHOOD_TEMPLATE.format(name=json.dumps(name or slug, ensure_ascii=False), today=today.isoformat())
    return {f"{folder}/{NEIGHBORHOOD_FILE}": SCHEMA_MODELINE + text, f"{folder}/{PACT_FILE}": PACT_TEMPLATE}


def new_neighborhood(content_dir: Path, slug: str, name: str = "", today: dt.date | None = None) -> Path:
    """Create ``neighborhoods/<slug>/`` with a commented neighborhood.yaml and a pact; return its path."""
    check_slug(slug)
    if not content_dir.is_dir():
        raise SitegenError(_("the content directory {path} does not exist", path=str(content_dir)))
    folder = content_dir / NEIGHBORHOODS_DIR / slug
    if folder.exists():
        raise SitegenError(_("{folder} already exists", folder=str(folder)))
    folder.mkdir(parents=True)
    for rel, text in neighborhood_files(slug, name, today).items():
        (content_dir / rel).write_text(text, encoding="utf-8")
    return folder / NEIGHBORHOOD_FILE


def schema_for_editors(content_dir: Path) -> list[Path]:
    """Write ``schema/`` beside the content folder if it is missing: the scaffold's first line points there."""
    folder = content_dir.resolve().parent / SCHEMA_DIR
    if (folder / "neighborhood.schema.json").is_file():
        return []
    return write_schemas(folder)


SITE_TEMPLATE = """\
# yaml-language-server: $schema=../schema/site.schema.json
## 社区信息：网站首页、「找谁办事」、网格、例会都从这里读取。
## 填写说明：每行是「键: 值」，键用英文，值可以写中文。缩进用两个空格，不要用 Tab。
## 以 # 开头的行是注释，不会发布。去掉行首的「# 」即可启用该行。
## 下面的电话号码都是示例（0000 是占位），请逐个换成真实号码。
## 改完后运行 `sitegen check` 检查，`sitegen build` 生成网站。
## 各小区的信息在 neighborhoods/<小区拼音>/neighborhood.yaml 里，新增小区用
## `sitegen new neighborhood 小区拼音 --name 小区名称`。

name: {name}          # 社区名称（必填）
# district: 新城区          # 区县
# street: 西华街道          # 街道
# area_code: "029"          # 电话区号：写了以后，座机可以只写本地号码
# base_url: https://shequ.example.org/   # 网站发布地址：打印材料上的二维码指向这里，发布前一定要填
verified_on: {today}   # 联系方式最近一次核对的日期，核对后请更新

# intro: |                  # 首页上的社区简介（可以分段）
#   本社区位于……，辖区有 3 个居民小区，划分为 4 个网格。
# households: 1260          # 户数
# residents: 3480           # 人数

office:                     # 社区党群服务中心（居委会）（必填）
  address: 某某路1号 社区党群服务中心
  phone: 029-0000 1000      # 办公电话
  hours:                    # 办公时间，每行一段
    - 周一至周五 8:30–12:00，14:30–18:00

emergency:                  # 紧急电话（至少一个）：110、119、120 是全国统一号码，不要改
  - name: 报警
    phone: 110
  - name: 火警
    phone: 119
  - name: 急救
    phone: 120
  - name: 市民服务热线
    phone: 12345
  # - name: 社区值班电话
  #   phone: 029-0000 1099
  #   note: 夜间和节假日有人接听

categories:                 # 找谁办事（至少一类）：每类写清找谁、打哪个电话、多久答复
  - id: facilities          # 编号：英文字母、数字或短横线，定了以后不要改
    name: 公共设施
    examples: 电梯故障、楼道灯不亮、门禁损坏
    handler: 小区物业服务中心
    phone: 029-0000 1003
    promise: 2小时内响应，24小时内修复
  - id: livelihood
    name: 民生服务
    examples: 社保医保、养老服务、证明开具
    handler: 社区党群服务中心窗口
    phone: 029-0000 1000
    promise: 能当场办的当场办，不能当场办的2小时内答复
  # - id: disputes
  #   name: 矛盾纠纷
  #   handler: 社区人民调解委员会
  #   contact: zhang-min     # 联系人：下面 people 里某人的 id，也可以直接写姓名和电话
  #   promise: 24小时内联系双方，72小时内调解

## 人员名录：在这里登记一次，网格和各小区都可以用 id 引用。
## 社区工作人员、网格员、民警的工作电话默认公开；志愿者的电话默认不公开，
## 本人同意后加 phone_public: true。public: false 表示此人不在网站和打印件上出现。
# people:
#   wang-li:
#     name: 王丽
#     role: 社区党委副书记
#     phone: 139 0000 0002
#   zhang-min:
#     name: 张敏
#     role: 专职网格员
#     phone: 139 0000 0001

grids:                      # 网格及网格团队
  - id: "01"                # 网格编号，带引号
    # households: 420
    # head: wang-li         # 网格长：people 里的 id，也可以直接写 {{name: 王丽, phone: 139 0000 0002}}
    # worker: zhang-min     # 专职网格员
    # police: {{name: 李强, org: 某某派出所, phone: 029-0000 1110}}   # 网格警员

meetings:                   # 例会
  - name: 居民面对面
    repeat: weekly          # weekly 每周，monthly 每月
    weekday: friday         # 星期：monday … sunday，也可以写 周五
    start: "15:00"
    end: "17:00"
    place: 社区党群服务中心
    description: 社区书记和网格员当面听取居民意见，欢迎来坐坐。
"""

NOTICE_TEMPLATE = """\
---
# 公告：文件名以日期开头（年-月-日-英文短名.md），--- 之间是公告信息，下面是正文（Markdown）。
title: 社区网站开通了
date: {today}
expires: {expires}        # 到期日：过了这天，公告从公告栏移到往期公告
# pinned: true            # 置顶
from: {sender}
---

社区网站开通了。这里有找谁办事、网格员和楼栋长的联系方式、各小区的公告。

有事请先找网格员；急事请打 110、119、120。
"""

GITIGNORE = """\
# sitegen build 写出的网站和缓存，不放进 git
/output/
.sitegen-cache/
"""

README_TEMPLATE = """\
# {name}

{name}的公开信息网站和公告栏打印材料，用 sitegen 从 content/ 里的 YAML 和 Markdown 生成。

- `content/site.yaml`：社区信息、找谁办事、网格、例会
- `content/neighborhoods/<小区>/`：各小区的治理名片、楼栋、便民服务、居民公约和公告
- `content/notices/`：社区公告，一个公告一个文件

改完后运行：

```sh
sitegen check          # 检查，列出每个问题在哪个文件哪一行
sitegen build          # 生成网站到 output/
sitegen serve          # 在本机预览，保存后自动刷新
```
"""


def new_site(root: Path, name: str = "", today: dt.date | None = None) -> Path:
    """Start a community in ``root``: a commented content folder, its schema and a .gitignore; return the content dir.

    Nothing is overwritten: ``root/content`` must not exist yet.
    """
    content = root / "content"
    if content.exists():
        raise SitegenError(_("{folder} already exists", folder=str(content)))
    today = today or dt.date.today()
    name = name or "示例社区"
    quoted = json.dumps(name, ensure_ascii=False)
    (content / NOTICES_DIR).mkdir(parents=True)
    (content / SITE_FILE).write_text(SITE_TEMPLATE.format(name=quoted, today=today.isoformat()), encoding="utf-8")
    expires = today + dt.timedelta(days=30)
    sender = json.dumps(f"{name}居委会", ensure_ascii=False)
    notice = NOTICE_TEMPLATE.format(sender=sender, today=today.isoformat(), expires=expires.isoformat())
    (content / NOTICES_DIR / f"{today.isoformat()}-welcome.md").write_text(notice, encoding="utf-8")
    new_neighborhood(content, "hexie-jiayuan", "和谐家园", today)
    write_schemas(root / SCHEMA_DIR)
    for file, text in ((".gitignore", GITIGNORE), ("README.md", README_TEMPLATE.format(name=name))):
        if not (root / file).exists():
            (root / file).write_text(text, encoding="utf-8")
    return content
