"""The package as users get it. explorer/paths.py finds the bundled files in a checkout, an
editable install, a wheel and a frozen (PyInstaller) build; the wheel and sdist hold what they
should; and the wheel, installed in a fresh venv outside the tree, runs --version, index, search
and gui --screenshot.

The fresh venvs get their dependencies from this environment's site-packages through a .pth
file, and the project itself from the wheel just built (pip --no-index --no-deps): fast, and it
needs no network."""

import importlib.util
import json
import os
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from importlib.metadata import distribution
from pathlib import Path

import pytest

from explorer import __version__, paths

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.packaging


def _site_packages() -> list[str]:
    return list(dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]))


def _fresh_venv(where: Path) -> Path:
    """A venv with no project in it; it sees this environment's third-party packages."""
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(where)], check=True)
    py = where / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "zz_dependencies.pth").write_text("\n".join(_site_packages()) + "\n")
    return py


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", EXPLORER_DATA_DIR=str(tmp / "data"), PYTHONNOUSERSITE="1")
    return env


def _pip(py: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-index", "--no-deps",
                    "--no-build-isolation", *args], check=True, capture_output=True, text=True)


WHERE = "from explorer import paths; print(paths.seeds_dir()); print(paths.resource('taxonomy.toml'))"


def _where(py: Path, tmp: Path) -> tuple[Path, Path]:
    out = subprocess.run([str(py), "-c", WHERE], capture_output=True, text=True, env=_env(tmp), cwd=tmp, check=True)
    seeds, taxonomy = out.stdout.splitlines()
    return Path(seeds), Path(taxonomy)


# --------------------------------------------------------------------------- the four layouts


def test_checkout_finds_the_top_level_folders(tmp_path):
    out = subprocess.run([sys.executable, "-c", WHERE], capture_output=True, text=True, cwd=tmp_path,
                         env={**_env(tmp_path), "PYTHONPATH": str(ROOT)}, check=True)
    seeds, taxonomy = map(Path, out.stdout.splitlines())
    assert seeds == ROOT / "seeds" and taxonomy == ROOT / "resources" / "taxonomy.toml"
    assert len(list(seeds.glob("*.txt"))) == 5 and taxonomy.is_file()


def test_frozen_build_finds_them_under_meipass(tmp_path, monkeypatch):
    bundle = tmp_path / "_internal"
    (bundle / "explorer" / "resources").mkdir(parents=True)
    (bundle / "explorer" / "seeds").mkdir(parents=True)
    (bundle / "explorer" / "resources" / "taxonomy.toml").write_text("# frozen copy\n")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    assert paths.seeds_dir() == bundle / "explorer" / "seeds"
    assert paths.resource("taxonomy.toml").read_text() == "# frozen copy\n"


def test_meipass_alone_is_not_a_frozen_build(tmp_path, monkeypatch):
    monkeypatch.delattr(sys, "frozen", raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert paths.resource("taxonomy.toml").is_file()


def test_editable_install_finds_the_checkout(tmp_path):
    py = _fresh_venv(tmp_path / "venv")
    _pip(py, "-e", str(ROOT))
    seeds, taxonomy = _where(py, tmp_path)
    assert seeds == ROOT / "seeds" and taxonomy == ROOT / "resources" / "taxonomy.toml"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    assert not (site / "explorer").exists()  # nothing copied: edits to resources/ are live


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index", "--no-build-isolation",
                    "-w", str(out), str(ROOT)], check=True, capture_output=True, text=True)
    (found,) = out.glob("pathfinder_explorer-*.whl")
    return found


@pytest.fixture(scope="module")
def wheel_venv(wheel, tmp_path_factory) -> Path:
    py = _fresh_venv(tmp_path_factory.mktemp("wheel-venv") / "venv")
    _pip(py, str(wheel))
    return py


def test_wheel_install_finds_them_inside_the_package(wheel_venv, tmp_path):
    seeds, taxonomy = _where(wheel_venv, tmp_path)
    assert seeds.parent.name == "explorer" and "site-packages" in seeds.parts
    assert not seeds.is_relative_to(ROOT)
    assert sorted(p.name for p in seeds.iterdir()) == sorted(p.name for p in (ROOT / "seeds").iterdir())
    assert taxonomy.read_bytes() == (ROOT / "resources" / "taxonomy.toml").read_bytes()


# --------------------------------------------------------------------------- wheel and sdist


def test_wheel_metadata_and_contents(wheel):
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta = z.read(f"pathfinder_explorer-{__version__}.dist-info/METADATA").decode()
        entry_points = z.read(f"pathfinder_explorer-{__version__}.dist-info/entry_points.txt").decode()
    assert "explorer/resources/taxonomy.toml" in names and "explorer/seeds/000_8468651e8cf8aa21.txt" in names
    assert not [n for n in names if n.startswith(("tests/", "resources/", "seeds/", "packaging/"))]
    assert "License-Expression: MIT" in meta and f"pathfinder_explorer-{__version__}.dist-info/licenses/LICENSE" in names
    assert "Requires-Dist: lxml-html-clean" in meta.replace("lxml_html_clean", "lxml-html-clean")
    requires = [ln for ln in meta.splitlines() if ln.startswith("Requires-Dist: ")]
    gui = [ln for ln in requires if "extra == 'gui'" in ln or 'extra == "gui"' in ln]
    assert gui and all(ln.lower().startswith("requires-dist: pyside6-essentials") for ln in gui)
    assert any("<6.12" in ln and "3.12" in ln for ln in gui)  # the refcount guard on Python 3.11
    assert "Classifier: " in meta and "Project-URL: " in meta
    assert "[gui_scripts]\npathfinder-explorer-gui = explorer.cli:gui_main" in entry_points
    assert "explorer = explorer.cli:main" in entry_points and "pathfinder-explorer = explorer.cli:main" in entry_points


def test_sdist_holds_tests_dev_py_docs_and_packaging(tmp_path):
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True, text=True)
    (sdist,) = tmp_path.glob("pathfinder_explorer-*.tar.gz")
    with tarfile.open(sdist) as t:
        names = {n.split("/", 1)[1] for n in t.getnames() if "/" in n}
    for needed in ("dev.py", "pyproject.toml", "README.md", "LICENSE", "tests/conftest.py", "docs/main-window.png",
                   "packaging/explorer.spec", "packaging/build.py", "packaging/constraints.txt",
                   "resources/taxonomy.toml", "seeds/000_8468651e8cf8aa21.txt", "explorer/cli.py", ".ci/run"):
        assert needed in names, f"{needed} missing from the sdist"
    assert not [n for n in names if ".venv" in n or "__pycache__" in n]


def test_readme_links_stay_inside_the_repository():
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)\s]+)\)", readme)
    relative = [t for t in targets if not t.startswith(("http://", "https://", "#", "mailto:"))]
    assert relative, "the README's images and docs links are relative"
    for target in relative:
        resolved = (ROOT / target.split("#")[0]).resolve()
        assert resolved.is_relative_to(ROOT) and resolved.exists(), target


# --------------------------------------------------------------------------- the installed wheel runs


def _run(py: Path, script: str, *args: str, tmp: Path) -> subprocess.CompletedProcess:
    exe = py.parent / (f"{script}.exe" if os.name == "nt" else script)
    return subprocess.run([str(exe), *args], capture_output=True, text=True, env=_env(tmp), cwd=tmp, timeout=600)


def test_the_installed_wheel_runs_the_cli_and_the_gui(wheel_venv, tmp_path):
    version = _run(wheel_venv, "pathfinder-explorer", "--version", tmp=tmp_path)
    assert version.returncode == 0 and __version__ in version.stdout

    index = _run(wheel_venv, "explorer", "index", tmp=tmp_path)
    assert index.returncode == 0, index.stderr
    assert "5 files, 14 documents" in index.stdout and "site-packages" in index.stdout  # the bundled seeds
    assert "WARNING" not in index.stdout

    search = _run(wheel_venv, "explorer", "search", "homeless", "--format", "json", tmp=tmp_path)
    assert search.returncode == 0, search.stderr
    hits = json.loads(search.stdout)
    assert hits and any("Leicester" in json.dumps(h) for h in hits)

    shot = tmp_path / "shot.png"
    # the gui-script: `explorer gui` with --data-dir allowed anywhere
    gui = _run(wheel_venv, "pathfinder-explorer-gui", "--screenshot", str(shot), "--data-dir", str(tmp_path / "data"),
               "homeless", tmp=tmp_path)
    assert gui.returncode == 0, gui.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_frozen_apps_smoke_checks_pass_on_the_installed_wheel(wheel_venv, tmp_path):
    """packaging/build.py's checks of the frozen app, run on the installed wheel's command (the
    same code): what they expect is what the app prints."""
    spec = importlib.util.spec_from_file_location("package_build", ROOT / "packaging" / "build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    smoke = build.Smoke(tmp_path, binary=wheel_venv.parent / ("pathfinder-explorer.exe" if os.name == "nt"
                                                              else "pathfinder-explorer"))
    assert smoke.all(), smoke.failures


def test_installed_metadata_is_the_wheels(wheel_venv, tmp_path):
    out = subprocess.run([str(wheel_venv), "-c", "from importlib.metadata import distribution as d; "
                          "print(d('pathfinder-explorer').read_text('direct_url.json') or 'none')"],
                         capture_output=True, text=True, env=_env(tmp_path), check=True).stdout
    assert '"editable": true' not in out
    assert distribution("pathfinder-explorer").version == __version__
