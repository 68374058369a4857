"""Timing helpers shared by the bench modules."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Context:
    data: Path  # the real data folder (read in place)
    work: Path  # scratch space for this run
    _cache: dict = field(default_factory=dict)

    def ga_store(self) -> Path:
        """A store with the real GA data (built once per run)."""
        if "store" not in self._cache:
            store = self.work / "store"
            env = {**os.environ, "UNVOTE_DATA_DIR": str(store)}
            subprocess.run([sys.executable, "-m", "unvote", "fetch", "--file",
                            str(self.data / "undl" / "ga_voting.csv.gz")], env=env, check=True,
                           capture_output=True)
            self._cache["store"] = store
        return self._cache["store"]

    def flat_parquet(self) -> Path:
        """The UN's CSV as one flat Parquet file, for the DuckDB / pandas baselines."""
        if "flat" not in self._cache:
            path = self.work / "ga_flat.parquet"
            # in a child process, so this run's own peak RSS stays small (children inherit it)
            subprocess.run([sys.executable, "-c", f"""
import pyarrow as pa, pyarrow.csv as c, pyarrow.parquet as q
t = c.read_csv({str(self.data / "undl" / "ga_voting.csv.gz")!r}, convert_options=c.ConvertOptions(
    column_types={{"ms_code": pa.string(), "session": pa.string()}}, strings_can_be_null=False))
q.write_table(t, {str(path)!r}, compression="zstd")"""], check=True)
            self._cache["flat"] = path
        return self._cache["flat"]


@dataclass
class Row:
    name: str
    ours: float
    baseline: float | None
    unit: str
    goal: str
    note: str
    paired: float | None = None

    @property
    def ratio(self) -> float:
        return self.paired if self.paired is not None else self.ours / self.baseline


class Report:
    def __init__(self):
        self.rows: list[Row] = []
        self.failures: list[str] = []  # limits broken (bench_limits.py): `make bench` exits 1

    def __call__(self, name, ours, baseline=None, *, unit="s", goal="", note="", ratio=None):
        """``ratio``: the paired ratio (median of per-pair ratios), shown instead of ours / baseline."""
        self.rows.append(Row(name, ours, baseline, unit, goal, note, ratio))
        ratio = f"{self.rows[-1].ratio:.2f}×" if baseline else "—"
        print(f"  {name}: {ours:.3f}{unit} vs {baseline if baseline is None else round(baseline, 3)} "
              f"→ {ratio} {goal}", file=sys.stderr)

    def print(self):
        print(f"{'benchmark':44} {'unvote':>10} {'baseline':>10} {'ratio':>7}  goal / note")
        for r in self.rows:
            base = f"{r.baseline:.3f}{r.unit}" if r.baseline is not None else "—"
            ratio = f"{r.ratio:.2f}×" if r.baseline else "—"
            print(f"{r.name:44} {r.ours:>9.3f}{r.unit} {base:>10} {ratio:>7}  {r.goal} {r.note}".rstrip())


def best_of(fn, repeat: int = 5) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run_cmd(args: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one subprocess run (via measure.py); output discarded.

    Commands run as installed ones do, with their bytecode cached (pip compiles a package when it
    installs it): PYTHONDONTWRITEBYTECODE, set in some sandboxes, would make every run of an editable
    checkout compile its modules again (~50 ms that no user pays)."""
    env = {**os.environ, **(env or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("measure.py")), *args],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr[-500:]}")
    elapsed, rss = done.stdout.split()
    return float(elapsed), float(rss)


def best_cmd(args: list[str], env: dict | None = None, repeat: int = 5) -> tuple[float, float]:
    runs = [run_cmd(args, env) for _ in range(repeat)]
    return min(t for t, _ in runs), max(m for _, m in runs)


def paired_cmd(ours: list[str], baseline: list[str], env: dict | None = None,
               repeat: int = 15) -> tuple[tuple[float, float], tuple[float, float]]:
    """Interleave the two commands (ours, baseline, ours, …) so load on the machine hits both alike;
    (median seconds, peak RSS MB) for each. The median of the per-pair ratios is ``paired_ratio``."""
    a, b = paired_runs(ours, baseline, env, repeat)
    return ((median(t for t, _ in a), max(m for _, m in a)), (median(t for t, _ in b), max(m for _, m in b)))


def paired_runs(ours: list[str], baseline: list[str], env: dict | None = None,
                repeat: int = 15) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """(seconds, peak RSS MB) of each run of the two commands, interleaved (the first of each
    discarded: it warms the page cache and writes the bytecode)."""
    a, b = [], []
    run_cmd(ours, env), run_cmd(baseline, env)
    for _ in range(repeat):
        a.append(run_cmd(ours, env))
        b.append(run_cmd(baseline, env))
    return a, b


def paired_ratio(a: list[tuple[float, float]], b: list[tuple[float, float]]) -> float:
    """The median of the ratios of runs made side by side: robust to load that comes and goes."""
    return median(x / y for (x, _), (y, _) in zip(a, b))


def median(values) -> float:
    import statistics

    return statistics.median(list(values))
