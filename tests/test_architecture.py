"""The house rules that code review alone would let slip: no import cycles, light quick commands."""

import json
import os
import subprocess
import sys


def test_no_import_cycles():
    """No module imports (even lazily, inside a function) a module that imports it back."""
    import grimp

    graph = grimp.build_graph("unvote")
    cycles = []
    for module in sorted(graph.modules):
        for imported in graph.find_modules_directly_imported_by(module):
            if imported != "unvote" and graph.find_shortest_chain(importer=imported, imported=module):
                cycles.append(f"{module} → {imported}")
    assert cycles == []


def test_layer_contracts_hold():
    """pyproject.toml's import-linter layers: nothing imports upward (sources → … → output)."""
    from importlinter.cli import lint_imports

    assert lint_imports() == 0


def test_quick_commands_load_no_numeric_engines(ga_store):
    """tally, align, info and search answer from DuckDB rows: neither numpy, pandas nor pyarrow is imported."""
    probe = ("import sys, json\n"
             "from unvote.cli import app\n"
             "for args in (['tally', 'ES-11/1'], ['align', 'KHM', 'RUS'], ['info'], ['search', 'Ukraine']):\n"
             "    app(args + ['--format', 'csv'], standalone_mode=False)\n"
             "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'pandas', 'pyarrow',"
             " 'matplotlib'})), file=sys.stderr)\n")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "UNVOTE_DATA_DIR": str(ga_store.root)})
    assert out.returncode == 0, out.stderr
    assert "141,5,35,12" in out.stdout
    assert json.loads(out.stderr.strip().splitlines()[-1]) == []
