"""Cross-source analysis on real indexes: text reuse (seeds in SQLite, alignment, clusters,
duplicate groups, incremental runs) and disagreements."""

from __future__ import annotations

import re
import shutil

import pytest

from explorer import indexer
from explorer.compare.analysis import Analysis, AnalysisError, dismiss
from explorer.store import Store

SEED_000 = "000_8468651e8cf8aa21"
SEED_001 = "001_be1e46d498799f71"

P1 = ("The council said its new employee-owned social enterprise would take over the running of libraries, "
      "leisure centres and adult learning from April, with every member of staff offered a share in the business.")
P2 = ("Union officials warned that the transfer had been rushed through without a ballot and asked the cabinet "
      "member to publish the business plan before the contract is signed at the end of the month.")
P3 = ("A spokesman for the mentors explained that the partnership would lend its lawyers and accountants free of "
      "charge for the first eighteen months while the new board learns how to bid for contracts.")
P4 = ("Residents who attended the consultation in the town hall were broadly supportive but several asked "
      "whether opening hours at the smaller branch libraries would be protected once the service moved out.")
OWN = ("Our correspondent visited the central library on Tuesday morning and found the reading room busy with "
       "pensioners, students and a toddlers' singing group that meets there every week of the year.")


def write(folder, name, source, date, paragraphs):
    head = f"{name}\nSource: {source}\nDate: {date}\n\n" if date else f"{name}\nSource: {source}\n\n"
    (folder / f"{name}.txt").write_text(head + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def open_analysis(data):
    store = Store(indexer.db_path(data), readonly=True)
    return store, Analysis(store)


def words(s: str) -> list[str]:
    return re.findall(r"\w+", s.lower())


@pytest.fixture
def crafted(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write(corpus, "alpha", "Alpha News", "2010-08-01", [P1, P2, P3, P4])
    # reordered, lightly edited, with a paragraph of its own
    b3 = P3.replace("eighteen months", "two years").replace("explained", "said")
    b1 = P1.replace("from April", "from next April").replace("libraries,", "libraries and")
    write(corpus, "beta", "Beta Daily", "2010-08-05", [OWN, b3, b1, P4])
    # the same source repeating its own paragraph is that source's boilerplate, not reuse
    write(corpus, "alpha-later", "Alpha News", "2010-09-01", [P2, OWN.replace("Tuesday", "Friday")])
    data = tmp_path / "data"
    indexer.run(data, corpus, workers=0)
    return corpus, data


def _passage_with(result, doc_id, text):
    for p in result["passages"]:
        for s in p["spans"]:
            if s["doc_id"] == doc_id and words(text)[:6] == words(s["text"])[:6] or (
                    s["doc_id"] == doc_id and " ".join(words(text)[3:12]) in " ".join(words(s["text"]))):
                return p
    return None


def test_seeds_000_and_001_share_paragraphs_with_offsets_in_both(seed_index):
    store, analysis = open_analysis(seed_index)
    try:
        texts = store.doc_texts([SEED_000, SEED_001])
        result = analysis.compare([SEED_000, SEED_001])
        assert result["documents"] == [SEED_000, SEED_001]
        assert len(result["passages"]) >= 2
        for p in result["passages"]:
            assert 0 < p["similarity"] <= 1
            by_doc = {s["doc_id"]: s for s in p["spans"]}
            assert set(by_doc) == {SEED_000, SEED_001}
            for s in p["spans"]:
                assert s["text"] == texts[s["doc_id"]][s["start"]:s["end"]]
            # the two sides are the same passage: most words in common
            a, b = words(by_doc[SEED_000]["text"]), words(by_doc[SEED_001]["text"])
            common = len(set(a) & set(b)) / min(len(set(a)), len(set(b)))
            assert common > 0.7
            for d in p["differences"]:
                for side in ("a", "b"):
                    piece = d[side]
                    assert piece["text"] == texts[piece["doc_id"]][piece["start"]:piece["end"]]
        # the mentors paragraph and Maude's quote are both in each text and are found
        joined = {d: " ".join(words(" ".join(s["text"] for p in result["passages"] for s in p["spans"] if s["doc_id"] == d)))
                  for d in (SEED_000, SEED_001)}
        for d in (SEED_000, SEED_001):
            assert "all the mentors have offered their support for free" in joined[d]
            assert "literally thousands of front line employees" in joined[d]
    finally:
        store.close()


def test_reordered_and_edited_reprint_is_found_with_its_differing_words(crafted):
    _, data = crafted
    store, analysis = open_analysis(data)
    try:
        alpha, beta = "alpha", "beta"
        result = analysis.compare([alpha, beta])
        texts = store.doc_texts([alpha, beta])
        found = {}
        for name, para in (("P1", P1), ("P3", P3), ("P4", P4)):
            start = texts[alpha].index(para)
            for p in result["passages"]:
                s = next(s for s in p["spans"] if s["doc_id"] == alpha)
                if s["start"] <= start + 5 and s["end"] >= start + len(para) - 5:
                    found[name] = p
        assert set(found) == {"P1", "P3", "P4"}, [s["text"][:40] for p in result["passages"] for s in p["spans"]]
        # beta prints P3 before P1: its span for P3 lies before its span for P1
        b_start = {n: next(s for s in p["spans"] if s["doc_id"] == beta)["start"] for n, p in found.items()}
        assert b_start["P3"] < b_start["P1"] < b_start["P4"]
        diffs = {(d["a"]["text"], d["b"]["text"]) for d in found["P3"]["differences"]}
        assert ("eighteen", "two") in diffs or ("eighteen months", "two years") in diffs or any(
            "eighteen" in a and "two" in b for a, b in diffs)
        assert any("explained" in a and "said" in b for a, b in diffs)
        assert any("next" in b for a, b in {(d["a"]["text"], d["b"]["text"]) for d in found["P1"]["differences"]})
        assert found["P4"]["similarity"] == 1.0 and found["P4"]["differences"] == []
        assert found["P3"]["similarity"] < 1.0
        # beta's own paragraph and alpha's P2 are in no passage
        for p in result["passages"]:
            for s in p["spans"]:
                assert "correspondent" not in s["text"] and "Union officials" not in s["text"]
    finally:
        store.close()


def test_reuse_inside_one_source_is_ignored_and_origin_is_the_earliest_dated(crafted):
    _, data = crafted
    store, analysis = open_analysis(data)
    try:
        ids = {d: d for d in store.all_doc_ids()}
        # alpha-later repeats alpha's P2 (same source): no link between them
        assert analysis.compare([ids["alpha"], ids["alpha-later"]])["passages"] == []
        # ... and beta's own paragraph lightly edited in alpha-later *is* reuse (other source)
        assert analysis.compare([ids["beta"], ids["alpha-later"]])["passages"]
        for c in analysis.clusters():
            dated = [m for m in c["members"] if m["date"]]
            assert c["origin"]["doc_id"] == min(dated, key=lambda m: m["date"])["doc_id"]
    finally:
        store.close()


def test_a_paragraph_repeated_in_one_document_is_not_reuse(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    write(corpus, "twice", "Gamma", "2010-01-01", [P1, P2, P1])
    write(corpus, "other", "Delta", "2010-01-02", [P3, P4])
    data = tmp_path / "d"
    indexer.run(data, corpus, workers=0)
    store, analysis = open_analysis(data)
    try:
        assert analysis.clusters() == []
        assert store.count("reuse_links") == 0
    finally:
        store.close()


def test_undated_members_are_never_the_origin(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    write(corpus, "undated", "Gamma", None, [P1, P2])
    write(corpus, "dated", "Delta", "2011-05-01", [P2, OWN])
    data = tmp_path / "d"
    indexer.run(data, corpus, workers=0)
    store, analysis = open_analysis(data)
    try:
        (cluster,) = analysis.clusters()
        assert cluster["origin"]["doc_id"] == "dated"
    finally:
        store.close()


def test_incremental_run_compares_only_new_documents_and_drops_removed_ones(crafted):
    corpus, data = crafted
    store = Store(indexer.db_path(data), readonly=True)
    before = store.db.execute("SELECT id, a, b, a_start, b_start FROM reuse_links ORDER BY id").fetchall()
    store.close()
    assert before
    write(corpus, "gamma", "Gamma Post", "2010-07-20", [OWN, P4.replace("town hall", "village hall")])
    indexer.run(data, corpus, workers=0)
    store, analysis = open_analysis(data)
    try:
        after = store.db.execute("SELECT id, a, b, a_start, b_start FROM reuse_links ORDER BY id").fetchall()
        assert after[: len(before)] == before  # old pairs were not aligned again
        gamma = "gamma"
        new = [r for r in after[len(before):]]
        assert new and all(gamma in (r[1], r[2]) for r in new)
        p4 = next(c for c in analysis.clusters() if "consultation" in c["text"])
        assert p4["origin"]["doc_id"] == "gamma"  # the earliest dated member now
    finally:
        store.close()
    (corpus / "beta.txt").unlink()
    indexer.run(data, corpus, workers=0)
    store, analysis = open_analysis(data)
    try:
        assert not any("beta" in (r[1] + r[2]) for r in store.db.execute("SELECT id, a, b FROM reuse_links"))
        assert not any("beta" in m["doc_id"] for c in analysis.clusters() for m in c["members"])
        assert store.db.execute("SELECT count(*) FROM reuse_docs WHERE doc_id LIKE 'beta%'").fetchone()[0] == 0
    finally:
        store.close()


def test_exact_and_near_duplicates_are_grouped(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    write(corpus, "orig", "Gamma", "2010-01-01", [P1, P2, P3])
    shutil.copy(corpus / "orig.txt", corpus / "copy-under-another-name.txt")
    write(corpus, "reprint", "Delta", "2010-01-03", [P1, P2, P3.replace("lawyers", "solicitors")])
    write(corpus, "other", "Epsilon", "2010-01-04", [P4, OWN])
    data = tmp_path / "d"
    indexer.run(data, corpus, workers=0)
    store, analysis = open_analysis(data)
    try:
        groups = analysis.duplicates()
        assert len(groups) == 1
        assert {m["doc_id"] for m in groups[0]["members"]} == {"orig", "copy-under-another-name", "reprint"}
    finally:
        store.close()


def test_every_reuse_offset_slices_to_its_surface_text(seed_index):
    store, analysis = open_analysis(seed_index)
    try:
        clusters = analysis.clusters()
        assert clusters
        texts = store.doc_texts(store.all_doc_ids())
        for c in clusters:
            assert c["size"] == len({m["doc_id"] for m in c["members"]}) >= 2
            for m in c["members"]:
                assert m["text"] == texts[m["doc_id"]][m["start"]:m["end"]] and m["text"].strip()
    finally:
        store.close()


def test_compare_needs_two_known_documents(seed_index):
    store, analysis = open_analysis(seed_index)
    try:
        with pytest.raises(AnalysisError, match="two"):
            analysis.compare([SEED_000])
        with pytest.raises(AnalysisError, match="no document 'nope'"):
            analysis.compare([SEED_000, "nope"])
    finally:
        store.close()


# --------------------------------------------------------------------------- disagreements


def test_seed_conflicts_hold_ten_versus_twelve_and_twelve_agrees_with_12_and_a_dozen(seed_index):
    store, analysis = open_analysis(seed_index)
    try:
        texts = store.doc_texts(store.all_doc_ids())
        rows = analysis.conflicts()
        pilots = [c for c in rows if c["quantity"] == "pathfinders" and c["subject_id"] == "programme"]
        assert len(pilots) == 1
        values = pilots[0]["values"]
        for v in values:
            assert v["surface"] == texts[v["doc_id"]][v["start"]:v["end"]]
            assert v["sentence"] == texts[v["doc_id"]][v["sentence_start"]:v["sentence_end"]]
        by_surface = {v["surface"].lower(): v["value"] for v in values}
        assert by_surface["ten"] == 10
        assert by_surface["twelve"] == by_surface["12"] == by_surface["a dozen"] == 12
        assert {v["doc_id"] for v in values if v["value"] == 10} == {SEED_000}
        assert SEED_001 in {v["doc_id"] for v in values if v["value"] == 12}
        assert "ten pilots" in next(v["sentence"] for v in values if v["value"] == 10)
    finally:
        store.close()


def test_a_dismissed_conflict_stays_dismissed_after_index(seed_corpus, data_dir):
    indexer.run(data_dir, seed_corpus, workers=0)
    store = Store(indexer.db_path(data_dir))
    try:
        (first,) = [c for c in Analysis(store).conflicts() if c["subject_id"] == "programme"]
        with pytest.raises(AnalysisError, match="no conflict"):
            dismiss(store, "0000000000")
        dismiss(store, first["id"])
        assert first["id"] not in {c["id"] for c in Analysis(store).conflicts()}
    finally:
        store.close()
    indexer.run(data_dir, seed_corpus, workers=0, rebuild=True)
    (seed_corpus / "000_8468651e8cf8aa21.txt").write_text(
        (seed_corpus / "000_8468651e8cf8aa21.txt").read_text(encoding="utf-8") + "\nA late line.\n", encoding="utf-8")
    indexer.run(data_dir, seed_corpus, workers=0)
    store, analysis = open_analysis(data_dir)
    try:
        assert first["id"] not in {c["id"] for c in analysis.conflicts()}
        assert first["id"] in {c["id"] for c in analysis.conflicts(include_dismissed=True) if c["dismissed"]}
    finally:
        store.close()


def test_an_index_from_before_the_reuse_tables_is_searchable_then_migrated_and_filled(seed_corpus, data_dir):
    import sqlite3

    from explorer import store as store_mod
    from explorer.model import Query
    from explorer.query import Engine

    indexer.run(data_dir, seed_corpus, workers=0)
    db = indexer.db_path(data_dir)
    conn = sqlite3.connect(db)
    for table in store_mod._REUSE_TABLES:
        conn.execute(f"DROP TABLE {table}")
    before = store_mod.SCHEMA_VERSION - 1  # the version just before the reuse tables came
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(before)])
    conn.execute("DELETE FROM meta WHERE key = 'reuse_version'")
    conn.commit()
    conn.close()
    # a reader searches it as it is; the analysis says what to run, in one line
    engine = Engine(data_dir)
    try:
        hits = engine.search(Query("mutual")).hits
        assert hits and all(h.similar == [] for h in hits)
        with pytest.raises(AnalysisError, match="run `explorer index`"):
            Analysis(engine.store)
    finally:
        engine.close()
    from tests.test_cli import assert_one_line_error, explorer

    assert_one_line_error(explorer("compare", SEED_000, SEED_001, data=data_dir), "run `explorer index`")
    summary = indexer.run(data_dir, seed_corpus, workers=0)
    assert summary.unchanged == 5  # nothing re-read: the reuse pass works from the stored texts
    store, analysis = open_analysis(data_dir)
    try:
        assert store.meta("schema_version") == str(store_mod.SCHEMA_VERSION)
        assert analysis.compare([SEED_000, SEED_001])["passages"]
    finally:
        store.close()


def test_a_number_that_differs_inside_a_shared_passage_is_a_variant_reading(crafted):
    _, data = crafted
    store, analysis = open_analysis(data)
    try:
        texts = store.doc_texts(["alpha", "beta"])
        variants = [c for c in analysis.conflicts() if c["kind"] == "variant"]
        months = next(c for c in variants if {v["doc_id"] for v in c["values"]} == {"alpha", "beta"})
        values = {v["doc_id"]: v for v in months["values"]}
        assert values["alpha"]["value"] == 18 and values["beta"]["value"] == 2
        for v in months["values"]:
            assert texts[v["doc_id"]][v["start"]:v["end"]] == v["surface"]
        assert "eighteen" in months["why"] and "two" in months["why"]
    finally:
        store.close()


def duplicates_corpus(root):
    """orig, a byte copy under another name, and a lightly edited reprint: one duplicate group;
    plus one unrelated document."""
    corpus = root / "dups"
    corpus.mkdir()
    write(corpus, "orig", "Gamma", "2010-01-01", [P1, P2, P3])
    shutil.copy(corpus / "orig.txt", corpus / "copy-under-another-name.txt")
    write(corpus, "reprint", "Delta", "2010-01-03", [P1, P2, P3.replace("lawyers", "solicitors")])
    write(corpus, "other", "Epsilon", "2010-01-04", [P4, OWN])
    return corpus


GROUP = {"orig", "copy-under-another-name", "reprint"}


def test_every_hit_of_a_duplicate_group_names_the_others_in_the_result(tmp_path):
    from explorer.model import Query
    from explorer.query import Engine

    data = tmp_path / "d"
    indexer.run(data, duplicates_corpus(tmp_path), workers=0)
    engine = Engine(data)
    try:
        rs = engine.search(Query(""))
        assert {h.doc_id for h in rs.hits} == GROUP | {"other"}
        groups = {h.dup_group for h in rs.hits if h.doc_id in GROUP}
        assert len(groups) == 1 and "" not in groups
        for h in rs.hits:
            if h.doc_id == "other":
                assert h.dup_group == "" and h.similar == [] and "similar" not in h.as_dict()
                continue
            assert {s.doc_id for s in h.similar} == GROUP - {h.doc_id}
            for s in h.similar:  # each member with its own source and date, as written
                want = {"orig": ("Gamma", "2010-01-01"), "copy-under-another-name": ("Gamma", "2010-01-01"),
                        "reprint": ("Delta", "2010-01-03")}[s.doc_id]
                assert (s.source, s.date) == want
            assert [s["doc_id"] for s in h.as_dict()["similar"]] == [s.doc_id for s in h.similar]
        # one page at a time, the members still come with every hit
        for offset in range(4):
            page = engine.search(Query("", limit=1, offset=offset, sort="title")).hits
            if page[0].doc_id in GROUP:
                assert {s.doc_id for s in page[0].similar} == GROUP - {page[0].doc_id}
        # only the members in this result: "solicitors" is in the reprint alone
        only = engine.search(Query("solicitors")).hits
        assert [h.doc_id for h in only] == ["reprint"] and only[0].similar == []
        lawyers = engine.search(Query("lawyers")).hits
        assert {h.doc_id for h in lawyers} == {"orig", "copy-under-another-name"}
        assert all([s.doc_id for s in h.similar] == [o.doc_id for o in lawyers if o is not h] for h in lawyers)
        # passages are not grouped
        assert all(h.similar == [] for h in engine.search(Query("council", level="passages")).hits)
    finally:
        engine.close()


def test_compare_sits_below_the_indexer_and_above_the_store():
    """Layers: the index run calls explorer.compare, which reads and writes through the store
    it is handed; compare imports no other part of explorer but the plain values of
    explorer.model (so never the query engine, the indexer or a front end), and the store and
    the full text never import it."""
    import ast
    from pathlib import Path

    import explorer

    root = Path(explorer.__file__).parent

    def explorer_imports(path: Path) -> set[str]:
        out = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 else []
            out.update(n for n in names if n.split(".")[0] == "explorer")
        return out

    compare_files = list((root / "compare").glob("*.py"))
    assert len(compare_files) > 5
    for path in compare_files:
        assert {m for m in explorer_imports(path) if not m.startswith("explorer.compare")} <= {"explorer.model"}, path.name
    for path in [root / "store.py", *(root / "fulltext").rglob("*.py")]:
        assert not any(m.startswith("explorer.compare") for m in explorer_imports(path)), path.name
    assert "explorer.compare" in explorer_imports(root / "indexer" / "runner.py")
