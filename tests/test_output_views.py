"""Terminal views: every view at 60, 80, 120 and 200 columns shows every number whole, and data
cannot crash the view or reach the terminal raw (rich markup, ESC/OSC sequences)."""

from __future__ import annotations

import io
import math
import re
from collections import Counter

import pytest

WIDTHS = (60, 80, 120, 200)
NUMBER = re.compile(r"(?<![\w.])[+-]?\d+(?:[.,]\d+)*")


def render(width: int, draw) -> str:
    from rich.console import Console

    console = Console(width=width, record=True, file=io.StringIO(), no_color=True, highlight=False)
    draw(console)
    return console.export_text()


def fmt(v) -> str:
    """How the views write a number: floats to 3 decimals, integers whole."""
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def nums(rows, keys) -> list[str]:
    """The numbers a view must show for ``rows`` (a missing score, None or NaN, shows as "–")."""
    return [fmt(r[k]) for r in rows for k in keys
            if r[k] is not None and not (isinstance(r[k], float) and math.isnan(r[k]))]


def assert_whole(text: str, width: int, expected: list[str]) -> None:
    """No line wider than the terminal, no number cut with "…", and each expected number shown
    (as many times as expected: a cut number cannot hide behind another row's equal value)."""
    for line in text.splitlines():
        assert len(line) <= width, f"line wider than {width}: {line!r}"
        assert not re.search(r"\d…|…\d|\.…", line), f"number cut at width {width}: {line!r}"
    found = Counter(NUMBER.findall(text))
    missing = Counter(expected) - found
    assert not missing, f"numbers missing at width {width}: {dict(list(missing.items())[:10])}"


@pytest.fixture(scope="module")
def data(ga_store_dir):
    from unvote import api
    from unvote.store import Store

    s = Store(ga_store_dir)
    return {
        "tally": (api.tally("ES-11/1", store=s), api.country_votes("ES-11/1", store=s)),
        "by_group": api.tally_by_group("ES-11/1", by="regional", store=s),
        "align": (api.align("KHM", "RUS", store=s), api.align("KHM", "RUS", by="all", store=s)),
        "kappa": (api.align("KHM", "RUS", by="session", metric="kappa", store=s),
                  api.align("KHM", "RUS", by="all", metric="kappa", store=s)),
        "neighbors": api.neighbors("KHM", year=2022, store=s),
        "matrix": api.matrix(year=2022, store=s),
        "wide": api.matrix(year=2022, wide=True, store=s),
        "cohesion": api.cohesion("ASEAN", store=s),
        "groups": api.groups_table(),
        "ideal": api.ideal(year=[2019], store=s),
        "info": api.info(store=s),
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_tally_panel(data, width):
    from unvote.output.views import tally_view

    counts, votes = data["tally"]
    text = render(width, lambda c: tally_view(c, counts, votes))
    row = counts.to_pylist()[0]
    assert_whole(text, width, [str(row[k]) for k in ("yes", "no", "abstain", "non_voting", "voting", "members")])
    assert (row["yes"], row["no"], row["abstain"], row["non_voting"]) == (141, 5, 35, 12)
    assert max(len(line) for line in text.splitlines()) <= min(width, 100)  # the panel stops at 100
    # every country that voted No is named in full (the panel wraps, it does not cut)
    flat = " ".join(text.replace("│", " ").split())
    assert "Russian Federation" in flat and "Syrian Arab Republic" in flat


@pytest.mark.parametrize("width", WIDTHS)
def test_tally_by_group(data, width):
    from unvote.output.views import group_tally_view

    rows = data["by_group"]
    text = render(width, lambda c: group_tally_view(c, rows))
    assert_whole(text, width, [str(r[k]) for r in rows.to_pylist()
                               for k in ("yes", "no", "abstain", "non_voting", "members")])
    assert "ASIA-PACIFIC" in text  # the group's code is never folded


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", ["align", "kappa"])
def test_align(data, width, which):
    from unvote.output.views import align_view

    periods, pooled = data[which]
    metric, by = ("agree", "year") if which == "align" else ("kappa", "session")
    text = render(width, lambda c: align_view(c, periods, pooled, "KHM", "RUS", metric, by))
    rows = periods.to_pylist() + pooled.to_pylist()
    assert_whole(text, width, nums(rows, ("n", "same", "partial", "opposite", "absent", "score")))


@pytest.mark.parametrize("width", WIDTHS)
def test_neighbors(data, width):
    from unvote.output.views import neighbors_view

    table = data["neighbors"]
    text = render(width, lambda c: neighbors_view(c, table, "KHM", "agree"))
    assert_whole(text, width, nums(table.to_pylist(), ("rank", "n", "same", "partial", "opposite", "absent", "score")))


@pytest.mark.parametrize("width", WIDTHS)
def test_matrix_shows_top_pairs_and_how_to_get_all(data, width):
    from unvote.output.views import TERMINAL_ROWS, matrix_view

    table = data["matrix"]
    text = render(width, lambda c: matrix_view(c, table))
    # the top pairs computed here independently: each pair once (a < b), by score then n
    rows = [r for r in table.to_pylist() if r["a"] < r["b"] and r["score"] is not None and not math.isnan(r["score"])]
    rows.sort(key=lambda r: (-r["score"], -r["n"]))
    top = rows[:TERMINAL_ROWS]
    assert_whole(text, width, nums(top, ("n", "same", "partial", "opposite", "absent", "score")))
    flat = " ".join(text.split())
    assert f"{table.num_rows:,} rows" in flat and "--format csv" in flat
    assert len(text.splitlines()) < TERMINAL_ROWS + 12  # not 37,000 lines


@pytest.mark.parametrize("width", WIDTHS)
def test_wide_matrix_is_a_corner_not_empty_columns(data, width):
    from unvote.output.views import matrix_view

    table = data["wide"]
    text = render(width, lambda c: matrix_view(c, table))
    shown = int(re.search(r"shown: \d+ rows and (\d+) columns", " ".join(text.split())).group(1))
    assert shown >= 5
    codes = table.column_names[1:1 + shown]
    header = next(line for line in text.splitlines() if codes[0] in line and codes[-1] in line)
    assert all(code in header for code in codes)
    assert_whole(text, width, nums(table.slice(0, 30).to_pylist(), codes))


@pytest.mark.parametrize("width", WIDTHS)
def test_cohesion(data, width):
    from unvote.output.views import cohesion_view

    table = data["cohesion"]
    text = render(width, lambda c: cohesion_view(c, table, "ASEAN", "year"))
    assert_whole(text, width, nums(table.to_pylist(), [k for k in table.column_names if k != "period"]))


@pytest.mark.parametrize("width", WIDTHS)
def test_groups(data, width):
    from unvote.output.views import groups_view

    table = data["groups"]
    text = render(width, lambda c: groups_view(c, table))
    assert_whole(text, width, nums(table.to_pylist(), ("members", "rows")))


@pytest.mark.parametrize("width", WIDTHS)
def test_ideal(data, width):
    from unvote.output.views import ideal_view

    table = data["ideal"]
    text = render(width, lambda c: ideal_view(c, table))
    rows = table.to_pylist()
    expected = [f"{r['ideal_point']:+.2f}" for r in rows] + [f"{1.96 * r['std_error']:.2f}" for r in rows]
    expected += [str(r["n_votes"]) for r in rows]
    assert_whole(text, width, expected)
    assert "USA" in text and "KHM" in text


@pytest.mark.parametrize("width", WIDTHS)
def test_info(data, width):
    from unvote.output.views import info_view

    facts = data["info"]
    text = render(width, lambda c: info_view(c, facts))
    m = facts["datasets"]["ga"]
    assert_whole(text, width, [f"{m['records']:,}", f"{m['votes']:,}"])


# --- hostile data ------------------------------------------------------------------------------

HOSTILE_TITLE = "[/bold] A/ES-11/PV.5 \x1b]0;pwned\x07\x1b[2J\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\ \x9b31m[red]x[/red]"
HOSTILE_MEETING = "[/] A/ES-11/PV.5\x1b[31m"


def hostile_tally():
    import datetime as dt

    import pyarrow as pa

    counts = pa.Table.from_pylist([{
        "resolution": "A/RES/ES-11/1[/]", "date": dt.date(2022, 3, 2), "yes": 1, "no": 1, "abstain": 0,
        "non_voting": 0, "voting": 2, "members": 2, "title": HOSTILE_TITLE, "unreadable": 0,
        "meeting": HOSTILE_MEETING, "session": "ES-11", "rollcall_id": 1}])
    votes = pa.Table.from_pylist([
        {"resolution": "A/RES/ES-11/1[/]", "country": "KHM", "name": "[bold]Cambodia\x1b[2J", "vote": "Y"},
        {"resolution": "A/RES/ES-11/1[/]", "country": "RUS", "name": "Russia[/bold]\x07", "vote": "N"}])
    return counts, votes


@pytest.mark.parametrize("width", (60, 200))
def test_markup_and_escape_sequences_are_shown_harmlessly(width):
    from unvote.output.views import plain_table as rich_table
    from unvote.output.views import tally_view

    counts, votes = hostile_tally()
    for name, draw in (("tally", lambda c: tally_view(c, counts, votes)),
                       ("table", lambda c: c.print(rich_table(counts, console=c)))):
        from rich.console import Console

        out = io.StringIO()
        console = Console(width=width, file=out, force_terminal=True, color_system=None, highlight=False)
        draw(console)  # a MarkupError here was exit 70
        raw = out.getvalue()
        assert "\x07" not in raw and "\x9b" not in raw and "]0;" not in raw and "]8;;" not in raw
        assert "\x1b[2J" not in raw and "\x1b[31m" not in raw
        if name == "tally" or width == 200:  # (a 13-column table folds its cells at 60)
            flat = "".join(raw.replace("│", "").split())
            assert "[/bold]A/ES-11/PV.5" in flat and "[red]x[/red]" in flat  # the markup shown as text


def test_clean_keeps_ordinary_text():
    from unvote.output.views import cell, clean

    assert clean("Côte d'Ivoire") == "Côte d'Ivoire"
    assert clean("a\tb\nc") == "a b c"
    assert clean("x\x1b[1;31my\x1b]0;t\x07z\x00") == "xyz"
    assert cell("[b]") == "\\[b]"


def test_no_color_empty_does_not_turn_colour_off(monkeypatch):
    from unvote.output.render import no_color, stdout_console

    monkeypatch.setenv("NO_COLOR", "")
    assert not no_color() and not stdout_console().no_color
    monkeypatch.setenv("NO_COLOR", "1")
    assert no_color() and stdout_console().no_color
    monkeypatch.delenv("NO_COLOR")
    assert not no_color()
