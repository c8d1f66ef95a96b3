"""The two rules that keep the code easy to change (GUIDE section 4): the core never imports
Qt, and only the explorer/fulltext/ package imports whoosh."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import explorer

PACKAGE = Path(explorer.__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def core_files():
    return [p for p in PACKAGE.rglob("*.py") if "gui" not in p.relative_to(PACKAGE).parts]


def test_pyside_only_in_gui():
    offenders = [str(p.relative_to(PACKAGE)) for p in core_files() if imported_modules(p) & {"PySide6", "shiboken6"}]
    assert offenders == []


def test_whoosh_only_in_fulltext():
    fulltext = PACKAGE / "fulltext"
    assert fulltext.is_dir() and not (PACKAGE / "fulltext.py").exists()
    offenders = [str(p.relative_to(PACKAGE)) for p in PACKAGE.rglob("*.py")
                 if "whoosh" in imported_modules(p) and not p.is_relative_to(fulltext)]
    assert offenders == []
    users = {p.relative_to(fulltext).as_posix() for p in fulltext.rglob("*.py") if "whoosh" in imported_modules(p)}
    assert {"reader.py", "writer.py", "_shortcuts/phrase.py"} <= users  # the rule sees inside the package


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_core_module_imports_with_pyside_blocked():
    modules = sorted(module_name(p) for p in core_files())
    assert {"explorer.cli", "explorer.query", "explorer.query.engine", "explorer.indexer.runner"} <= set(modules)
    code = (
        "import sys, importlib\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6'): raise ImportError('blocked: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "ok", proc.stderr


def test_the_desktop_app_process_loads_neither_whoosh_nor_sqlite_utils():
    """The GUI draws its window from explorer.model's plain values; searching and indexing
    happen in child processes (engine_process, indexer.isolated), which alone load storage."""
    gui = sorted(module_name(p) for p in (PACKAGE / "gui").rglob("*.py"))
    assert "explorer.gui.main_window" in gui and "explorer.gui.app" in gui
    code = (
        "import sys, importlib\n"
        f"for m in ['explorer.model', *{gui!r}]: importlib.import_module(m)\n"
        "print(sorted(m for m in ('whoosh', 'sqlite_utils') if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_the_model_module_imports_no_storage():
    """explorer.model itself, alone: no sqlite3 either (the value types need none)."""
    code = ("import sys, explorer.model\n"
            "print(sorted(m for m in ('whoosh', 'sqlite_utils', 'sqlite3') if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


# --------------------------------------------------------------------------- import-linter

ROOT = PACKAGE.parent


def _contracts() -> list[dict]:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def test_the_import_contracts_hold_on_the_real_tree():
    """lint-imports (the same run as `python3 dev.py lint`) on this checkout: every contract
    in pyproject.toml, including imports made inside functions, is kept."""
    proc = subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command as c; c()"],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    names = [c["name"] for c in _contracts()]
    out = " ".join(proc.stdout.split())  # (it wraps long contract names)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"Contracts: {len(names)} kept, 0 broken." in out
    for name in names:
        assert f"{' '.join(name.split())} KEPT" in out


def test_every_top_level_module_has_its_layer():
    """A new module or package under explorer/ must be placed in the layers contract."""
    layered = {m.strip() for c in _contracts() if c["type"] == "layers" for layer in c["layers"]
               for m in layer.split("|")}
    top = {f"explorer.{p.stem if p.is_file() else p.name}" for p in PACKAGE.iterdir()
           if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()}
    assert {"explorer.cli", "explorer.gui", "explorer.store", "explorer.retag"} <= top
    assert top - layered == set()
