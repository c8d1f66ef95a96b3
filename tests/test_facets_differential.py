"""The bitmask facet engine (explorer.query.facets) against the plain SQL it replaced: for any
text query and facet selection, every facet's counts must be what a GROUP BY over
``doc_facets`` gives, with disjunctive semantics (a facet's counts ignore its own selection),
and the total must be the documents matching the text and every selection.

The SQL reference lives only here: nothing in the program counts facets with SQL any more."""

from __future__ import annotations

import csv
import itertools
import re
import sqlite3
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from explorer import indexer
from explorer.model import FACET_KEYS, Query
from explorer.paths import Layout
from explorer.query import Engine

# --------------------------------------------------------------------------- the SQL reference


def _docs_with(db: sqlite3.Connection, facet: str, values: list[str]) -> set[str]:
    """Documents having any of ``values`` for ``facet``, with Unicode case folding (SQLite's own
    lower() folds ASCII only: "ÉMILE DURKHEIM" must select "Émile Durkheim")."""
    db.create_function("casefold", 1, lambda v: None if v is None else v.casefold(), deterministic=True)
    marks = ",".join("?" * len(values))
    return {r[0] for r in db.execute(
        f"SELECT DISTINCT doc_id FROM doc_facets WHERE facet = ? AND casefold(value) IN ({marks})",
        [facet, *[v.casefold() for v in values]])}


def _group_by(db: sqlite3.Connection, facet: str, ids: set[str]) -> list[tuple[str, int]]:
    db.execute("DELETE FROM temp.hit_ids")
    db.executemany("INSERT INTO temp.hit_ids VALUES (?)", ((i,) for i in ids))
    return [(v, n) for v, n in db.execute(
        "SELECT f.value, count(DISTINCT f.doc_id) AS n FROM doc_facets f JOIN temp.hit_ids t ON t.doc_id = f.doc_id "
        "WHERE f.facet = ? GROUP BY f.value ORDER BY n DESC, f.value", [facet])]


# a date as the histogram counts it: a year, a month or a day (the first ten characters); else none
_DATE = re.compile(r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?")


def _source_dates(db: sqlite3.Connection, ids: set[str]) -> dict[str | None, dict[str | None, int]]:
    """Documents per (source, date) among ``ids``, counted with GROUP BY over ``documents``."""
    db.create_function("date_key", 1, lambda d: d[:10] if d and _DATE.fullmatch(d[:10]) else None, deterministic=True)
    db.execute("DELETE FROM temp.hit_ids")
    db.executemany("INSERT INTO temp.hit_ids VALUES (?)", ((i,) for i in ids))
    out: dict[str | None, dict[str | None, int]] = {}
    for source, date, n in db.execute(
            "SELECT nullif(d.source, ''), date_key(d.date), count(*) FROM documents d "
            "JOIN temp.hit_ids t ON t.doc_id = d.doc_id GROUP BY 1, 2"):
        out.setdefault(source, {})[date] = n
    return out


def sql_answer(data: Path, text_ids: set[str] | None, selections: dict[str, list[str]]):
    """(total, {facet: [(value, count), ...]}, {source: {date: count}}) computed with SQL alone
    (the dates as if a date selection were absent, as the engine's histogram is)."""
    db = sqlite3.connect(Layout(data).db.as_uri() + "?mode=ro", uri=True)
    try:
        db.execute("CREATE TEMP TABLE hit_ids (doc_id TEXT PRIMARY KEY)")
        every = {r[0] for r in db.execute("SELECT doc_id FROM documents")}
        base = every if text_ids is None else text_ids
        chosen = {k: _docs_with(db, k, vs) for k, vs in selections.items() if k != "date"}
        total = len(base.intersection(*chosen.values()))
        counts = {key: _group_by(db, key, base.intersection(*(m for k, m in chosen.items() if k != key)))
                  for key in FACET_KEYS}
        return total, counts, _source_dates(db, base.intersection(*chosen.values()))
    finally:
        db.close()


def check(engine: Engine, data: Path, text: str, selections: dict[str, list[str]]) -> None:
    text_ids = None if not text else {h.doc_id for h in engine.search(Query(text, limit=None)).hits}
    rs = engine.search(Query(text, facets=selections, limit=None, dates_by_source=True))
    total, counts, by_source = sql_answer(data, text_ids, selections)
    if "date" not in selections:
        assert rs.total == total, (text, selections)
    # the timeline stacked by source: each source's dates as SQL counts them, most documents
    # first (no source last), and the stacks add up to the unstacked histogram date by date
    assert {s: dict(hist) for s, hist in rs.source_dates.items()} == by_source, (text, selections)
    assert list(rs.source_dates) == sorted(by_source, key=lambda s: (s is None, -sum(by_source[s].values()), s or ""))
    stacked: dict[str | None, int] = {}
    for hist in rs.source_dates.values():
        for d, n in hist:
            stacked[d] = stacked.get(d, 0) + n
    assert stacked == dict(rs.dates)
    if "date" in selections:
        return
    for key in FACET_KEYS:
        got = [(fv.value, fv.count) for fv in rs.facets[key] if fv.count]
        assert got == counts[key], (key, text, selections)
        for v in selections.get(key, []):  # a selection with no documents is still shown, at 0
            assert any(fv.value.casefold() == v.casefold() and fv.selected for fv in rs.facets[key]), (key, v)


def stored_values(data: Path) -> dict[str, list[str]]:
    db = sqlite3.connect(Layout(data).db.as_uri() + "?mode=ro", uri=True)
    try:
        out: dict[str, list[str]] = {}
        for facet, value in db.execute("SELECT DISTINCT facet, value FROM doc_facets ORDER BY facet, value"):
            out.setdefault(facet, []).append(value)
        return out
    finally:
        db.close()


def selections_of(values: dict[str, list[str]]):
    """Single values, two values of one facet (OR), values of two facets (AND), a value in
    another case, and a value no document has."""
    keys = sorted(values)
    yield {}
    for k in keys:
        yield {k: values[k][:1]}
        if len(values[k]) > 1:
            yield {k: values[k][-2:]}
        yield {k: [values[k][0].upper()]}
    for a, b in itertools.combinations(keys, 2):
        yield {a: values[a][:1], b: values[b][-1:]}
    if keys:
        yield {keys[0]: ["no such value"], keys[-1]: values[keys[-1]][:1]}


TEXTS = ("", "services", "mutual OR health", '"public sector"', "nothingmatchesthis")


def test_bitmask_counts_equal_sql_counts_on_the_seeds(seed_index):
    engine = Engine(seed_index)
    try:
        values = stored_values(seed_index)
        assert {"pathfinder", "sector", "region", "source"} <= set(values)  # the seeds exercise them
        for text in TEXTS:
            for selection in selections_of(values):
                check(engine, seed_index, text, selection)
            check(engine, seed_index, text, {"date": ["2010-06..2011"]})  # the histogram ignores it
            check(engine, seed_index, text, {"date": ["2010"], "sector": values["sector"][:1]})
    finally:
        engine.close()


# --------------------------------------------------------------------------- a generated corpus

NAMES = ["Swindon", "Leicester", "Newton Rigg College", "John Lewis Partnership", "KPMG", "Westminster",
         "Kensington and Chelsea", "Cumbria", "Baxi Partnership", "Sunderland"]
WORDS = ["public", "services", "mutual", "health", "staff", "sector", "employee", "owned", "care"]
PEOPLE = ["Ann Smith", "ann smith", "Zoë Brown", "ZOË BROWN", "Émile Roux", "Bob"]
SOURCES = ["Guardian", "guardian", "Local Government Chronicle", "Ça Va Press", ""]
DATES = ["2010-08-13", "2011", "2012-03-01", "", "2009-12-31"]

document = st.fixed_dictionaries({
    "names": st.lists(st.sampled_from(NAMES), min_size=0, max_size=4),
    "words": st.lists(st.sampled_from(WORDS), min_size=1, max_size=8),
    "author": st.sampled_from(PEOPLE),
    "source": st.sampled_from(SOURCES),
    "date": st.sampled_from(DATES),
})


def write_corpus(folder: Path, docs: list[dict]) -> None:
    folder.mkdir(parents=True)
    with open(folder / "metadata.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["file", "title", "date", "source", "author"])
        for i, d in enumerate(docs):
            name = f"doc{i:02}.txt"
            body = " ".join(d["words"]) + ". " + ". ".join(f"News from {n}" for n in d["names"]) + "."
            (folder / name).write_text(f"Story {i}\n{body}\n", encoding="utf-8")
            w.writerow([name, f"Story {i}", d["date"], d["source"], d["author"]])


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(document, min_size=1, max_size=10))
def test_bitmask_counts_equal_sql_counts_on_generated_corpora(docs, tmp_path_factory):
    base = tmp_path_factory.mktemp("generated")
    write_corpus(base / "corpus", docs)
    data = base / "data"
    indexer.run(data, base / "corpus", workers=0)
    engine = Engine(data)
    try:
        values = stored_values(data)
        for text in ("", "services", "health OR care"):
            for selection in selections_of(values):
                check(engine, data, text, selection)
    finally:
        engine.close()
