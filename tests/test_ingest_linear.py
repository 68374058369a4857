"""Ingest stays linear in its input whatever the file's cardinalities (a hostile file cannot make it
allocate records × distinct codes, or look codes up in a list).

Each file here is built so that the old quadratic code needs tens of GB (a ``MemoryError``) or
minutes; the counts are checked against a plain count of the rows written.
"""

from __future__ import annotations

import collections
import csv

from fake_undl import GA_HEADER

from unvote.sources import undl_csv

N = 60_000  # rows: old code sized an array N records × N codes (29 GB of int64)


def _write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write(GA_HEADER + "\n")
        writer = csv.writer(fh, lineterminator="\n")
        for rid, code, name, vote in rows:
            writer.writerow([rid, code, name, vote, "2020-01-02", "75", f"A/RES/75/{rid}", "A/75/L.1", "",
                             "A/75/PV.1", "A title", "Agenda", "SUBJECT", "", "", "", "", "", "", ""])


def _header_columns():
    return next(csv.reader([GA_HEADER]))


def test_every_row_a_new_record_and_a_new_vote_code_is_counted_linearly(tmp_path):
    assert len(_header_columns()) == 20, "the row writer above follows the GA header"
    rows = [(i + 1, "USA", "UNITED STATES", ("Y", "N", "A", "", f"Q{i}")[i % 5] if i % 5 < 4 else f"Q{i}")
            for i in range(N)]
    path = tmp_path / "wide_codes.csv"
    _write(path, rows)
    got = undl_csv.read(path)
    assert got.rollcalls.num_rows == N
    expected = collections.Counter("X" if v == "" else v for *_, v in rows)
    unknown = {c: k for c, k in expected.items() if c not in ("Y", "N", "A", "X")}
    assert got.unknown_codes == unknown
    calls = got.rollcalls.to_pydict()
    for letter, col in (("Y", "counted_yes"), ("N", "counted_no"), ("A", "counted_abstain"),
                        ("X", "counted_non_voting")):
        assert sum(calls[col]) == expected[letter]
    assert calls["members"] == [1] * N
    by_id = dict(zip(calls["rollcall_id"], calls["counted_yes"]))
    assert all(by_id[rid] == (1 if v == "Y" else 0) for rid, _c, _n, v in rows)


def test_a_distinct_member_name_on_every_row_is_read_linearly(tmp_path):
    # one record, 60,000 distinct names (and codes): old code looked each up in a sorted list
    rows = [(1, f"C{i:05d}", f"NAME {i}", "Y") for i in range(N)]
    path = tmp_path / "wide_names.csv"
    _write(path, rows)
    got = undl_csv.read(path)
    assert got.votes.num_rows == N
    names = got.votes["ms_name"].to_pylist()
    assert names == [n for _r, _c, n, _v in rows]
    assert got.rollcalls.to_pydict()["counted_yes"] == [N]


def test_a_duplicated_header_column_is_refused_in_one_line(tmp_path):
    import pytest

    from unvote.core.errors import DataFormatError

    path = tmp_path / "dup.csv"
    path.write_text(GA_HEADER.replace("subjects", "ms_vote") + "\n", "utf-8")
    with pytest.raises(DataFormatError, match="ms_vote appear more than once"):
        undl_csv.read(path)


def test_dates_outside_the_un_years_are_refused(tmp_path):
    import pytest

    from unvote.core.errors import DataFormatError

    for date, shown in (("0000-01-01", "0000-01-01"), ("0001-01-01", "0001-01-01"), ("1900-05-05", "1900-05-05"),
                        ("9999-12-31", "9999-12-31")):
        path = tmp_path / f"d{date}.csv"
        _write(path, [(1, "USA", "UNITED STATES", "Y")])
        path.write_text(path.read_text("utf-8").replace("2020-01-02", date), "utf-8")
        with pytest.raises(DataFormatError) as err:
            undl_csv.read(path)
        assert "record 1 is dated" in str(err.value) and "\n" not in str(err.value)
        if not date.startswith("0000"):
            assert shown in str(err.value)
    ok = tmp_path / "ok.csv"
    _write(ok, [(1, "USA", "UNITED STATES", "Y")])
    assert undl_csv.read(ok).rollcalls.num_rows == 1
