"""From read documents to the Site model: privacy, references, grids, notices, meetings, and
collecting every problem at once. Ends with property-based tests of `sitegen check` on junk."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.cli import main
from sitegen.content.load import load_documents
from sitegen.content.model import Neighborhood, Site
from sitegen.content.validate import validate_content, validate_site
from sitegen.errors import ContentError
from tests.helpers import MINIMAL_NEIGHBORHOOD, MINIMAL_SITE, write_site

TODAY = dt.date(2026, 11, 22)  # the build date fixed by tests/conftest.py
NB = "neighborhoods/hexie/neighborhood.yaml"


def validate(root: Path, files: dict[str, str | bytes], minimal: bool = True) -> tuple[Site | None, list[ContentError]]:
    content = write_site(root, files, minimal)
    return validate_site(load_documents(content, "content"), TODAY)


# site.yaml as written, with a wrong grid phone (a problem the site survives), and unreadable.
_SITE_YAMLS = {
    "valid": MINIMAL_SITE,
    "with a problem": MINIMAL_SITE.replace("139 0000 0001", "139 0000"),
    "unreadable": MINIMAL_SITE + "  - id: [\n",
}


def _site_reads_here(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time this process reads site.yaml; two workers, forking
    allowed even with other tests' threads."""
    from sitegen import workers
    from sitegen.content import load

    reads: list[int] = []
    read_site = load._load_site

    def counted(*args: object) -> object:
        reads.append(1)
        return read_site(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(load, "_load_site", counted)
    monkeypatch.setenv("SITEGEN_JOBS", "2")
    monkeypatch.setattr(workers, "forkable", lambda items, least: True)
    return reads


@pytest.mark.parametrize("kind", list(_SITE_YAMLS))
def test_a_large_site_yaml_is_checked_in_a_worker_as_it_would_be_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """A district's site.yaml is read and checked in a forked worker (its parsed tree would stay in
    the memory of this process and of every worker it forks): the same site, the same problems."""
    from sitegen.content import validate

    content = write_site(tmp_path, {"site.yaml": _SITE_YAMLS[kind]})
    reads = _site_reads_here(monkeypatch)
    results = {}
    for alone_from in (10**9, 0):  # here, then in a worker
        monkeypatch.setattr(validate, "SITE_ALONE_FROM", alone_from)
        reads.clear()
        site, problems = validate_site(load_documents(content, "content"), TODAY)
        results[alone_from] = (site, [vars(p) for p in problems])
        assert len(reads) == (1 if alone_from else 0)
    assert results[0] == results[10**9]
    site, problems = results[0]
    assert (site is None) == (kind == "unreadable")
    assert bool(problems) == (kind != "valid")


@pytest.mark.parametrize("kind", list(_SITE_YAMLS))
def test_a_large_site_yaml_checked_before_the_folders_are_read_is_taken_as_checked_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """A district's site.yaml is checked by a child forked before the neighborhood folders are read
    (SiteValidator.check_site_early): the validator takes its result without reading site.yaml
    here, the same site and problems, unless it was checked for another context (then it is
    checked again); a result not wanted ends its child."""
    from sitegen.content import validate
    from sitegen.content.validate import SiteValidator, sorted_problems

    content = write_site(tmp_path, {"site.yaml": _SITE_YAMLS[kind]})
    reads = _site_reads_here(monkeypatch)
    monkeypatch.setattr(validate, "SITE_ALONE_FROM", 10**9)
    assert SiteValidator.check_site_early(content, "content", TODAY) is None  # small: checked when asked
    monkeypatch.setattr(validate, "SITE_ALONE_FROM", 0)
    expected = validate_site(load_documents(content, "content"), TODAY)

    checked_again: list[int] = []
    run_alone = validate.run_alone
    monkeypatch.setattr(validate, "run_alone", lambda *args, **kw: [checked_again.append(1), run_alone(*args, **kw)][1])

    def checked(early_key: str, key: str) -> tuple[object, list[ContentError]]:
        validator = SiteValidator(load_documents(content, "content"), TODAY, validate.ValidationCache(), key)
        validator.early = SiteValidator.check_site_early(content, "content", TODAY, lambda _today: early_key)
        assert validator.early is not None
        reads.clear()
        site = validator.run()
        assert len(reads) == 0, "site.yaml read in this process"
        return site, sorted_problems(validator.problems)

    assert checked("k", "k") == expected
    assert checked_again == []
    assert checked("another", "k") == expected
    assert checked_again == [1]  # in a child of its own, as without an early check
    checked_for_k = validate.SiteContext("k", "", {}, {}, {}, [])
    assert SiteValidator.check_site_early(content, "content", TODAY, lambda _today: "k", checked_for_k) is None
    early = SiteValidator.check_site_early(content, "content", TODAY, lambda _today: "k")
    assert early is not None
    pid = early._pid
    assert pid is not None
    early.cancel()
    with pytest.raises(ChildProcessError):  # ended and reaped
        os.waitpid(pid, os.WNOHANG)


def test_a_large_site_yaml_checked_before_the_date_is_known_tells_its_dates_and_waits_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the build date (it comes from all the content), the child checking a large site.yaml
    tells the dates site.yaml holds once it has parsed it, and checks for the date it is told then:
    the same site and problems as checked here for that date; no child where forking is not
    possible (it could not wait), nor when the cached context was checked for the likely date."""
    from sitegen import workers
    from sitegen.build import SiteDatesTold
    from sitegen.content import validate
    from sitegen.content.validate import SiteValidator, sorted_problems

    content = write_site(tmp_path, {"site.yaml": _SITE_YAMLS["with a problem"] + "verified_on: 2026-11-01\n"})
    reads = _site_reads_here(monkeypatch)
    monkeypatch.setattr(validate, "SITE_ALONE_FROM", 0)
    later = TODAY + dt.timedelta(days=400)  # its verified_on is then more than a year old: a warning
    expected = validate_site(load_documents(content, "content"), later)
    assert expected[1] != validate_site(load_documents(content, "content"), TODAY)[1]
    reads.clear()
    told = SiteDatesTold()
    early = SiteValidator.check_site_early(content, "content", told.wait, lambda day: f"key {day}")
    told.started()
    assert early is not None
    assert told.site_dates() == (dt.date(2026, 11, 1).toordinal(),)
    told.tell(later)
    validator = SiteValidator(load_documents(content, "content"), later, validate.ValidationCache(), f"key {later}")
    validator.early = early
    assert (validator.run(), sorted_problems(validator.problems)) == expected
    assert reads == [], "site.yaml read in this process"
    told.close()
    checked = validate.SiteContext(f"key {TODAY}", "", {}, {}, {}, [])
    assert SiteValidator.check_site_early(content, "content", told.wait, lambda d: f"key {d}", checked, TODAY) is None
    monkeypatch.setattr(workers, "forkable", lambda items, least: False)
    assert SiteValidator.check_site_early(content, "content", told.wait, lambda d: f"key {d}") is None


def test_summaries_checked_by_workers_share_their_notices_dates_and_name_each_grids_buildings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked by forked workers, the neighborhoods' summaries are those checked here, their notices'
    equal dates one object (a district's 100,000 notices have a few hundred dates), and each names
    its buildings that lie in a grid with the grid's id."""
    from sitegen import workers
    from sitegen.content import validate

    files: dict[str, str | bytes] = {}
    for index in range(validate.PARALLEL_CHECK_FROM + 3):
        folder = f"neighborhoods/n{index:03d}"
        files[f"{folder}/neighborhood.yaml"] = (
            f"name: 小区{index}\nverified_on: 2026-11-01\nbuildings:\n  - id: 1\n    grid: '01'\n  - id: 2\n"
        )
        for day in (index % 3 + 1, 5):
            files[f"{folder}/notices/2026-11-0{day}-n.md"] = (
                f"---\ntitle: 通知{day}\ndate: 2026-11-0{day}\nexpires: 2026-12-01\n---\n正文\n"
            )
    content = write_site(tmp_path, files)
    monkeypatch.setattr(workers, "forkable", lambda items, least: workers.workers() > 1 and items >= least)
    summaries = {}
    for jobs in ("1", "2"):
        monkeypatch.setenv("SITEGEN_JOBS", jobs)
        validated = validate_content(load_documents(content, "content"), TODAY)
        assert validated.site is not None
        assert [p for p in validated.problems if p.is_error] == []
        summaries[jobs] = validated.site.neighborhoods
    assert summaries["1"] == summaries["2"]
    notices = [notice for summary in summaries["2"] for notice in summary.notices]
    assert len(notices) == 2 * (validate.PARALLEL_CHECK_FROM + 3)
    assert len({id(notice.date) for notice in notices}) == len({notice.date for notice in notices})
    assert len({id(notice.expires) for notice in notices}) == len({notice.expires for notice in notices})
    first = next(summary for summary in summaries["2"] if summary.slug == "n000")
    assert list(first.building_grids()) == [("01", "1号楼")]


def valid_site(root: Path, files: dict[str, str | bytes]) -> Site:
    return valid_models(root, files)[0]


def valid_models(root: Path, files: dict[str, str | bytes]) -> tuple[Site, list[Neighborhood]]:
    """The valid site and its neighborhoods' whole models."""
    content = write_site(root, files, True)
    validated = validate_content(load_documents(content, "content"), TODAY)
    assert [p for p in validated.problems if p.is_error] == []
    assert validated.site is not None
    return validated.site, validated.neighborhoods


def errors(problems: list[ContentError]) -> list[tuple[str, int, str]]:
    return [(p.path.removeprefix("content/"), p.line, p.message) for p in problems if p.is_error]


def check(root: Path, files: dict[str, str | bytes], minimal: bool = True, lang: str = "en") -> tuple[int, str, str]:
    """Run `sitegen check --content content --lang LANG` in ``root``; return exit code, stdout and stderr."""
    write_site(root, files, minimal)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(root), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "--content", "content", "--lang", lang])
    return code, out.getvalue(), err.getvalue()


def neighborhood(extra: str) -> dict[str, str]:
    return {NB: MINIMAL_NEIGHBORHOOD + extra}


def site_with(extra: str) -> dict[str, str]:
    return {"site.yaml": MINIMAL_SITE + extra}


# --- privacy -----------------------------------------------------------------------------------

PRIVATE = """\
people:
  wang-mi:
    name: 王秘
    phone: 139 0000 0099
    public: false
"""


def test_private_person_is_nowhere_in_the_site(tmp_path: Path) -> None:
    site, models = valid_models(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE.replace(
                "      phone: 139 0000 0001\n",
                "      phone: 139 0000 0001\n    head: wang-mi\n    helpers:\n      - wang-mi\n",
            )
            + PRIVATE,
            NB: MINIMAL_NEIGHBORHOOD.replace("  - id: 1\n", "  - id: 1\n    head: wang-mi\n")
            + "property_manager: wang-mi\ncommunity_leader: wang-mi\n",
        },
    )
    assert site.grids[0].head is None
    assert site.grids[0].helpers == ()
    assert models[0].property_manager is None
    assert models[0].buildings[0].head is None
    assert "王秘" not in repr(site)
    assert "13900000099" not in repr(site)


def test_private_person_written_in_place(tmp_path: Path) -> None:
    site, models = valid_models(
        tmp_path,
        neighborhood(
            "    units:\n"
            "      - id: 1\n"
            "        head:\n"
            "          name: 钱八\n"
            "          phone: 139 0000 0088\n"
            "          public: false\n"
        ),
    )
    assert models[0].buildings[0].units[0].head is None
    assert "钱八" not in repr(site)


@pytest.mark.parametrize("word", ["false", "no", "否"])
def test_public_false_in_any_spelling(tmp_path: Path, word: str) -> None:
    site, models = valid_models(tmp_path, neighborhood(f"property_manager:\n  name: 赵六\n  public: {word}\n"))
    assert models[0].property_manager is None


VOLUNTEERS = """\
    head:
      name: 楼长甲
      phone: 139 0000 0011
    units:
      - id: 1
        head:
          name: 单元长乙
          phone: 139 0000 0012
"""


def test_volunteer_phones_are_hidden_by_default(tmp_path: Path) -> None:
    site, models = valid_models(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE + "    helpers:\n      - name: 兼职丙\n        phone: 139 0000 0013\n",
            NB: MINIMAL_NEIGHBORHOOD + VOLUNTEERS,
        },
    )
    building = models[0].buildings[0]
    assert building.head is not None and building.head.name == "楼长甲" and building.head.phone is None
    unit_head = building.units[0].head
    assert unit_head is not None and unit_head.name == "单元长乙" and unit_head.phone is None
    helper = site.grids[0].helpers[0]
    assert helper.name == "兼职丙" and helper.phone is None
    for digits in ("13900000011", "13900000012", "13900000013"):
        assert digits not in repr(site)


def test_volunteer_phone_is_shown_when_marked_public(tmp_path: Path) -> None:
    site, models = valid_models(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE
            + "    helpers:\n      - name: 兼职丙\n        phone: 139 0000 0013\n        phone_public: true\n",
            NB: MINIMAL_NEIGHBORHOOD
            + VOLUNTEERS.replace("phone: 139 0000 0011\n", "phone: 139 0000 0011\n      phone_public: true\n"),
        },
    )
    head = models[0].buildings[0].head
    assert head is not None and head.phone is not None and head.phone.digits == "13900000011"
    helper = site.grids[0].helpers[0]
    assert helper.phone is not None and helper.phone.digits == "13900000013"
    assert models[0].buildings[0].units[0].head.phone is None  # type: ignore[union-attr]


def test_club_and_project_contacts_are_volunteers(tmp_path: Path) -> None:
    contact = "    contact:\n      name: {name}\n      phone: 139 0000 00{n}\n"
    site, models = valid_models(
        tmp_path,
        neighborhood(
            "clubs:\n  - name: 书法社\n"
            + contact.format(name="社长", n="31")
            + "projects:\n  - name: 亲子时光站\n"
            + contact.format(name="站长", n="32")
        ),
    )
    club, project = models[0].clubs[0], models[0].projects[0]
    assert club.contact is not None and club.contact.phone is None
    assert project.contact is not None and project.contact.phone is None


def test_category_contact_is_an_official(tmp_path: Path) -> None:
    site = valid_site(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE.replace(
                "    promise: 2小时内响应\n", "    promise: 2小时内响应\n    contact: zhang-min\n"
            )
            + "people:\n  zhang-min:\n    name: 张敏\n    phone: 139 0000 0001\n"
        },
    )
    contact = site.categories[0].contact
    assert contact is not None and contact.phone is not None and contact.phone.digits == "13900000001"


def test_official_phones_are_shown_by_default(tmp_path: Path) -> None:
    site, models = valid_models(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE + "    police:\n      name: 警官丁\n      phone: 029-0000 1100\n",
            NB: MINIMAL_NEIGHBORHOOD + "property_manager:\n  name: 经理戊\n  phone: 139 0000 0021\n",
        },
    )
    grid = site.grids[0]
    assert grid.worker is not None and grid.worker.phone is not None
    assert grid.worker.phone.digits == "13900000001"
    assert grid.police is not None and grid.police.phone is not None
    manager = models[0].property_manager
    assert manager is not None and manager.phone is not None and manager.phone.digits == "13900000021"


def test_official_phone_is_hidden_when_marked_private(tmp_path: Path) -> None:
    site = valid_site(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE.replace(
                "      phone: 139 0000 0001\n", "      phone: 139 0000 0001\n      phone_public: false\n"
            )
        },
    )
    worker = site.grids[0].worker
    assert worker is not None and worker.name == "张敏" and worker.phone is None
    assert "13900000001" not in repr(site)


def test_roles_default_to_the_slot(tmp_path: Path) -> None:
    site, models = valid_models(tmp_path, neighborhood(VOLUNTEERS))
    assert site.grids[0].worker.role == "专职网格员"  # type: ignore[union-attr]
    assert models[0].buildings[0].head.role == "楼栋长"  # type: ignore[union-attr]
    assert models[0].buildings[0].units[0].head.role == "单元长"  # type: ignore[union-attr]


# --- references --------------------------------------------------------------------------------

SHARED_LI_NA = "people:\n  li-na:\n    name: 李娜（社区）\n    phone: 139 0000 0002\n"


def test_person_id_resolves_from_site_yaml(tmp_path: Path) -> None:
    site, models = valid_models(
        tmp_path, {"site.yaml": MINIMAL_SITE + SHARED_LI_NA, NB: MINIMAL_NEIGHBORHOOD + "property_manager: li-na\n"}
    )
    manager = models[0].property_manager
    assert manager is not None and manager.name == "李娜（社区）"


def test_local_person_id_wins_over_the_community_wide_one(tmp_path: Path) -> None:
    site, models = valid_models(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE + SHARED_LI_NA,
            NB: MINIMAL_NEIGHBORHOOD
            + "property_manager: li-na\npeople:\n  li-na:\n    name: 李娜（小区）\n    phone: 139 0000 0022\n",
        },
    )
    manager = models[0].property_manager
    assert manager is not None and manager.name == "李娜（小区）"
    assert manager.phone is not None and manager.phone.digits == "13900000022"


def test_another_neighborhoods_people_are_not_visible(tmp_path: Path) -> None:
    _site, problems = validate(
        tmp_path,
        {
            NB: MINIMAL_NEIGHBORHOOD + "people:\n  li-na:\n    name: 李娜\n",
            "neighborhoods/yangguang/neighborhood.yaml": MINIMAL_NEIGHBORHOOD.replace("和谐家园", "阳光小区")
            + "property_manager: li-na\n",
        },
    )
    assert errors(problems) == [
        ("neighborhoods/yangguang/neighborhood.yaml", 6, "no person with the id `li-na` is listed under `people:`")
    ]


def test_site_yaml_cannot_use_a_neighborhoods_people(tmp_path: Path) -> None:
    _site, problems = validate(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE + "    head: li-na\n",
            NB: MINIMAL_NEIGHBORHOOD + "people:\n  li-na:\n    name: 李娜\n",
        },
    )
    assert errors(problems) == [("site.yaml", 22, "no person with the id `li-na` is listed under `people:`")]


def test_unknown_person_suggests_a_close_id(tmp_path: Path) -> None:
    _site, problems = validate(
        tmp_path, {"site.yaml": MINIMAL_SITE + SHARED_LI_NA, NB: MINIMAL_NEIGHBORHOOD + "property_manager: li-ma\n"}
    )
    assert [(p.line, p.column, p.hint) for p in problems] == [(6, 19, "did you mean `li-na`?")]


def test_unknown_person_does_not_suggest_someone_else(tmp_path: Path) -> None:
    _site, problems = validate(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE + "people:\n  zhang-min:\n    name: 张敏\n",
            NB: MINIMAL_NEIGHBORHOOD + "property_manager: wang-wu\n",
        },
    )
    assert "zhang-min" not in problems[0].hint


def test_buildings_take_the_neighborhood_grid_unless_they_name_one(tmp_path: Path) -> None:
    site, models = valid_models(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE + '  - id: "02"\n',
            NB: MINIMAL_NEIGHBORHOOD + '  - id: 2\n    grid: "02"\n',
        },
    )
    assert [(b.id, b.grid.id if b.grid else None) for b in models[0].buildings] == [
        ("1", "01"),
        ("2", "02"),
    ]


def test_grid_number_without_quotes_suggests_the_id(tmp_path: Path) -> None:
    _site, problems = validate(tmp_path, {NB: MINIMAL_NEIGHBORHOOD.replace('grid: "01"', "grid: 1")})
    assert [(p.line, p.column, p.message, p.hint) for p in problems] == [
        (3, 7, "there is no grid with the id `1`", "did you mean `01`?")
    ]


def test_unknown_grid_on_a_building(tmp_path: Path) -> None:
    _site, problems = validate(tmp_path, neighborhood("    grid: A\n"))
    assert [(p.line, p.column, p.message, p.hint) for p in problems] == [
        (6, 11, "there is no grid with the id `A`", "grids in site.yaml: `01`")
    ]


# --- grid coverage -----------------------------------------------------------------------------


def test_grid_coverage_is_computed_from_buildings(tmp_path: Path) -> None:
    site = valid_site(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE + '  - id: "02"\n  - id: "03"\n',
            NB: MINIMAL_NEIGHBORHOOD + '  - id: 2\n  - id: 3\n    grid: "02"\n',
            "neighborhoods/yangguang/neighborhood.yaml": 'name: 阳光小区\nverified_on: 2026-11-01\ngrid: "02"\n'
            "buildings:\n  - id: A\n    name: A座\n",
        },
    )
    coverage = {g.id: [(c.slug, c.neighborhood, c.buildings) for c in g.coverage] for g in site.grids}
    assert coverage == {
        "01": [("hexie", "和谐家园", ("1号楼", "2号楼"))],
        "02": [("hexie", "和谐家园", ("3号楼",)), ("yangguang", "阳光小区", ("A座",))],
        "03": [],
    }


def test_buildings_point_at_grids_and_the_site_knows_their_coverage(tmp_path: Path) -> None:
    site, models = valid_models(tmp_path, {})
    grid = models[0].buildings[0].grid
    assert grid is not None and models[0].grids() == (grid,)
    (covering,) = [g for g in site.grids if g.id == grid.id]
    assert covering.coverage[0].buildings == ("1号楼",)
    assert (covering.head, covering.worker) == (grid.head, grid.worker)


# --- notices -----------------------------------------------------------------------------------


def notice(date: str, extra: str = "", body: str = "正文。\n") -> str:
    return f"---\ntitle: 通知 {date}\ndate: {date}\n{extra}---\n{body}"


def test_notices_are_sorted_pinned_first_then_newest(tmp_path: Path) -> None:
    site = valid_site(
        tmp_path,
        {
            "notices/a-old.md": notice("2026-10-01"),
            "notices/b-new.md": notice("2026-11-20"),
            "notices/c-pinned-old.md": notice("2026-09-01", "pinned: true\n"),
            "notices/d-same-day.md": notice("2026-11-20"),
            "notices/e-pinned-new.md": notice("2026-11-01", "pinned: true\n"),
        },
    )
    assert [n.slug for n in site.notices] == ["e-pinned-new", "c-pinned-old", "b-new", "d-same-day", "a-old"]


def test_neighborhood_notices_belong_to_their_neighborhood(tmp_path: Path) -> None:
    site, models = valid_models(
        tmp_path,
        {"neighborhoods/hexie/notices/water.md": notice("2026-11-20"), "notices/meeting.md": notice("2026-11-21")},
    )
    assert [(n.slug, n.neighborhood) for n in models[0].notices] == [("water", "hexie")]
    assert [(n.slug, n.neighborhood) for n in site.notices] == [("meeting", "")]


def test_notice_fields(tmp_path: Path) -> None:
    site = valid_site(
        tmp_path,
        {"notices/water.md": notice("2026-11-20", "expires: 2026-11-25\nfrom: 物业服务中心\n", "明天停水。\n")},
    )
    (water,) = site.notices
    assert (water.title, water.date, water.expires, water.source, water.body) == (
        "通知 2026-11-20",
        dt.date(2026, 11, 20),
        dt.date(2026, 11, 25),
        "物业服务中心",
        "明天停水。\n",
    )
    assert water.is_current(TODAY)


def test_notice_that_expires_before_its_date_is_an_error(tmp_path: Path) -> None:
    site, problems = validate(tmp_path, {"notices/water.md": notice("2026-11-20", "expires: 2026-11-19\n")})
    assert errors(problems) == [("notices/water.md", 4, "the notice expires before its date")]


def test_notice_may_expire_on_its_own_day(tmp_path: Path) -> None:
    site = valid_site(tmp_path, {"notices/water.md": notice("2026-11-20", "expires: 2026-11-20\n")})
    assert len(site.notices) == 1


def test_notice_without_text_is_a_warning(tmp_path: Path) -> None:
    site, problems = validate(tmp_path, {"notices/water.md": notice("2026-11-20", body="")})
    assert [(p.severity, p.line, p.message) for p in problems] == [
        ("warning", 2, "the notice has no text below the `---` block")
    ]
    assert site is not None and len(site.notices) == 1


def test_notice_with_two_problems_reports_both(tmp_path: Path) -> None:
    _site, problems = validate(tmp_path, {"notices/water.md": notice("2026-11-20", "expires: 2026-11-19\n", body="")})
    assert [p.message for p in problems] == [
        "the notice has no text below the `---` block",
        "the notice expires before its date",
    ]


# --- meetings ----------------------------------------------------------------------------------


def meeting(lines: str) -> dict[str, str]:
    return neighborhood("meetings:\n  - name: 居民面对面\n    start: 15:00\n    place: 活动室\n" + lines)


def test_weekly_meeting_with_a_chinese_weekday(tmp_path: Path) -> None:
    site, models = valid_models(tmp_path, meeting("    repeat: 每周\n    weekday: 周五\n    end: 16:30\n"))
    (m,) = models[0].meetings
    assert (m.repeat, m.weekday, m.start, m.end) == ("weekly", "friday", dt.time(15), dt.time(16, 30))


def test_weekly_meeting_needs_a_weekday(tmp_path: Path) -> None:
    site, problems = validate(tmp_path, meeting("    repeat: weekly\n"))
    assert [(p.line, p.column, p.message) for p in problems] == [(7, 5, "a weekly meeting needs `weekday:`")]


def test_monthly_meeting_on_a_day(tmp_path: Path) -> None:
    site, models = valid_models(tmp_path, meeting("    repeat: monthly\n    day: 15\n"))
    assert models[0].meetings[0].day == 15


def test_monthly_meeting_on_the_last_weekday(tmp_path: Path) -> None:
    site, models = valid_models(tmp_path, meeting("    repeat: monthly\n    week: 最后\n    weekday: 星期三\n"))
    (m,) = models[0].meetings
    assert (m.week, m.weekday) == ("last", "wednesday")


@pytest.mark.parametrize(
    "lines",
    [
        "    repeat: monthly\n",
        "    repeat: monthly\n    weekday: 周三\n",
        "    repeat: monthly\n    week: 1\n",
        "    repeat: monthly\n    day: 15\n    week: 1\n    weekday: 周三\n",
    ],
)
def test_monthly_meeting_needs_a_day_or_a_week_and_weekday(tmp_path: Path, lines: str) -> None:
    _site, problems = validate(tmp_path, meeting(lines))
    assert [p.message for p in problems] == ["a monthly meeting needs either `day:` or both `week:` and `weekday:`"]


@pytest.mark.parametrize("end", ["14:00", "15:00"])
def test_meeting_must_end_after_it_starts(tmp_path: Path, end: str) -> None:
    _site, problems = validate(tmp_path, meeting(f"    repeat: weekly\n    weekday: 周五\n    end: {end}\n"))
    assert [(p.line, p.column, p.message) for p in problems] == [(12, 10, "the meeting ends before it starts")]


def test_site_wide_meetings_are_checked_too(tmp_path: Path) -> None:
    _site, problems = validate(
        tmp_path, site_with("meetings:\n  - name: 议事会\n    repeat: weekly\n    start: 9:00\n    place: 社区\n")
    )
    assert errors(problems) == [("site.yaml", 23, "a weekly meeting needs `weekday:`")]


# --- every problem at once ---------------------------------------------------------------------


def test_one_file_with_several_mistakes_reports_each(tmp_path: Path) -> None:
    _site, problems = validate(
        tmp_path,
        {
            NB: 'name: 和谐家园\nverified_on: 2026-02-30\ngrid: "09"\nhouseholds: 1200户\n'
            "property_phone: 139 0000 001\nbuildings:\n  - id: 1\n  - id: 1\n"
            "services:\n  - category: 维修\n    name: 老王\n"
        },
    )
    assert [(line, message) for _path, line, message in errors(problems)] == [
        (2, "`2026-02-30` is not a date: 2026-02 has 28 days"),
        (3, "there is no grid with the id `09`"),
        (4, "`1200户` is not a whole number"),
        (5, "`139 0000 001` is not a valid phone number"),
        (8, "building id `1` is used twice (first on line 7)"),
        (10, "`老王` gives no way to reach it"),
    ]


def test_problems_in_every_file_are_reported_sorted(tmp_path: Path) -> None:
    _site, problems = validate(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE.replace("    phone: 110\n", "    phone: 11O\n"),
            NB: MINIMAL_NEIGHBORHOOD.replace("2026-11-01", "2026-11-31"),
            "neighborhoods/yangguang/neighborhood.yaml": "name: 阳光小区\n\tverified_on: 2026-11-01\n",
            "notices/water.md": notice("2026-11-20", "pinned: 是的\n"),
            "neighborhoods/hexie/notices/gas.md": "停气通知\n",
        },
    )
    assert [(path, line) for path, line, _message in errors(problems)] == [
        ("neighborhoods/hexie/neighborhood.yaml", 2),
        ("neighborhoods/hexie/notices/gas.md", 1),
        ("neighborhoods/yangguang/neighborhood.yaml", 2),
        ("notices/water.md", 4),
        ("site.yaml", 11),
    ]


def test_an_id_used_three_times_gives_two_problems(tmp_path: Path) -> None:
    _site, problems = validate(tmp_path, {NB: MINIMAL_NEIGHBORHOOD + "  - id: 1\n  - id: 1\n"})
    assert [p.line for p in problems] == [6, 7]
    assert len(set(problems)) == len(problems)


def test_a_broken_site_yaml_does_not_hide_neighborhood_problems(tmp_path: Path) -> None:
    _site, problems = validate(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE.replace("  address: 测试路1号\n", "  address: 测试路: 1号\n"),
            NB: MINIMAL_NEIGHBORHOOD + "  - id: 1\n",
        },
    )
    assert [(path, line) for path, line, _message in errors(problems)] == [
        ("neighborhoods/hexie/neighborhood.yaml", 6),
        ("site.yaml", 5),
    ]


# --- crashes and wrong messages found while writing these tests ---------------------------------


def assert_reported_without_crash(code: int, out: str, err: str, where: str) -> None:
    assert "internal error" not in err
    assert code == 1
    assert where in out


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "emergency:\n  - name: 报警\n    phone: 110\n",
            "emergency: []\n",
            "content/site.yaml:9:12: error: the list needs at least 1 item\n",
        ),
        (
            "emergency:\n  - name: 报警\n    phone: 110\n",
            "emergency: 110\n",
            "content/site.yaml:9:12: error: expected a list, found `110`\n",
        ),
        (
            "  hours:\n    - 周一至周五 9:00–17:00\n",
            "  hours: 周一至周五 9:00–17:00\n",
            "content/site.yaml:7:10: error: expected a list, found `周一至周五 9:00–17:00`\n",
        ),
        (
            MINIMAL_SITE[MINIMAL_SITE.index("categories:") : MINIMAL_SITE.index("grids:")],
            "",
            "content/site.yaml:1:1: error: site.yaml: `categories` (问题分类) is missing\n",
        ),
    ],
    ids=["emergency-empty-list", "emergency-text", "office-hours-text", "categories-absent"],
)
def test_required_list_left_empty_or_written_as_text(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in MINIMAL_SITE
    code, out, err = check(tmp_path, {"site.yaml": MINIMAL_SITE.replace(old, new)})
    assert "internal error" not in err
    assert code == 1
    assert out.startswith(expected)


def test_required_list_with_nothing_below_it_is_called_empty(tmp_path: Path) -> None:
    code, out, _err = check(
        tmp_path, {"site.yaml": MINIMAL_SITE.replace("emergency:\n  - name: 报警\n    phone: 110\n", "emergency:\n")}
    )
    assert out.startswith("content/site.yaml:9:1: error: ")
    assert "is missing" not in out
    assert "add a line `emergency: …`" not in out


def test_chinese_colon_in_a_list_item_is_named(tmp_path: Path) -> None:
    _code, out, _err = check(tmp_path, {NB: MINIMAL_NEIGHBORHOOD.replace("  - id: 1\n", "  - id：1\n")})
    assert "Chinese `：`" in out


def test_invalid_grid_id_and_a_numeric_grid_reference(tmp_path: Path) -> None:
    code, out, err = check(
        tmp_path,
        {
            "site.yaml": MINIMAL_SITE.replace('  - id: "01"\n', '  - id: "第1网格"\n'),
            NB: MINIMAL_NEIGHBORHOOD.replace('grid: "01"', 'grid: "1"'),
        },
    )
    assert_reported_without_crash(code, out, err, "content/site.yaml:18:9: error: `第1网格` cannot be used as an id")


def test_service_without_name_or_contact_does_not_say_none(tmp_path: Path) -> None:
    _site, problems = validate(tmp_path, neighborhood("services:\n  - category: 家电维修\n    hours: 8:00-18:00\n"))
    assert all("None" not in p.message for p in problems)


def test_every_problem_is_one_line(tmp_path: Path) -> None:
    code, out, _err = check(tmp_path, neighborhood('"地\\n址": 长安路\nfounded: "19\\n99"\n'))
    assert code == 1
    assert all(line.startswith("    ") or PROBLEM_LINE.match(line) for line in out.split("\n")[:-1])


def test_year_zero_is_explained(tmp_path: Path) -> None:
    _site, problems = validate(tmp_path, {NB: MINIMAL_NEIGHBORHOOD.replace("2026-11-01", "0000-01-01")})
    assert "has 31 days" not in problems[0].message


def test_escaped_surrogate_is_reported_by_check(tmp_path: Path) -> None:
    code, out, _err = check(tmp_path, {NB: MINIMAL_NEIGHBORHOOD.replace("grid:", 'address: "\\ud800"\ngrid:')})
    assert code == 1
    assert out.startswith("content/neighborhoods/hexie/neighborhood.yaml:3:10: error: ")


# --- property-based: `sitegen check` on junk -----------------------------------------------------

PROBLEM_LINE = re.compile(r"^.+:\d+:\d+: (error|warning): .+$")
TARGETS = ["site.yaml", NB, "notices/water.md"]

YAML_BITS = [
    "name",
    "verified_on",
    "grid",
    "buildings",
    "units",
    "id",
    "head",
    "phone",
    "people",
    "public",
    "office",
    "emergency",
    "meetings",
    "repeat",
    "weekday",
    "title",
    "date",
    "expires",
    "pinned",
    ":",
    ": ",
    " ",
    "  ",
    "\n",
    "\n  ",
    "\n- ",
    "- ",
    "\t",
    "#",
    "---",
    "...",
    "&a ",
    "*a",
    "<<: ",
    "? ",
    "!!str ",
    "|",
    ">",
    '"',
    "'",
    "[",
    "]",
    "{",
    "}",
    ",",
    "~",
    "null",
    "true",
    "01",
    "1",
    "2026-02-30",
    "2026-11-20",
    "15:00",
    "139 0000 0001",
    "029-8888 7777",
    "110",
    "和谐家园",
    "周五",
    "\\",
    "%YAML 1.2\n",
    "\ufeff",
    "\u2028",
    "\x85",
    "\r\n",
    "\x00",
]
yaml_ish = st.lists(st.sampled_from(YAML_BITS), max_size=40).map("".join)

_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure here is always reproducible
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# When a property fails, Hypothesis's reporting touches a deprecated mypy_extensions API; with
# `filterwarnings = error` that turns the failure report into a pytest INTERNALERROR.
_QUIET_REPORT = pytest.mark.filterwarnings("ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")


def JUNK(test):  # noqa: N802 - used as a decorator
    return _QUIET_REPORT(_SETTINGS(test))


def check_junk(data: str | bytes, target: str) -> None:
    """Write ``data`` over one file of a valid site; `sitegen check` must answer in its format."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        content = write_site(root, {"notices/water.md": notice("2026-11-20")})
        path = content / target
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", newline="")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["check", "--content", str(content)])
    assert code in (0, 1)
    assert "internal error" not in err.getvalue()
    for line in out.getvalue().split("\n")[:-1]:
        if not line.startswith(" "):
            assert PROBLEM_LINE.match(line), line


@JUNK
@given(text=st.text(max_size=300), target=st.sampled_from(TARGETS))
def test_check_survives_arbitrary_text(text: str, target: str) -> None:
    check_junk(text, target)


@JUNK
@given(text=yaml_ish, target=st.sampled_from(TARGETS))
def test_check_survives_yaml_like_text(text: str, target: str) -> None:
    check_junk(text, target)


@JUNK
@given(data=st.binary(max_size=300), target=st.sampled_from(TARGETS))
def test_check_survives_arbitrary_bytes(data: bytes, target: str) -> None:
    check_junk(data, target)


def edit(text: str, position: int, cut: int, insert: str) -> str:
    """``text`` with ``cut`` characters at ``position`` replaced by ``insert``."""
    return text[:position] + insert + text[position + cut :]


@JUNK
@given(position=st.integers(0, len(MINIMAL_NEIGHBORHOOD)), cut=st.integers(0, 20), insert=yaml_ish)
def test_check_survives_edits_of_a_valid_neighborhood(position: int, cut: int, insert: str) -> None:
    check_junk(edit(MINIMAL_NEIGHBORHOOD, position, cut, insert), NB)


@JUNK
@given(position=st.integers(0, len(notice("2026-11-20"))), cut=st.integers(0, 20), insert=yaml_ish)
def test_check_survives_edits_of_a_valid_notice(position: int, cut: int, insert: str) -> None:
    check_junk(edit(notice("2026-11-20"), position, cut, insert), "notices/water.md")


@JUNK
@given(position=st.integers(0, len(MINIMAL_SITE)), cut=st.integers(0, 40), insert=yaml_ish)
def test_check_survives_edits_of_a_valid_site_yaml(position: int, cut: int, insert: str) -> None:
    check_junk(edit(MINIMAL_SITE, position, cut, insert), "site.yaml")


_DIGESTS = """
import datetime as dt, sys
from pathlib import Path
from sitegen.content.digest import FileDigests
from sitegen.content.load import load_documents
from sitegen.content.validate import SiteValidator, ValidationCache
content = Path(sys.argv[1])
documents = load_documents(content, str(content), FileDigests({}), None)
cache = ValidationCache()
SiteValidator(documents, dt.date(2026, 11, 22), cache, "key", "frame").run()
for slug, cached in sorted(cache.neighborhoods.items()):
    print(slug, cached.key[0], cached.model)
"""


def test_what_a_neighborhoods_check_used_is_digested_alike_in_every_process() -> None:
    """The digests that keep a neighborhood's check and pages across builds are of their text, which
    must not differ between processes (string hashing is seeded per process): a digest that did
    would check and make every neighborhood again on every edit of site.yaml."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    minimal = ROOT / "tests" / "sites" / "minimal" / "content"
    runs = [
        subprocess.run(
            [sys.executable, "-c", _DIGESTS, str(minimal)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=ROOT,
        ).stdout
        for seed in ("1", "2")
    ]
    assert runs[0] == runs[1]
    assert len(runs[0].splitlines()) == 2 and all(len(line.split()) == 3 for line in runs[0].splitlines())
