"""The text-reuse pass is incremental: an index run aligns only the pairs that involve a new,
changed or removed document, forms again only the clusters those documents are in, and ends
with the same links, clusters, duplicate groups and claims as a full rebuild of the same files."""

from __future__ import annotations

import multiprocessing
import os
import shutil

import pytest

from explorer import indexer
from explorer.compare import reuse
from explorer.store import Store
from tests.test_compare import OWN, P1, P2, P3, P4, write

# paragraphs no other document shares (each article is long enough to seed)
FILLER = [
    "The weather over the weekend was unsettled, with showers moving in from the west and bright spells "
    "between them that tempted a few hardy walkers onto the hills above the reservoir.",
    "Parking charges in the market square rise next month after a review that found the car park "
    "was full by nine on most weekdays and almost empty again by the late afternoon.",
    "The cricket club's annual dinner raised enough money to repaint the pavilion, and the committee "
    "thanked the volunteers who served the food and cleared the tables afterwards.",
]


def corpus_files(corpus):
    corpus.mkdir()
    write(corpus, "alpha", "Alpha News", "2010-08-01", [P1, P2, P3, P4])
    write(corpus, "beta", "Beta Daily", "2010-08-05",
          [OWN, P3.replace("explained", "said"), P1.replace("from April", "from next April"), P4])
    write(corpus, "gamma", "Gamma Post", "2010-08-09", [P2.replace("rushed", "pushed"), FILLER[0]])
    write(corpus, "delta", "Delta Times", "2010-08-12", [FILLER[1], OWN.replace("Tuesday", "Friday")])
    write(corpus, "epsilon", "Epsilon Weekly", "2010-08-15", [FILLER[2], FILLER[0].replace("hills", "moors")])


def state(data):
    """Everything the reuse pass produces, without its row ids: links, cluster membership (the
    sets of spans of each cluster, with its origin), duplicate groups and claims."""
    store = Store(indexer.db_path(data), readonly=True)
    try:
        db = store.db
        links = sorted(db.execute(
            "SELECT a, a_start, a_end, b, b_start, b_end, similarity, cover, differences FROM reuse_links").fetchall())
        origin = dict(db.execute("SELECT id, origin FROM reuse_clusters").fetchall())
        spans: dict[int, set] = {}
        for cid, doc_id, s, e in db.execute('SELECT cluster, doc_id, start, "end" FROM reuse_spans'):
            spans.setdefault(cid, set()).add((doc_id, s, e))
        clusters = sorted((sorted(members), origin[cid]) for cid, members in spans.items())
        # every link belongs to the cluster holding its spans
        for a, sa, ea, b, sb, eb, cid in db.execute(
                "SELECT a, a_start, a_end, b, b_start, b_end, cluster FROM reuse_links"):
            for doc_id, s, e in ((a, sa, ea), (b, sb, eb)):
                assert any(d == doc_id and s0 <= s and e <= e0 for d, s0, e0 in spans[cid])
        dups = sorted(db.execute("SELECT doc_id, dup_group FROM reuse_docs WHERE dup_group IS NOT NULL").fetchall())
        claims = sorted(db.execute('SELECT doc_id, subject, quantity, value, start, "end" FROM claims').fetchall())
        ids = {cid: frozenset(members) for cid, members in spans.items()}
        return {"links": links, "clusters": clusters, "dups": dups, "claims": claims}, ids
    finally:
        store.close()


def full_rebuild(corpus, tmp_path, name):
    """The reuse tables of a new index of the same files."""
    data = tmp_path / name
    indexer.run(data, corpus, workers=0)
    return state(data)[0]


@pytest.fixture
def aligned(monkeypatch):
    """The pairs of documents the reuse pass aligns (word by word, the costly step), as sets of
    their two ids, one entry per alignment."""
    seen: list[frozenset[str]] = []
    real = reuse._align_pairs

    def align_pairs(store, pairs, *rest):
        for a, b, points in pairs:
            seen.append(frozenset((a, b)))
            yield from real(store, [(a, b, points)], *rest)

    monkeypatch.setattr(reuse, "_align_pairs", align_pairs)
    return seen


def test_one_changed_file_aligns_only_its_pairs_and_ends_as_a_full_rebuild(tmp_path, aligned):
    corpus = tmp_path / "corpus"
    corpus_files(corpus)
    data = tmp_path / "data"
    indexer.run(data, corpus, workers=0)
    first, ids_before = state(data)
    # the first run aligned every pair that shares text, each once
    assert sorted(aligned, key=sorted) == sorted(
        {frozenset(p) for p in (("alpha", "beta"), ("alpha", "gamma"), ("beta", "delta"), ("gamma", "epsilon"))},
        key=sorted)
    assert first == full_rebuild(corpus, tmp_path, "full0")
    aligned.clear()

    # gamma now also quotes P3 (which alpha and beta share): its passage joins their cluster
    write(corpus, "gamma", "Gamma Post", "2010-08-09",
          [P2.replace("rushed", "pushed"), FILLER[0], P3.replace("lawyers", "solicitors")])
    indexer.run(data, corpus, workers=0)
    second, ids_after = state(data)
    assert aligned and all("gamma" in pair for pair in aligned), aligned  # alpha-beta was not aligned again
    assert len(aligned) == 3  # gamma with alpha, beta and epsilon: its only partners
    aligned.clear()
    assert second == full_rebuild(corpus, tmp_path, "full1")
    aligned.clear()
    p3 = next(members for members, _origin in second["clusters"] if any(d == "gamma" for d, *_ in members)
              and any(d == "beta" for d, *_ in members))
    assert {d for d, *_ in p3} == {"alpha", "beta", "gamma"}
    # clusters that gamma has no part in keep their ids
    untouched = {cid: m for cid, m in ids_before.items() if not any(d == "gamma" for d, *_ in m)}
    assert untouched
    for cid, members in untouched.items():
        if members in ids_after.values():
            assert ids_after.get(cid) == members

    # the quote goes again: the three-source cluster splits back into what it was
    write(corpus, "gamma", "Gamma Post", "2010-08-09", [P2.replace("rushed", "pushed"), FILLER[0]])
    indexer.run(data, corpus, workers=0)
    third, _ = state(data)
    assert all("gamma" in pair for pair in aligned)
    assert third == first
    aligned.clear()

    # removing a file drops its links and clusters; the rest is what a full rebuild gives
    (corpus / "beta.txt").unlink()
    indexer.run(data, corpus, workers=0)
    fourth, _ = state(data)
    assert aligned == []  # nothing new to align
    assert not any("beta" in (link[0], link[3]) for link in fourth["links"])
    assert fourth == full_rebuild(corpus, tmp_path, "full2")


def test_a_copy_added_later_joins_the_duplicate_group_as_a_full_rebuild_does(tmp_path, aligned):
    corpus = tmp_path / "corpus"
    corpus_files(corpus)
    data = tmp_path / "data"
    indexer.run(data, corpus, workers=0)
    shutil.copy(corpus / "alpha.txt", corpus / "alpha-copy.txt")
    write(corpus, "reprint", "Zeta", "2010-07-30", [P1, P2, P3.replace("lawyers", "solicitors"), P4])
    aligned.clear()
    indexer.run(data, corpus, workers=0)
    assert aligned and all(pair & {"alpha-copy", "reprint"} for pair in aligned)
    after, _ = state(data)
    groups: dict[str, set[str]] = {}
    for doc_id, head in after["dups"]:
        groups.setdefault(head, set()).add(doc_id)
    # the earliest dated member heads the group: the reprint is dated before alpha
    assert groups == {"reprint": {"alpha", "alpha-copy", "reprint"}}
    assert after == full_rebuild(corpus, tmp_path, "full")


def test_worker_processes_read_the_documents_of_a_large_run_as_this_process_does(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus_files(corpus)
    here = full_rebuild(corpus, tmp_path, "here")  # (workers=0: the pass reads every document itself)
    assert here["links"]
    monkeypatch.setattr(reuse, "PARALLEL_MIN", 1)  # (a run of five documents is too small to share out)
    workers: list[int] = []
    real = reuse._read_all

    def read_all(store, todo, pool):
        workers.append(pool.n if pool.pool is not None else 0)
        yield from real(store, todo, pool)

    monkeypatch.setattr(reuse, "_read_all", read_all)
    data = tmp_path / "workers"
    indexer.run(data, corpus, workers=2)
    assert workers == [min(4, len(os.sched_getaffinity(0)))] and workers[0] >= 2
    assert state(data)[0] == here


def _twice_here(x: int) -> int:
    """Twice x, in this process; a worker process running it dies."""
    if multiprocessing.parent_process() is not None:
        os._exit(3)
    return 2 * x


def test_a_worker_that_dies_leaves_its_work_to_this_process(caplog):
    with reuse._Workers(2, multiprocessing.get_context("forkserver")) as workers:
        assert workers.pool is not None
        assert list(workers.map(_twice_here, iter([(i,) for i in range(7)]))) == [2 * i for i in range(7)]
        assert workers.pool is None
    assert "going on without workers" in caplog.text
