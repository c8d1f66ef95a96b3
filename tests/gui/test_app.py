"""The entry point: `explorer gui --screenshot`, the single-instance lock, argument errors, and
the rule that only explorer/gui imports PySide6."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from PySide6.QtGui import QImage

import explorer
from explorer.cli import cli
from explorer.gui import app
from explorer.paths import Layout


def test_screenshot_command_indexes_on_first_run_and_saves_the_window(qapp, data_dir, tmp_path):
    out = tmp_path / "shots" / "main.png"
    result = CliRunner().invoke(cli, ["--data-dir", str(data_dir), "gui", "--screenshot", str(out),
                                      "homeless", "--facet", "sector=Health"])
    assert result.exit_code == 0, result.output
    assert f"Saved a screenshot to {out}" in result.output
    image = QImage(str(out))
    assert (image.width(), image.height()) == app.SCREENSHOT_SIZE
    # not a blank picture: many distinct colours (text, highlights, selection)
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    assert len(colours) > 50
    assert (data_dir / "index" / "explorer.db").is_file()  # the first run built the index
    assert not Layout(data_dir).gui_lock.exists()  # and released the lock


def test_second_instance_on_the_same_data_dir_is_refused(qapp, data_dir, tmp_path, capsys):
    lock = app.acquire_instance_lock(data_dir)
    assert lock is not None
    try:
        assert app.acquire_instance_lock(data_dir) is None
        code = app.main(data_dir, screenshot=tmp_path / "x.png")
        assert code == 1
        err = capsys.readouterr().err
        assert "already open on the data folder" in err and str(data_dir) in err
        assert not (tmp_path / "x.png").exists()
    finally:
        lock.unlock()
    again = app.acquire_instance_lock(data_dir)
    assert again is not None
    again.unlock()


def test_bad_arguments_exit_1_with_one_line(qapp, data_dir, tmp_path, capsys):
    assert app.main(data_dir, screenshot=tmp_path / "x.png", facets=["colour=red"]) == 1
    assert "unknown facet key 'colour'" in capsys.readouterr().err
    assert app.main(data_dir, screenshot=tmp_path / "x.png", facets=["novalue"]) == 1
    assert "KEY=VALUE" in capsys.readouterr().err
    assert app.main(data_dir, screenshot=tmp_path / "x.png", corpus=tmp_path / "nope") == 1
    assert "corpus folder not found" in capsys.readouterr().err
    assert app.main(data_dir, screenshot=tmp_path / "x.png", facets=["date=someday"]) == 1
    err = capsys.readouterr().err
    assert "date filter 'someday' not understood" in err and err.count("\n") == 1
    assert not (tmp_path / "x.png").exists()


ROOT = Path(explorer.__file__).parent


def test_only_the_gui_package_imports_pyside6():
    offenders = []
    for path in ROOT.rglob("*.py"):
        if "gui" in path.relative_to(ROOT).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in ("PySide6", "shiboken6")]
    assert offenders == []


def test_core_imports_with_pyside6_blocked():
    code = """
import importlib, pkgutil, sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('PySide6', 'shiboken6'):
            raise ImportError('PySide6 is blocked: ' + name)
sys.meta_path.insert(0, Block())
import explorer
for m in pkgutil.walk_packages(explorer.__path__, 'explorer.'):
    if not m.name.startswith('explorer.gui'):
        importlib.import_module(m.name)
print('ok')
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
