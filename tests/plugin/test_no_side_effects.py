"""Loading the plugin costs nothing: no heavy imports and no files without --modelgate."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HEAVY = ("numpy", "scipy", "sklearn", "pandas")

PROBE = """
import sys, pytest
rc = pytest.main(["-q", "-p", "no:cacheprovider", sys.argv[1]])
print("HEAVY:", [m for m in {heavy!r} if m in sys.modules])
print("LOADED:", "pytest_modelgate.plugin" in sys.modules)
sys.exit(rc)
"""


def _listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if "__pycache__" not in p.parts}


def test_plain_run_imports_nothing_heavy_and_writes_nothing(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "test_trivial.py").write_text(
        "def test_one():\n    assert 1 + 1 == 2\n\n"
        "def test_gate(gate):\n    gate.metric('accuracy', [1], [1], min=0.5)\n"
    )
    before = _listing(project)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), str(project)],
        capture_output=True, text=True, cwd=project, timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "HEAVY: []" in proc.stdout
    assert "LOADED: True" in proc.stdout  # the entry point did load the plugin
    assert "1 passed, 1 skipped" in proc.stdout
    assert _listing(project) == before


def test_importing_the_plugin_module_imports_nothing_heavy() -> None:
    code = ("import sys, pytest_modelgate.plugin, pytest_modelgate; "
            f"print([m for m in {HEAVY!r} if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
