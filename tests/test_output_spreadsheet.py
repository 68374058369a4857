"""A real spreadsheet reads unvote's files: LibreOffice (headless) converts unvote's CSV and xlsx to
xlsx, and the cells are read back with openpyxl — once with an English profile, once with a German
one (decimal comma), where CSV's 0.625 turns into 625 and the xlsx keeps 0.625.

Two soffice calls in all, each converting several files, with private profiles in a temp folder.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_runner import invoke
from test_output import EVIL_TITLE, write_hostile_csv

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [pytest.mark.system,
              pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed: .ci/run installs "
                                                         "libreoffice-calc-nogui; apt-get install it to run these")]
GERMAN_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>de-DE</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>de-DE</value></prop></item>
</oor:items>
"""


def unvote(store: Path, *args) -> None:
    out = invoke(*args, env={"UNVOTE_DATA_DIR": str(store)})
    assert out.returncode == 0, out.stderr


def convert(files: list[Path], outdir: Path, profile: Path) -> None:
    """One soffice call: every file to xlsx, CSV read as UTF-8, comma-separated (as a user's import)."""
    out = subprocess.run([SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                          "--convert-to", "xlsx", "--infilter=CSV:44,34,76,1", "--outdir", str(outdir),
                          *map(str, files)], capture_output=True, text=True, timeout=300)
    missing = [f.name for f in files if not (outdir / f"{f.stem}.xlsx").is_file()]
    assert not missing, f"soffice did not convert {missing}: {out.stdout} {out.stderr}"


@pytest.fixture(scope="module")
def converted(ga_store_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("calc")
    src = root / "src"
    src.mkdir()
    hostile = root / "hostile-store"
    unvote(hostile, "fetch", "--file", str(write_hostile_csv(root / "hostile.csv")))
    unvote(ga_store_dir, "align", "KHM", "RUS", "--until", "1960", "-o", str(src / "align_csv.csv"))
    unvote(ga_store_dir, "align", "KHM", "RUS", "--until", "1960", "-o", str(src / "align_xlsx.xlsx"))
    unvote(ga_store_dir, "tally", "ES-11/1", "--countries", "--bom", "-o", str(src / "countries_csv.csv"))
    unvote(ga_store_dir, "tally", "ES-11/1", "--countries", "-o", str(src / "countries_xlsx.xlsx"))
    unvote(ga_store_dir, "tally", "ES-11/1", "-o", str(src / "tally_csv.csv"))
    unvote(ga_store_dir, "tally", "ES-11/1", "-o", str(src / "tally_xlsx.xlsx"))
    unvote(hostile, "tally", "77/999", "-o", str(src / "evil_csv.csv"))
    unvote(hostile, "tally", "77/999", "--no-formula-guard", "-o", str(src / "evil_raw_csv.csv"))
    unvote(hostile, "tally", "77/999", "-o", str(src / "evil_xlsx.xlsx"))
    unvote(hostile, "tally", "77/999", "--countries", "-o", str(src / "names_xlsx.xlsx"))
    files = sorted(src.iterdir())
    convert(files, root / "en", root / "profile-en")
    german = root / "profile-de"
    (german / "user").mkdir(parents=True)
    (german / "user" / "registrymodifications.xcu").write_text(GERMAN_PROFILE, "utf-8")
    convert([src / "align_csv.csv", src / "align_xlsx.xlsx"], root / "de", german)
    return root


def rows(path: Path) -> list[dict]:
    """The first sheet as dicts: {column: (value, openpyxl data type)}."""
    import openpyxl

    sheet = openpyxl.load_workbook(path).worksheets[0]
    lines = list(sheet.iter_rows())
    head = [c.value for c in lines[0]]
    return [dict(zip(head, [(c.value, c.data_type) for c in line])) for line in lines[1:]
            if any(c.value is not None for c in line)]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_numbers_dates_and_names_survive_calc(converted, kind):
    tally = rows(converted / "en" / f"tally_{kind}.xlsx")[0]
    assert [tally[k] for k in ("yes", "no", "abstain", "non_voting")] == [(141, "n"), (5, "n"), (35, "n"), (12, "n")]
    assert tally["date"] == (dt.datetime(2022, 3, 2), "d")
    align = {r["period"][0]: r for r in rows(converted / "en" / f"align_{kind}.xlsx")}
    key = 1956  # CSV's 1956 reads as a number, and the xlsx writes a period of years as one
    assert align[key]["score"] == (0.625, "n") and align[key]["n"] == (24, "n")
    names = {r["country"][0]: r["name"][0] for r in rows(converted / "en" / f"countries_{kind}.xlsx")}
    assert names["CIV"] == "Côte d'Ivoire" and names["TUR"] == "Türkiye" and names["NAM"] == "Namibia"
    assert len(names) == 193


def test_a_title_starting_with_equals_stays_text(converted):
    for name in ("evil_csv", "evil_xlsx"):
        title, kind = rows(converted / "en" / f"{name}.xlsx")[0]["title"]
        assert kind == "s" and title.lstrip("'").startswith('=HYPERLINK("http://evil.example"'), name
    # the control: without the guard, Calc makes it a live formula
    title, kind = rows(converted / "en" / "evil_raw_csv.xlsx")[0]["title"]
    assert kind == "f", "the unguarded CSV should have become a formula (is the test still testing?)"
    names = {r["country"][0]: r["name"][0] for r in rows(converted / "en" / "names_xlsx.xlsx")}
    assert names["CIV"] == "Côte d'Ivoire" and names["TUR"] == "Türkiye"
    assert EVIL_TITLE.startswith("=")


def test_german_locale_keeps_the_xlsx_number(converted):
    xlsx = {r["period"][0]: r for r in rows(converted / "de" / "align_xlsx.xlsx")}
    assert xlsx[1956]["score"] == (0.625, "n")
    # the control: the same CSV under the German profile reads 0.625 as 625 (the decimal-comma trap)
    csv_rows = {r["period"][0]: r for r in rows(converted / "de" / "align_csv.xlsx")}
    assert csv_rows[1956]["score"] == (625, "n"), "the German profile is not in effect"
