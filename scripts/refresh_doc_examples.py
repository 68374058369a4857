"""Re-run the console examples of README.md and docs/*.md and rewrite the ones whose output changed.

    UNVOTE_DATA_DIR=/tmp/docs-store python scripts/refresh_doc_examples.py [--build] [PAGE ...]

A store like the tests' (GA, SC, Voeten's 2016 file, the merged history) must be at UNVOTE_DATA_DIR;
``--build`` makes it from UNVOTE_TEST_DATA (../shared/data). An example printed in full is replaced
by what the command prints now; one with ``...``/``…`` elisions is only reported, to be edited by
hand. Review the diff: this records what the code does, the tests then hold it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

import test_docs  # noqa: E402  (the examples' parser and runner)


def build(root: Path, data: Path) -> None:
    from unvote.ingest.fetch import fetch, fetch_voeten
    from unvote.store import Store

    store = Store(root)
    fetch("ga", file=data / "undl" / "ga_voting.csv.gz", store=store)
    fetch("sc", file=data / "undl" / "sc_voting.csv.gz", store=store)
    fetch_voeten(files=[data / "voeten-unvotespublished-2016" / "UNVotesPublished.RData",
                        data / "dgrtwo-unvotes" / "un_roll_calls.rda"], store=store)


def main(args: list[str]) -> int:
    store = Path(os.environ["UNVOTE_DATA_DIR"])
    if "--build" in args:
        args.remove("--build")
        build(store, Path(os.environ.get("UNVOTE_TEST_DATA", ROOT.parent / "shared" / "data")))
    pages = [ROOT / a for a in args] or test_docs.DOCS
    env = {**test_docs.ENV, "UNVOTE_DATA_DIR": str(store)}
    for page in pages:
        lines = page.read_text("utf-8").splitlines()
        changes = []
        for example in test_docs.examples(page):
            if not example.run:
                continue
            try:
                args = test_docs.argv(example.command)
            except AssertionError as err:  # unquoted shell syntax: to fix by hand
                print(f"{example.id}: {err}", file=sys.stderr)
                continue
            _, got = test_docs.run_unvote(args, env)
            if test_docs.matches(example.expected, got):
                continue
            elided = any(line.strip() == "..." or "…" in line for line in example.expected)
            if elided:
                print(f"{example.id}: differs (elided: edit by hand)\n{got}", file=sys.stderr)
            else:
                changes.append((example.line, len(example.expected), [g.rstrip() for g in got.splitlines()]))
                print(f"{example.id}: rewritten", file=sys.stderr)
        for line, count, new in reversed(changes):
            lines[line:line + count] = new
        if changes:
            page.write_text("\n".join(lines) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
