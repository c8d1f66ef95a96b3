"""The HTML path's extractor really loads (trafilatura needs lxml_html_clean since lxml 5.2), and
a missing or broken one is a loud warning in `explorer index`'s summary, not a silent fallback."""

import os
import subprocess
import sys

from explorer.corpus.read import html_extractor_problem, html_to_text

PAGE = """<!DOCTYPE html><html><head><title>Mutual news | Example</title>
<meta name="author" content="Jo Reporter"></head><body>
<nav>Home | About | Contact</nav>
<article><h1>Staff take over the Leicester homeless service</h1>
<p>The pathfinder in Leicester will spin out as an employee-owned mutual this autumn, the
Cabinet Office said, and its staff voted for the plan by a large majority on Tuesday.</p>
<p>Mentors from the John Lewis Partnership will advise the new board for its first year.</p>
</article><footer>Copyright Example News</footer></body></html>"""


def test_the_extractor_and_its_cleaner_import():
    import trafilatura
    from lxml.html.clean import Cleaner  # provided by lxml_html_clean on lxml >= 5.2

    assert callable(trafilatura.bare_extraction) and Cleaner is not None
    assert html_extractor_problem() is None


def test_html_goes_through_the_extractor_not_the_fallback():
    raw = html_to_text(PAGE)
    assert "employee-owned mutual" in raw.text
    assert "Home | About" not in raw.text and "Copyright" not in raw.text
    assert raw.meta.get("author") == "Jo Reporter"  # only the extractor reads metadata
    assert not raw.notes


def test_a_broken_extractor_is_a_loud_warning_in_the_index_summary(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "page.html").write_text(PAGE, encoding="utf-8")
    broken = tmp_path / "broken"
    broken.mkdir()
    # Shadows the installed package exactly as a missing lxml_html_clean breaks it.
    (broken / "trafilatura.py").write_text(
        'raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean")\n')
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(broken), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, "-m", "explorer", "--data-dir", str(tmp_path / "data"), "index",
                           "--corpus", str(corpus), "--quiet"], capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    warning = [ln for ln in proc.stdout.splitlines() if ln.startswith("WARNING:")]
    assert len(warning) == 1 and "lxml_html_clean" in warning[0] and "trafilatura" in warning[0]
    assert "Traceback" not in proc.stderr
    # nothing lost: the page is still indexed, through the plain fallback
    found = subprocess.run([sys.executable, "-m", "explorer", "--data-dir", str(tmp_path / "data"), "search",
                            "employee-owned"], capture_output=True, text=True, env=env, timeout=300)
    assert found.returncode == 0 and "1 document for" in found.stdout and "employee-owned mutual" in found.stdout


def test_a_working_extractor_prints_no_warning(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "page.html").write_text(PAGE, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "explorer", "--data-dir", str(tmp_path / "data"), "index",
                           "--corpus", str(corpus)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stdout and "1 file, 1 document" in proc.stdout
