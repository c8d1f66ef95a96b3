"""The pathfinders level: a pathfinder's sources are publishers, counted as the source facet
counts them; its documents are listed apart (a document's title is never a source)."""

from __future__ import annotations

from explorer.model import Query
from tests.test_cli import explorer


def test_sources_are_the_source_facet_values_and_titles_are_apart(engine):
    rows = engine.search(Query(level="pathfinders")).hits
    assert len(rows) == 12
    checked_unsourced = False
    for row in rows:
        docs = engine.search(Query(facets={"pathfinder": [row.name]}, limit=None))
        facet = {fv.value for fv in docs.facets["source"] if fv.count}
        assert set(row.sources) == facet, row.name
        assert row.documents == docs.total == len(row.titles)
        assert sorted(row.titles, key=str.casefold) == sorted((h.title or h.file for h in docs.hits), key=str.casefold)
        assert row.unsourced == sum(1 for h in docs.hits if not h.source)
        assert not set(row.sources) & set(row.titles)
        checked_unsourced |= bool(row.sources) and row.unsourced > 0
    assert checked_unsourced  # the seeds have a pathfinder with a named source and unnamed ones
    swindon = next(r for r in rows if r.id == "swindon")
    assert swindon.sources == ["Local Government Chronicle"] and swindon.documents == 4 and swindon.unsourced == 3


def test_sources_follow_the_search(engine):
    """Filtered by a query, a pathfinder's sources and titles are those of the matching documents."""
    rows = engine.search(Query("maude", level="pathfinders")).hits
    for row in rows:
        docs = engine.search(Query("maude", facets={"pathfinder": [row.name]}, limit=None))
        assert set(row.sources) == {fv.value for fv in docs.facets["source"] if fv.count}
        assert row.documents == len(row.titles) == docs.total


def test_cli_lists_sources_and_documents_on_separate_lines(seed_index):
    proc = explorer("search", "--level", "pathfinders", data=seed_index)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    i = next(n for n, ln in enumerate(lines) if "Swindon community health" in ln)
    assert lines[i + 1].strip() == "source: Local Government Chronicle (and 3 docs naming none)"
    assert lines[i + 2].strip().startswith("documents: ") and "Groups of public sector staff" in lines[i + 2]
