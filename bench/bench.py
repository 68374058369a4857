"""`make bench`: unvote beside a baseline in the same run, with the ratio. Figures, and the speed
and memory limits the tests no longer time (bench_limits.py: a broken limit makes the run exit 1).

Each bench/bench_*.py exposes run(report, ctx); ctx holds the real data path and a built store.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import Context, Report  # noqa: E402


def main() -> int:
    data = Path(os.environ.get("UNVOTE_TEST_DATA", HERE.parent.parent / "shared" / "data"))
    if not (data / "undl" / "ga_voting.csv.gz").exists():
        print(f"bench: real data not found at {data} (set UNVOTE_TEST_DATA)", file=sys.stderr)
        return 1
    only = sys.argv[1:]
    report = Report()
    with tempfile.TemporaryDirectory(prefix="unvote-bench-") as tmp:
        ctx = Context(data=data, work=Path(tmp))
        for path in sorted(HERE.glob("bench_*.py")):
            name = path.stem.removeprefix("bench_")
            if only and name not in only:
                continue
            spec = importlib.util.spec_from_file_location(path.stem, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            print(f"# {name}", file=sys.stderr)
            module.run(report, ctx)
    report.print()
    for failure in report.failures:
        print(f"bench: {failure}", file=sys.stderr)
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
