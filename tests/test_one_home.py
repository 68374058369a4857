"""Each shared rule has one home (issue 13, item 3): text folding, file sha256, fetch hints, the six
topic codes and the manifest. Each rule is checked against an independent computation, and the
source tree is searched for a second copy of it."""

import hashlib
import re
from pathlib import Path

import pytest

from unvote.model import text

UNVOTE = Path(__file__).resolve().parents[1] / "unvote"


def _sources():
    return {p.relative_to(UNVOTE).as_posix(): p.read_text("utf-8") for p in sorted(UNVOTE.rglob("*.py"))}


def _holding(pattern: str) -> list[str]:
    return [name for name, src in _sources().items() if re.search(pattern, src)]


# ---- text folding ---------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "folded"), [
    ("Côte d’Ivoire", "cote d'ivoire"),
    ("TÜRKİYE", "turkiye"),          # İ decomposes to I + a combining dot
    ("Türkıye", "turkiye"),          # ı (dotless i) has no decomposition
    ("Straße", "strasse"),           # case folding, not just lower case
    ("", ""), (None, ""),
])
def test_fold(raw, folded):
    assert text.fold(raw) == folded


def test_words_and_name_key():
    assert text.words("  Asia-Pacific  States__ (2024) ") == "asia pacific states 2024"
    assert text.name_key("Trinidad & Tobago") == "trinidad and tobago"
    assert text.name_key("Sâo Tomé  &  Príncipe") == "sao tome and principe"


def test_every_vocabulary_folds_alike():
    """Countries, groups, topics and completion all match accents and case through model.text."""
    from unvote.cli import complete
    from unvote.model import countries, groups, topics

    assert countries.lookup("CÔTE D’IVOIRE").code == countries.lookup("cote d'ivoire").code == "CIV"
    assert countries.lookup("Türkiye").code == countries.lookup("TURKIYE").code == "TUR"
    assert groups.lookup("Non-Aligned Movement").code == groups.lookup("NON ALIGNED MOVEMENT").code
    assert topics.lookup("Human Rights") == topics.lookup("HUMAN RÏGHTS") == "hr"
    assert topics.lookup("arms control & disarmament") == "di"
    assert ("CIV" in {code for _, code in complete.countries("côte")})


def test_folding_has_one_home():
    """Only model/text.py decomposes accents; everything else calls it."""
    assert _holding(r"unicodedata\.(normalize|combining)") == ["model/text.py"]


# ---- file sha256 ----------------------------------------------------------------------------

def test_digest_matches_hashlib(tmp_path):
    from unvote.core.files import digest

    path = tmp_path / "f.bin"
    data = bytes(range(256)) * 5000  # more than one read block
    path.write_bytes(data)
    assert digest(path) == hashlib.sha256(data).hexdigest()
    assert digest(str(path), "md5") == hashlib.md5(data).hexdigest()


def test_file_hashing_has_one_home():
    """Only core/files.py hashes a file (http.py also hashes a URL string, to name a partial download)."""
    assert _holding(r"hashlib\.(file_digest|sha256\(\)|md5\(\))|def \w*sha256") == ["core/files.py"]


# ---- the six topic codes --------------------------------------------------------------------

def test_topic_codes_have_one_home():
    """Voeten's six issue flags, the classifier's rules and the merged history's columns all read
    model/topics.py's CODES; no other module spells the list."""
    from unvote.analysis import topics as rules
    from unvote.ingest import history
    from unvote.model.topics import CODES
    from unvote.sources import voeten

    assert CODES == ("me", "nu", "di", "hr", "co", "ec")  # Voeten's codebook order
    assert voeten.ISSUES is CODES and history.VOETEN_COLUMNS[1:] == CODES and tuple(rules.RULES) == CODES
    assert _holding(r"""["']me["'],\s*["']nu["']""") == []  # model/topics.py names them one Topic a line


# ---- fetch hints ----------------------------------------------------------------------------

def test_fetch_hints():
    from unvote.core.hints import PLACEHOLDER, fetch_command, no_data_hint

    assert [fetch_command(d) for d in ("ga", "sc", "voeten", "merged")] == [
        "unvote fetch", "unvote fetch --body sc", "unvote fetch --source voeten", "unvote fetch --source merged"]
    assert fetch_command("sc", file=PLACEHOLDER) == "unvote fetch --body sc --file PATH"
    assert fetch_command(file="/tmp/my votes.csv", force=True) == "unvote fetch --file '/tmp/my votes.csv' --force"
    assert fetch_command("sc", update=True) == "unvote fetch --body sc --update"
    assert no_data_hint("merged") == "unvote fetch --source voeten (with the UNDL data fetched)"


def test_a_missing_dataset_names_its_fetch(tmp_path):
    from unvote.core.errors import NoData
    from unvote.store import Store

    with pytest.raises(NoData, match=r"no SC data in .* yet; run: unvote fetch --body sc$"):
        Store(tmp_path).version("sc")


def test_fetch_hints_have_one_home():
    """Every "run: unvote fetch …" is built by core/hints.py (cli/fetch.py's --help examples aside)."""
    assert _holding(r"""["']unvote fetch|run:? unvote fetch(?! again)""") == ["core/hints.py"]


# ---- the manifest ---------------------------------------------------------------------------

def test_the_store_writes_what_its_tables_hold(tmp_path):
    """Whatever a caller claims, a manifest's counts and dates are those of the files written
    (counted here with DuckDB on the Parquet files)."""
    import datetime as dt

    import duckdb
    import pyarrow as pa

    from unvote import __version__
    from unvote.store import Store

    calls = pa.table({"rollcall_id": [1, 2, 3], "resolution": ["A/RES/1/1", "A/RES/1/2", "A/RES/2/1"],
                      "date": [dt.date(1946, 12, 1), dt.date(1947, 1, 3), dt.date(1946, 2, 9)],
                      "session": ["1", "1", "2"], "title": ["a", "b", "c"], "members": [51, 51, 55]})
    votes = pa.table({"rollcall_id": [1, 1, 2, 3, 3], "ms_code": ["USA", "GBR", "USA", "USA", "FRA"],
                      "ms_name": ["x"] * 5, "vote": ["Y", "N", "A", "Y", "Y"]})
    store = Store(tmp_path)
    folder = store.write("ga", calls, votes, {"source": "by hand", "records": 99, "unvote_version": "0"})
    m = store.manifest("ga")
    sql = duckdb.connect()
    rc, lo, hi = sql.execute(f"SELECT count(*), min(date)::VARCHAR, max(date)::VARCHAR "
                             f"FROM '{folder / 'rollcalls.parquet'}'").fetchone()
    (nv,) = sql.execute(f"SELECT count(*) FROM '{folder / 'votes.parquet'}'").fetchone()
    assert (m["records"], m["votes"], m["date_min"], m["date_max"]) == (rc, nv, lo, hi) == (3, 5, "1946-02-09",
                                                                                          "1947-01-03")
    assert m["unvote_version"] == __version__ and m["source"] == "by hand" and m["dataset"] == "ga"
    assert m["fetched_at"] == m["written_at"]  # none given: now
    assert {k: v["rows"] for k, v in m["files"].items()} == {"rollcalls.parquet": 3, "votes.parquet": 5}


def test_the_manifest_has_one_builder():
    """Only store.py fills in a manifest's counts, dates and version; only it reads manifest.json."""
    assert _holding(r"""["'](date_min|date_max|unvote_version)["']\s*:""") == ["store.py"]
    assert _holding(r"""/ ["']manifest\.json["']""") == ["store.py"]  # the one reader and writer of the file


def test_sql_folds_every_text_held_as_python_does(ga_store):
    """Search and series fold the store's text in SQL (``fold_sql``) and the words typed in Python
    (``fold``): on every title, agenda title, subject list and symbol of the real store they agree."""
    import duckdb

    folder = ga_store.version("ga")
    con = duckdb.connect()
    checked = 0
    for column in ("title", "agenda_title", "subjects", "resolution"):
        rows = con.execute(f"SELECT {column}, {text.fold_sql(column)} FROM '{folder / 'rollcalls.parquet'}' "
                           f"WHERE {column} IS NOT NULL").fetchall()
        assert [raw for raw, sql in rows if text.fold(raw) != sql] == []
        checked += len(rows)
    assert checked > 20_000
    assert con.execute(f"SELECT {text.fold_sql('?')}", ["Côte d’Ivoire TÜRKİYE Türkıye Straße"]).fetchone()[0] == \
        text.fold("Côte d’Ivoire TÜRKİYE Türkıye Straße") == "cote d'ivoire turkiye turkiye strasse"


def test_search_and_series_fold_with_model_text():
    assert _holding(r"strip_accents") == ["model/text.py"]
