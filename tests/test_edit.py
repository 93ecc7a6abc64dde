"""sitegen edit in Chromium at phone width, as a community worker uses it: each task through the page, then
the commit (one line of the diff per value), `sitegen check` and the built page; wrong input refused at its
field with the file left as it was."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sitegen.cli import main
from tests.conftest import ROOT
from tests.edit_helpers import EditorProcess

pytestmark = pytest.mark.browser

LANTING = "neighborhoods/lanting-huayuan/neighborhood.yaml"
PHONE_WIDTH = {"width": 390, "height": 844}


@pytest.fixture
def editor(tmp_path: Path) -> Iterator[EditorProcess]:
    process = EditorProcess(tmp_path / "site", ROOT / "content")
    yield process
    assert process.stop() == 0, "".join(process.log)


@pytest.fixture
def page(browser: Any, editor: EditorProcess) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE_WIDTH, locale="zh-CN")
    context.set_default_timeout(120_000)
    opened = context.new_page()
    yield opened
    context.close()


def check_and_save(page: Any, name: str = "王芳") -> str:
    """Press 检查修改, look at the list of changes, write the name and save; return the message shown."""
    page.locator("form.edit > .actions button[value=review]").click()
    page.wait_for_selector("#review h2")
    changes = page.inner_text("#review .changes")
    page.fill("#editor", name)
    page.click("button[value=save]")
    page.wait_for_selector(".flash")
    return changes + "\n" + page.inner_text(".flash")


def changed_lines(editor: EditorProcess, rev: str = "HEAD") -> tuple[list[str], list[str]]:
    diff = editor.git("show", "--format=", "-U0", rev)
    removed = [line[1:] for line in diff.split("\n") if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in diff.split("\n") if line.startswith("+") and not line.startswith("+++")]
    return removed, added


def subject(editor: EditorProcess, rev: str = "HEAD") -> str:
    return editor.git("log", "-1", "--format=%s", rev).strip()


def built(editor: EditorProcess, tmp_path: Path) -> Path:
    """`sitegen check` passes on the saved content, and `sitegen build` makes the site from it."""
    assert main(["check", "--content", str(editor.content)]) == 0
    out = tmp_path / "out"
    assert main(["build", "--content", str(editor.content), "--output", str(out), "--clean"]) == 0
    return out


def test_a_phone_number_of_the_name_card(page: Any, editor: EditorProcess, tmp_path: Path) -> None:
    page.goto(editor.url)
    page.click("text=兰亭花园")
    page.click("text=治理名片")
    page.fill("#i-f-property_manager-phone", "139 0000 0599")
    said = check_and_save(page)
    assert "物业经理电话：139 0000 0508 → 139 0000 0599" in said and "已保存：兰亭花园：更新物业经理电话" in said
    assert subject(editor) == "兰亭花园：更新物业经理电话"
    assert editor.git("log", "-1", "--format=%an").strip() == "王芳"
    assert "编辑人：王芳" in editor.git("log", "-1", "--format=%b")
    assert changed_lines(editor) == (["  phone: 139 0000 0508"], ["  phone: 139 0000 0599"])
    assert editor.git("status", "--porcelain") == ""
    assert "139 0000 0599" in (built(editor, tmp_path) / "lanting-huayuan" / "index.html").read_text(encoding="utf-8")


def test_a_wrong_phone_number_is_refused_at_its_field(page: Any, editor: EditorProcess) -> None:
    before = (editor.content / LANTING).read_bytes()
    head = editor.git("rev-parse", "HEAD")
    page.goto(editor.url + "n/lanting-huayuan/s/buildings/3")
    page.fill("#i-f-head-phone", "138 0000 05x7")
    page.locator("form.edit > .actions button[value=review]").click()
    problem = page.locator("#i-f-head-phone-problem1")
    assert "不是有效的电话号码" in problem.inner_text()
    assert page.get_attribute("#i-f-head-phone", "aria-invalid") == "true"
    assert page.locator("#i-f-head-phone").input_value() == "138 0000 05x7"  # what was typed stays
    assert "没有保存" in page.inner_text("#problems")
    assert page.locator("button[value=save]").count() == 0
    assert (editor.content / LANTING).read_bytes() == before and editor.git("rev-parse", "HEAD") == head


def test_a_required_field_left_empty_is_refused(page: Any, editor: EditorProcess) -> None:
    before = (editor.content / LANTING).read_bytes()
    page.goto(editor.url + "n/lanting-huayuan/s/card/")
    page.fill("#i-f-name", "")
    page.locator("form.edit > .actions button[value=review]").click()
    assert "必须填写" in page.inner_text("#i-f-name-problem1")
    assert (editor.content / LANTING).read_bytes() == before


def test_building_and_unit_heads(page: Any, editor: EditorProcess) -> None:
    page.goto(editor.url + "n/lanting-huayuan/")
    page.click("text=楼栋、楼栋长和单元长")
    page.click("a.card:has-text('2号楼')")
    page.fill("#i-f-head-name", "龙丽华")
    page.fill("#i-f-units-1-head-phone", "138 0000 0599")
    said = check_and_save(page)
    assert "2号楼楼栋长姓名：龙丽萍 → 龙丽华" in said and "2号楼2单元单元长电话" in said
    assert subject(editor) == "兰亭花园：更新2号楼楼栋长姓名、2号楼2单元单元长电话"
    assert changed_lines(editor) == (
        ["      name: 龙丽萍", "        head: {name: 石文杰, phone: 138 0000 0506}"],
        ["      name: 龙丽华", "        head: {name: 石文杰, phone: 138 0000 0599}"],
    )


def test_add_a_building_with_its_units(page: Any, editor: EditorProcess, tmp_path: Path) -> None:
    page.goto(editor.url + "n/lanting-huayuan/s/buildings/")
    page.click("text=新增")
    page.fill("#i-f-id", "9")
    page.fill("#i-f-floors", "11")
    page.fill("#i-f-households", "44")
    page.select_option("#i-f-grid", "07")
    page.fill("#i-f-head-name", "陶红")
    page.fill("#i-f-head-phone", "138 0000 0590")
    page.click("button[value='add:f.units']")
    page.fill("#i-f-units-0-id", "1")
    page.select_option("#i-f-units-0-head-mode", "ref")
    page.select_option("#i-f-units-0-head-ref", "luo-yiming")
    said = check_and_save(page)
    assert "新增9号楼" in said
    assert subject(editor) == "兰亭花园：新增9号楼"
    removed, added = changed_lines(editor)
    assert removed == []
    assert added == [
        "  - id: 9",
        "    floors: 11",
        "    households: 44",
        '    grid: "07"',
        "    head:",
        "      name: 陶红",
        "      phone: 138 0000 0590",
        "    units:",
        "      - id: 1",
        "        head: luo-yiming",
    ]
    page_html = (built(editor, tmp_path) / "lanting-huayuan" / "index.html").read_text(encoding="utf-8")
    assert "9号楼" in page_html and "骆一鸣" in page_html


def test_grid_teams_of_the_community(page: Any, editor: EditorProcess) -> None:
    page.goto(editor.url + "community/")
    page.click("text=网格团队")
    page.click("a.card:has-text('第六网格')")
    page.select_option("#i-f-worker-ref", "feng-tao")
    page.click("button[value='add:f.helpers']")
    page.select_option("#i-f-helpers-1-mode", "ref")
    page.select_option("#i-f-helpers-1-ref", "dong-guizhi")
    check_and_save(page)
    assert subject(editor) == "锦华社区：更新第六网格专职网格员；新增第六网格兼职网格员"
    assert changed_lines(editor) == (
        ["    worker: xu-li", "    helpers: [xue-ming]"],
        ["    worker: feng-tao", "    helpers: [xue-ming, dong-guizhi]"],
    )


def test_services_and_channels(page: Any, editor: EditorProcess) -> None:
    page.goto(editor.url + "n/lanting-huayuan/s/services/")
    page.click("a.card:has-text('兰亭快剪')")
    page.fill("#i-f-phone", "139 0000 0699")
    check_and_save(page)
    assert changed_lines(editor) == (["    phone: 139 0000 0632"], ["    phone: 139 0000 0699"])
    page.goto(editor.url + "n/lanting-huayuan/s/channels/new")
    page.fill("#i-f-category", "物业报修")
    page.fill("#i-f-name", "瑞和物业24小时报修")
    page.fill("#i-f-phone", "029-0000 2599")
    check_and_save(page)
    assert subject(editor) == "兰亭花园：新增线上服务「瑞和物业24小时报修」"
    removed, added = changed_lines(editor)
    assert removed == [] and added[0] == "  - category: 物业报修" and len(added) == 3
    text = (editor.content / LANTING).read_text(encoding="utf-8")
    assert text.index("瑞和物业24小时报修") < text.index("# 共驻共建项目")


def test_remove_a_service(page: Any, editor: EditorProcess) -> None:
    page.goto(editor.url + "n/lanting-huayuan/s/services/")
    page.click("a.card:has-text('兰亭快剪')")
    page.click("text=删除这一项")
    page.wait_for_selector("#review h2")
    assert "删除便民服务「兰亭快剪」" in page.inner_text("#review")
    page.fill("#editor", "王芳")
    page.click("button[value=save]")
    page.wait_for_selector(".flash")
    removed, added = changed_lines(editor)
    assert added == [] and removed[0] == "  - category: 理发" and len(removed) == 5
    assert "# 线上服务与热线" in (editor.content / LANTING).read_text(encoding="utf-8")


def test_mark_the_contact_data_checked_today(page: Any, editor: EditorProcess) -> None:
    page.goto(editor.url + "n/lanting-huayuan/")
    page.click("text=今天已逐一核对电话")
    page.wait_for_selector("#review h2")
    page.fill("#editor", "王芳")
    page.click("button[value=save]")
    page.wait_for_selector(".flash")
    assert subject(editor) == "兰亭花园：联系方式已于 2026-11-22 核对"
    assert changed_lines(editor) == (["verified_on: 2026-11-03"], ["verified_on: 2026-11-22"])


def test_post_a_notice_with_the_markdown_toolbar_and_see_it(page: Any, editor: EditorProcess, tmp_path: Path) -> None:
    page.goto(editor.url + "n/lanting-huayuan/")
    page.click("text=发布通知")
    page.fill("#i-f-title", "12月1日停水通知")
    page.fill("#i-f-date", "2026-12-01")
    page.fill("#i-f-expires", "2026-12-02")
    page.check("#i-f-pinned")
    body = page.locator("#i-f-_body")
    body.fill("12月1日 9:00–15:00 全小区停水。")
    body.press("End")
    page.click(".md-toolbar button:has-text('加粗') >> nth=0")
    page.wait_for_selector(".md-preview strong")
    assert "停水" in page.inner_text(".md-preview")
    page.locator("form.edit > .actions button[value=review]").click()
    page.wait_for_selector("#review h2")
    preview = page.frame_locator("iframe.preview")
    assert "12月1日停水通知" in preview.locator("h1").inner_text()
    page.fill("#editor", "王芳")
    page.click("button[value=save]")
    page.wait_for_selector(".flash")
    name = "neighborhoods/lanting-huayuan/notices/2026-12-01-12-yue-1-ri-ting-shui-tong-zhi.md"
    assert editor.git("show", "--format=", "--name-only", "HEAD").split() == [f"content/{name}"]
    assert subject(editor) == "兰亭花园：发布通知「12月1日停水通知」"
    text = (editor.content / name).read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: 12月1日停水通知\ndate: 2026-12-01\nexpires: 2026-12-02\npinned: true\n---\n\n")
    assert "**文字**" in text
    out = built(editor, tmp_path)
    notice = (out / "lanting-huayuan" / "notices" / "2026-12-01-12-yue-1-ri-ting-shui-tong-zhi.html").read_text()
    assert "全小区停水" in notice and "<strong>文字</strong>" in notice


def test_pin_unpin_and_take_down_a_notice(page: Any, editor: EditorProcess) -> None:
    notice = "neighborhoods/lanting-huayuan/notices/2026-11-15-november-council-minutes.md"
    page.goto(editor.url + "n/lanting-huayuan/")
    page.locator("li", has_text="11月楼栋议事会纪要").locator("button[value=pin]").click()
    page.wait_for_selector("#review h2")
    page.fill("#editor", "王芳")
    page.click("button[value=save]")
    page.wait_for_selector(".flash")
    assert subject(editor) == "兰亭花园：置顶通知「11月楼栋议事会纪要：垃圾分类亭调整位置」"
    assert changed_lines(editor) == ([], ["pinned: true"])
    page.locator("li", has_text="11月楼栋议事会纪要").locator("button[value=unpin]").click()
    page.wait_for_selector("#review h2")
    page.click("button[value=save]")  # the name is remembered
    page.wait_for_selector(".flash")
    assert changed_lines(editor) == (["pinned: true"], [])
    page.locator("li", has_text="11月楼栋议事会纪要").locator("button[value=takedown]").click()
    page.wait_for_selector("#review h2")
    page.click("button[value=save]")
    page.wait_for_selector(".flash")
    assert subject(editor) == "兰亭花园：撤下通知「11月楼栋议事会纪要：垃圾分类亭调整位置」"
    assert not (editor.content / notice).exists()
    assert "11月楼栋议事会纪要" not in page.inner_text("ul.notices")


def test_edit_the_resident_pact(page: Any, editor: EditorProcess) -> None:
    pact = editor.content / "neighborhoods/lanting-huayuan/pact.md"
    old = pact.read_text(encoding="utf-8")
    page.goto(editor.url + "n/lanting-huayuan/pact")
    area = page.locator("#i-f-_pact")
    area.fill(area.input_value().replace("车库限速5公里", "车库限速5公里，不鸣笛"))
    check_and_save(page)
    assert subject(editor) == "兰亭花园：修改居民公约"
    assert pact.read_text(encoding="utf-8") == old.replace("车库限速5公里", "车库限速5公里，不鸣笛")
    removed, added = changed_lines(editor)
    assert len(removed) == len(added) == 1


def test_add_a_neighborhood_then_fill_in_its_name_card(page: Any, editor: EditorProcess, tmp_path: Path) -> None:
    page.goto(editor.url)
    page.click("text=新增小区")
    page.fill("#i-f-name", "和谐家园")
    check_and_save(page)
    assert subject(editor) == "锦华社区：新增小区「和谐家园」（he-xie-jia-yuan）"
    assert page.url.endswith("/n/he-xie-jia-yuan/s/card/#main")
    scaffold = (editor.content / "neighborhoods/he-xie-jia-yuan/neighborhood.yaml").read_text(encoding="utf-8")
    page.fill("#i-f-address", "盛世路100号")
    page.fill("#i-f-households", "1260")
    page.select_option("#i-f-grid", "05")
    check_and_save(page)
    removed, added = changed_lines(editor)
    assert removed == [] and sorted(added) == sorted(["address: 盛世路100号", "households: 1260", 'grid: "05"'])
    text = (editor.content / "neighborhoods/he-xie-jia-yuan/neighborhood.yaml").read_text(encoding="utf-8")
    assert [line for line in text.split("\n") if line.startswith("#")] == [
        line for line in scaffold.split("\n") if line.startswith("#")
    ]
    assert "和谐家园" in (built(editor, tmp_path) / "he-xie-jia-yuan" / "index.html").read_text(encoding="utf-8")


def test_the_raw_editor_shows_problems_beside_their_lines(page: Any, editor: EditorProcess) -> None:
    site = editor.content / "site.yaml"
    before = site.read_bytes()
    page.goto(editor.url + "raw/site.yaml")
    area = page.locator("#raw-text")
    text = area.input_value()
    area.fill(text.replace("    phone: 029-0000 1003", "    phone: 029-0000 10x3"))
    page.locator("form.edit > .actions button[value=review]").click()
    line = text.split("\n").index("    phone: 029-0000 1003") + 1
    assert page.locator(".gutter li.marked").inner_text() == str(line)
    assert f"第 {line} 行" in page.inner_text("#raw-problems") and "电话号码" in page.inner_text("#raw-problems")
    assert page.locator("button[value=save]").count() == 0 and site.read_bytes() == before
    area.fill(text.replace('area_km2: "1.1"', 'area_km2: "1.2"'))
    check_and_save(page)
    assert subject(editor) == "锦华社区：修改 site.yaml"
    assert changed_lines(editor) == (
        ['area_km2: "1.1"      # 面积（平方公里）'],
        ['area_km2: "1.2"      # 面积（平方公里）'],
    )


def test_undo_the_last_save(page: Any, editor: EditorProcess) -> None:
    before = (editor.content / LANTING).read_bytes()
    page.goto(editor.url + "n/lanting-huayuan/s/card/")
    page.fill("#i-f-property_phone", "029-0000 2509")
    check_and_save(page)
    page.goto(editor.url + "history")
    page.click("button[value=undo]")
    page.wait_for_selector("#review h2")
    page.click("button[value=save]")
    page.wait_for_selector(".flash")
    assert subject(editor) == "撤销：兰亭花园：更新物业服务电话"
    assert "撤销提交" in editor.git("log", "-1", "--format=%b")
    assert (editor.content / LANTING).read_bytes() == before
    assert len(editor.git("log", "--format=%H").split()) == 3


def test_a_file_changed_since_the_form_was_opened_is_a_conflict(page: Any, editor: EditorProcess) -> None:
    page.goto(editor.url + "n/lanting-huayuan/s/card/")
    page.fill("#i-f-property_phone", "029-0000 2509")
    path = editor.content / LANTING
    elsewhere = path.read_text(encoding="utf-8").replace("residents: 1455", "residents: 1460")
    path.write_text(elsewhere, encoding="utf-8")
    editor.git("commit", "-qam", "别处的修改")
    page.locator("form.edit > .actions button[value=review]").click()
    assert "有人修改了这些文件" in page.inner_text("#problems")
    assert "物业服务电话：029-0000 2501 → 029-0000 2509" in page.inner_text("#problems")
    assert path.read_text(encoding="utf-8") == elsewhere and subject(editor) == "别处的修改"


def test_the_pages_fit_a_phone(page: Any, editor: EditorProcess) -> None:
    for path in ["", "n/lanting-huayuan/", "n/lanting-huayuan/s/buildings/1", "n/lanting-huayuan/notices/new"]:
        page.goto(editor.url + path)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        assert width <= PHONE_WIDTH["width"], (path, width)
        small = page.evaluate(
            """[...document.querySelectorAll('main button, main input, main select, main a.button, main a.card')]
               .filter(e => e.offsetParent && e.type !== 'hidden' && e.type !== 'checkbox')
               .filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML.slice(0, 80))"""
        )
        assert small == [], path
        size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert size >= 18


@pytest.mark.parametrize("lang", ["en"])
def test_the_editor_speaks_english_when_asked(browser: Any, tmp_path: Path, lang: str) -> None:
    process = EditorProcess(tmp_path / "site", ROOT / "content", "--lang", lang)
    try:
        context = browser.new_context(viewport=PHONE_WIDTH)
        opened = context.new_page()
        opened.goto(process.url + "n/lanting-huayuan/s/card/")
        assert opened.locator("html").get_attribute("lang") == "en"
        assert "Check the changes" in opened.inner_text("main")
        opened.fill("#i-f-property_phone", "029-0000 25")
        opened.locator("form.edit > .actions button[value=review]").click()
        assert "is not a valid phone number" in opened.inner_text("#i-f-property_phone-problem1")
        context.close()
    finally:
        assert process.stop() == 0


def test_no_serious_accessibility_violations(browser: Any, editor: EditorProcess, axe_source: str) -> None:
    context = browser.new_context(viewport=PHONE_WIDTH, bypass_csp=True)  # axe is put into the page
    context.set_default_timeout(120_000)
    page = context.new_page()
    violations = {}

    def audit(name: str) -> None:
        page.add_script_tag(content=axe_source)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        serious = [
            f"{v['id']}: {v['help']} (e.g. {v['nodes'][0]['html'][:80]})"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            violations[name] = serious

    for path in ["", "n/lanting-huayuan/", "n/lanting-huayuan/s/buildings/", "raw/site.yaml", "history"]:
        page.goto(editor.url + path)
        audit(path or "home")
    page.goto(editor.url + "n/lanting-huayuan/s/buildings/0")
    page.fill("#i-f-head-phone", "138 0000 05x1")
    page.locator("form.edit > .actions button[value=review]").click()
    page.wait_for_selector("#problems")
    audit("a refused check")
    page.fill("#i-f-head-phone", "138 0000 0591")
    page.locator("form.edit > .actions button[value=review]").click()
    page.wait_for_selector("#review h2")
    audit("the changes before saving")
    page.goto(editor.url + "n/lanting-huayuan/notices/new")
    audit("a new notice")
    context.close()
    assert violations == {}
