"""explorer.fulltext takes shortcuts past whoosh where whoosh's own code is slow
(explorer/fulltext/_shortcuts/: a faster segment writer and posting pool, a phrase matcher
that finds a segment's phrase hits in bulk, a per-document length cache, memory-mapped segment
parts read in place, and a snippet maker that analyses only the words that can match). Each
claims the same output as whoosh's own path; these tests hold them to it, on real indexes of
the seeds (including one with deleted documents, after an incremental update), with the
"stock" side opened or written with the switch off (EXPLORER_WHOOSH_SHORTCUTS=0), which
test_the_switch_turns_every_shortcut_off shows is whoosh's own code throughout."""

from __future__ import annotations

import random
import re
import shutil
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from explorer import fulltext, indexer
from explorer.fulltext import _shortcuts
from explorer.fulltext._shortcuts.fragments import FastFragments
from explorer.query import Engine, Query

WORD = re.compile(r"[A-Za-z]{3,}")


@pytest.fixture(scope="module")
def updated_index(tmp_path_factory):
    """The seeds indexed, then one file changed and re-indexed: two segments, one with
    deleted documents."""
    from explorer import paths

    corpus = tmp_path_factory.mktemp("corpus")
    shutil.copytree(paths.seeds_dir(), corpus, dirs_exist_ok=True)
    data = tmp_path_factory.mktemp("data")
    indexer.run(data, corpus, workers=0)
    victim = sorted(corpus.glob("*.txt"))[0]
    victim.write_text(victim.read_text(encoding="utf-8") + "\n\nPublic services mutual, a later note.\n",
                      encoding="utf-8")
    indexer.run(data, corpus, workers=0)
    e = Engine(data)
    yield e
    e.close()


@pytest.fixture(scope="module")
def stock_ft(updated_index):
    """The same index directory, opened with every shortcut off: whoosh's own reader."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(fulltext.SHORTCUTS_ENV, "0")
        ft = fulltext.FullText(updated_index._ft.path)
    yield ft
    ft.close()


def _texts(engine) -> list[str]:
    rs = engine.search(Query(limit=None))
    return [engine.document(h.doc_id)["text"] for h in rs.hits]


def _phrases(engine, n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for text in _texts(engine):
        words = WORD.findall(text)
        for _ in range(n):
            i = rng.randrange(max(1, len(words) - 3))
            k = rng.choice((2, 2, 3))
            slop = rng.choice(("", "", "~2", "~3"))
            out.append('"' + " ".join(words[i:i + k]) + '"' + slop)
    return out + ['"public services"', '"John Lewis"', '"social enterprise"~2', '"mutual public"', '"zzz services"']


def test_the_updated_index_has_deletions(updated_index):
    reader = updated_index._ft._searcher.reader()
    assert reader.has_deletions()


@pytest.mark.parametrize("level", ["documents", "passages"])
def test_phrase_hits_and_scores_are_whooshs(updated_index, stock_ft, level):
    ft = updated_index._ft
    checked = 0
    for phrase in _phrases(updated_index, 12, seed=7):
        fast, stock = ft.parse(phrase), stock_ft.parse(phrase)
        assert str(fast.q) == str(stock.q)
        a = [(m.doc_id, m.ordinal, round(m.score, 9)) for m in ft.search(fast, level)]
        b = [(m.doc_id, m.ordinal, round(m.score, 9)) for m in stock_ft.search(stock, level)]
        assert a == b, phrase
        assert [m.docnum for m in ft.search(fast, level, scored=False)] == \
            [m.docnum for m in stock_ft.search(stock, level, scored=False)], phrase
        got = stock_ft.search(stock, level)
        nums = [m.docnum for m in got[::2]]
        assert ft.scores(fast, level, nums) == stock_ft.scores(stock, level, nums), phrase
        checked += bool(got)
    assert checked > 40  # most phrases, taken from the texts, do match


def test_phrases_inside_larger_queries_are_whooshs(updated_index, stock_ft):
    ft = updated_index._ft
    for q in ('"public services" mutual', '"John Lewis" OR "employee ownership"', 'mutual NOT "public services"',
              'title:"public services"', '"social enterprise" pathfinder:leicester'):
        a = [(m.doc_id, round(m.score, 9)) for m in ft.search(ft.parse(q), "documents")]
        b = [(m.doc_id, round(m.score, 9)) for m in stock_ft.search(stock_ft.parse(q), "documents")]
        assert a == b, q


def _block_queries(engine, seed: int) -> list[str]:
    """Words of the texts alone, ANDed, ORed, negated, fielded and grouped."""
    rng = random.Random(seed)
    words = sorted({w.lower() for text in _texts(engine) for w in WORD.findall(text)})
    pick = lambda: rng.choice(words)  # noqa: E731
    out = []
    for _ in range(25):
        a, b, c = pick(), pick(), pick()
        out += [a, f"{a} {b}", f"{a} OR {b}", f"{a} NOT {b}", f"({a} OR {b}) {c}", f"title:{a} OR {b}",
                f"{a} OR {b} NOT {c}", f"{a} AND NOT {b} AND NOT {c}"]
    return out + _phrases(engine, 1, seed)[:40] + [
                  '"public services" mutual', '"John Lewis" OR "employee ownership"', 'mutual NOT "public services"',
                  'title:"public services"', '"social enterprise"~2 pathfinder:leicester', '"zzz services"',
                  "mutual", "public services", "staff OR employee", "mutual NOT services", "pathfinder:leicester",
                  "title:mutual", "zzzz", "mutual zzzz", "zzzz OR mutual", "mutual NOT zzzz", "^BOOST^2 mutual^2"]


@pytest.mark.parametrize("level", ["documents", "passages"])
def test_block_search_hits_scores_and_order_are_whooshs(updated_index, stock_ft, level):
    """The numpy evaluation of term/AND/OR/NOT queries (block_search) against whoosh's own
    matchers: the same hits in the same order with the same scores (to 1e-9), unscored and
    scored, a few hits' scores, and the best k; on two segments, one with deletions."""
    ft = updated_index._ft
    assert ft._blocks is not None
    covered = 0
    queries = _block_queries(updated_index, seed=11)
    for q in queries:
        fast, stock = ft.parse(q), stock_ft.parse(q)
        assert str(fast.q) == str(stock.q)
        covered += ft._blocks.covers(fast.q)
        a = ft.search(fast, level)
        b = stock_ft.search(stock, level)
        assert [(m.doc_id, m.ordinal, m.docnum) for m in a] == [(m.doc_id, m.ordinal, m.docnum) for m in b], q
        assert all(abs(x.score - y.score) <= 1e-9 * max(1.0, abs(y.score)) for x, y in zip(a, b, strict=True)), q
        assert [m.docnum for m in ft.search(fast, level, scored=False)] == \
            [m.docnum for m in stock_ft.search(stock, level, scored=False)], q
        nums = [m.docnum for m in b[::3]] + [10 ** 6]
        got, want = ft.scores(fast, level, nums), stock_ft.scores(stock, level, nums)
        assert got.keys() == want.keys() and all(abs(got[k] - want[k]) <= 1e-9 * max(1.0, abs(want[k])) for k in got), q
        # the best 5: the head of whoosh's full ranking (whoosh's own limited search can skip
        # blocks wrongly under a NOT, so the unlimited ranking is the reference)
        assert [m.docnum for m in ft.search(fast, level, limit=5)] == [m.docnum for m in b[:5]], q
    assert covered == len(queries) - 1  # every query but the boosted compound took the fast path


@pytest.mark.parametrize("level", ["documents", "passages"])
def test_wildcards_listed_once_are_whooshs(updated_index, stock_ft, level):
    """Wildcard and prefix queries whose words are listed once per segment (multiterm): the
    same hits, scores and query terms as whoosh's own listing."""
    ft = updated_index._ft
    for q in ("mutu*", "*tion", "pub*c", "s*vice*", "title:mut*", "*tion mutual", "zzz*", "*zzz",
              '"public services" OR *ship', "staff NOT mutu*"):
        fast, stock = ft.parse(q), stock_ft.parse(q)
        assert str(fast.q) == str(stock.q)
        a = [(m.doc_id, m.ordinal, round(m.score, 9)) for m in ft.search(fast, level)]
        b = [(m.doc_id, m.ordinal, round(m.score, 9)) for m in stock_ft.search(stock, level)]
        assert a == b, q
        assert sorted(ft.terms(fast)) == sorted(stock_ft.terms(stock)), q


def test_block_search_leaves_other_queries_to_whoosh(updated_index):
    ft = updated_index._ft
    for q in ("mutual*", "*tion", "date:2011", "mutual^2 OR staff", '"public services" mutual*'):
        assert not ft._blocks.covers(ft.parse(q).q), q
    for q in ("mutual", "mutual staff", "mutual OR staff", "mutual NOT staff", "pathfinder:leicester",
              '"public services"', '"public services" mutual', '"social enterprise"~2 OR staff'):
        assert ft._blocks.covers(ft.parse(q).q), q


def test_snippets_are_whooshs(updated_index, stock_ft):
    ft = updated_index._ft
    rng = random.Random(3)
    texts = _texts(updated_index)
    vocab = sorted({w for t in texts for w in WORD.findall(t)})
    queries = [" OR ".join(rng.sample(vocab, k)) for k in (1, 1, 2, 3, 5) for _ in range(40)]
    queries += ["mutual", "public services", "pathfinder*", "*tion", "Leicester homeless", "NHS", "e.g"]
    window = FastFragments.WINDOW
    compared = spread = 0
    for q in queries:
        terms = ft.terms(ft.parse(q))
        for text in texts:
            fast = ft.snippet(text, terms)
            words = frozenset(t for f, t in terms if f in ("text", "title"))
            starts = ft._fast.matches(text, words)[0] if words else []
            # the same tokens as analysing every token of the text would find
            brute = [m.start() for m in FastFragments._TOKEN.finditer(text)
                     if ft._fast._token_text(m.group()) in words] if words else []
            assert starts == brute, q
            if not starts or starts[-1] - starts[0] <= window:
                # every match within one window: exactly whoosh's snippet
                assert fast == stock_ft.snippet(text, terms), (q, text[:60])
                compared += bool(starts)
                continue
            # matches all over a long text: fragments from its densest stretch, each one a
            # piece of the text, every marked word a real match
            spread += 1
            pieces = fast.split(" … ")
            assert 1 <= len(pieces) <= 2
            for piece in pieces:
                plain = piece.replace(fulltext.MARK_START, "").replace(fulltext.MARK_END, "")
                assert plain in text, (q, piece)
                start = text.index(plain)
                marks = [m.start() for m in re.finditer(re.escape(fulltext.MARK_START), piece)]
                assert marks, (q, piece)
                offsets = set(starts)
                for k, at in enumerate(marks):  # position of the k-th mark in the plain piece
                    assert start + at - 2 * k in offsets, (q, piece)
    assert compared > 300 and spread > 50


SUFFIXES = ["", "s", "es", "ies", "sses", "ss", "ed", "eed", "ing", "ingly", "edly", "y", "ly", "e", "ll",
            "ational", "tional", "enci", "ency", "anci", "ancy", "izer", "abli", "ably", "alli", "ally", "entli",
            "ently", "eli", "ely", "ousli", "ously", "ization", "ation", "ator", "alism", "iveness", "fulness",
            "ousness", "aliti", "ality", "iviti", "ivity", "biliti", "bility", "icate", "ative", "alize", "iciti",
            "icity", "ical", "ful", "ness", "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement",
            "ment", "ent", "sion", "tion", "ou", "ism", "ate", "iti", "ous", "ive", "ize", "ise", "ised"]


def _prefix_claim_holds(ft, word: str) -> bool:
    stem = ft._fast._token_text(word)
    if stem is None:
        return True  # not one token: never a match on its own
    return word.lower().startswith(stem[:max(1, len(stem) - 2)])


@settings(max_examples=3000, deadline=None)
@given(stem=st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=9),
       s1=st.sampled_from(SUFFIXES), s2=st.sampled_from(SUFFIXES), upper=st.booleans())
def test_a_stem_less_two_letters_begins_every_word_that_stems_to_it(updated_index, stem, s1, s2, upper):
    """What the snippet shortcut relies on (_FastFragments._finder)."""
    word = stem + s1 + s2
    assert _prefix_claim_holds(updated_index._ft, word.upper() if upper else word), word


def test_the_stem_prefix_claim_over_real_vocabularies(updated_index):
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location("bench_corpus", Path(__file__).parents[1] / "benchmarks" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = corpus  # dataclasses look their module up there
    try:
        spec.loader.exec_module(corpus)
    finally:
        del sys.modules[spec.name]
    words = {w for t in _texts(updated_index) for w in FastFragments._TOKEN.findall(t)}
    words |= {w for group in (corpus.FUNCTION_WORDS, corpus.DOMAIN_WORDS) for phrase in group for w in phrase.split()}
    assert len(words) > 1000
    bad = sorted(w for w in words if not _prefix_claim_holds(updated_index._ft, w))
    assert bad == []


@pytest.mark.parametrize("text", [
    "İstanbul staff formed a Pension mutual; PENSIONS and pensioners followed.",  # İ lower-cases to 2 chars
    "Straße ﬁnance: the PENSION fund. " * 3 + "ÀÉÎ pension",
    "pension " * 400,
    "e.g. pension-fund pension.fund pension*s *pension pension",
])
def test_snippets_of_unusual_texts_are_whooshs(updated_index, stock_ft, text):
    ft = updated_index._ft
    terms = ft.terms(ft.parse("pension OR fund OR istanbul"))
    fast = ft.snippet(text, terms)
    if len(text) <= FastFragments.WINDOW:
        assert fast == stock_ft.snippet(text, terms)
    assert fulltext.MARK_START in fast


def _dump(data) -> dict:
    """Everything a search can read from the index of ``data``: per term, its statistics and
    every posting; every stored field (each document's passage positions included); every
    document's field lengths."""
    e = Engine(data)
    try:
        return _dump_ft(e._ft)
    finally:
        e.close()


def _dump_ft(ft) -> dict:
    out = {}
    for name, s in (("documents", ft._searcher),):
        r = s.reader()
        terms = {}
        for fieldname, text in r.all_terms():
            ti = r.term_info(fieldname, text)
            m = r.postings(fieldname, text)
            posts = []
            while m.is_active():
                posts.append((m.id(), m.weight(), m.value()))
                m.next()
            terms[(fieldname, text)] = ((ti.doc_frequency(), ti.weight(), ti.min_length(), ti.max_length(),
                                         ti.max_weight(), ti.min_id(), ti.max_id()), posts)
        lengths = [(n, f, r.doc_field_length(n, f)) for n in range(r.doc_count_all())
                   for f in ("title", "text", "pathfinder", "source")]
        out[name] = (terms, list(r.all_stored_fields()), lengths, r.doc_count_all(), r.doc_count())
    return out


def test_the_fast_writer_writes_what_whooshs_writer_writes(seed_corpus, tmp_path, monkeypatch):
    (seed_corpus / "odd.md").write_text("# Café ünïcode STRASSE\n\n" + "e.g. gov.uk x*y 3.5 " * 50 + "\n\n" +
                                        FOLD_TEXT + "\n\n" + "public services " * 300, encoding="utf-8")
    for i in range(300):  # terms in more documents than a posting block holds (128)
        (seed_corpus / f"note-{i:03}.txt").write_text(f"Note {i}\n\nPublic services mutual number {i % 7}.\n",
                                                     encoding="utf-8")
    dumps = []
    for stock in (False, True):
        monkeypatch.setenv(fulltext.SHORTCUTS_ENV, "0" if stock else "1")
        data = tmp_path / f"data-{stock}"
        indexer.run(data, seed_corpus, workers=0)
        victim = seed_corpus / "odd.md"
        victim.write_text(victim.read_text(encoding="utf-8") + "\n\nA later note.\n", encoding="utf-8")
        indexer.run(data, seed_corpus, workers=0)  # a second segment, and a deletion
        victim.write_text(victim.read_text(encoding="utf-8").replace("\n\nA later note.\n", ""), encoding="utf-8")
        dumps.append(_dump(data))
    fast, stock = dumps
    assert fast["documents"][0].keys() == stock["documents"][0].keys()
    assert fast["documents"] == stock["documents"]
    assert len(fast["documents"][0]) > 1000
    words = [t.decode("utf-8") for (f, t) in fast["documents"][0] if f in ("title", "text", "pathfinder")]
    assert "ß" not in "".join(words) and all(w == w.casefold() for w in words)  # FoldFilter, both paths
    assert max(len(posts) for _stats, posts in fast["documents"][0].values()) > 300


# Words whose case folding differs from lower-casing (ß, ligatures, final sigma, title-case digraph)
FOLD_TEXT = "Straße STRASSE strasse ﬁnance FINANCE ΣΊΣΥΦΟΣ σίσυφος ǅemal Ǆemal the OF İstanbul"


@pytest.mark.parametrize("fieldname", ["text", "title", "pathfinder"])
@pytest.mark.parametrize("folding", [True, False])
def test_the_fast_analyser_gives_whooshs_terms(fieldname, folding, monkeypatch):
    """term_index.FastTerms gives the terms, weights and positions of the field's own analyser,
    with the fold filter (this version's schema) and without it (an index written before)."""
    from explorer.fulltext import schema
    from explorer.fulltext._shortcuts.term_index import FastTerms

    if not folding:
        monkeypatch.setattr(schema, "_folding", lambda analyzer: analyzer)
    field = schema.make_schema()[fieldname]
    kinds = [type(x) for x in field.analyzer.items]
    assert (schema.FoldFilter in kinds) is folding
    for value in (FOLD_TEXT, FOLD_TEXT.upper(), "e.g. gov.uk x*y 3.5 Café ünïcode " * 3, ""):
        fast = sorted(FastTerms(field).index(value))
        stock = sorted(field.index(value))
        assert fast == stock, value
    terms = {t.decode("utf-8") for t, *_ in FastTerms(field).index(FOLD_TEXT)}
    assert any("ß" in t for t in terms) is not folding  # lower() keeps ß; casefold() makes it ss


# --------------------------------------------------------------------------- the switch and the gate


def _entries(corpus) -> list[tuple[dict, list[tuple[int, int, int]], dict[str, list[str]]]]:
    """What the indexer hands the full-text writer, for every text file of ``corpus``."""
    from explorer.corpus.passages import passages

    out = []
    for i, path in enumerate(sorted(corpus.glob("*.txt"))):
        text = path.read_text(encoding="utf-8")
        spans = [(p.ordinal, p.start, p.end) for p in passages(text)]
        doc = {"doc_id": path.stem, "file": path.name, "title": text[spans[0][1]:spans[0][2]][:80], "text": text,
               "date": f"201{i % 4}-0{1 + i % 9}-1{i % 10}"}
        facets = {"pathfinder": [f"pathfinder {i % 5}"], "source": ["cabinet office" if i % 2 else "press"]}
        out.append((doc, spans, facets))
    return out


QUERIES = ["mutual", "public services", '"public services"', "staff OR employee", "pathfinder:0",
           'source:"cabinet office" mutual', "mutual*", "number NOT services", "date:2011"]


def _hits(ft, queries=QUERIES, digits: int = 9) -> dict:
    """Every query's hits (id, passage, score) at both levels, in rank order."""
    return {(q, level): [(m.doc_id, m.ordinal, round(m.score, digits)) for m in ft.search(ft.parse(q), level)]
            for q in queries for level in ("documents", "passages")}


def _shortcut_objects(ft=None, writer=None) -> list[str]:
    """The classes of every place a shortcut would sit, that are not whoosh's own."""
    found = []

    def note(obj):
        if not type(obj).__module__.startswith("whoosh."):
            found.append(f"{type(obj).__module__}.{type(obj).__qualname__}")

    if ft is not None:
        for ix, s in ((ft._ix, ft._searcher),):
            note(ix)  # mmap_view's index
            for sub, _offset in s.leaf_searchers():
                r = sub.reader()
                note(r._perdoc)  # doc_lengths
                note(r.segment())  # mmap_view's segment
                if r.segment().is_compound():
                    note(r._storage.a)  # mmap_view's compound storage
                    note(r._storage.a.open_file(r._storage.a.list()[0]))  # and its files
        if ft._fast is not None:  # fragments
            note(ft._fast)
        if ft._blocks is not None:
            found.append(ft._blocks.__name__)  # block_search
        pq = ft.parse('"public services" OR "staff mutual"~2 OR mutu* OR *vices')
        for q in (pq.q, pq.probe):  # phrase
            if q is not None:
                for leaf in q.leaves():
                    note(leaf)
    if writer is not None:
        if writer._entries._fast is not None:  # term_index, for the passages' word positions
            note(writer._entries._fast)
        for w in (writer._w,):
            note(w)  # segment_writer
            note(w.pool)  # posting_pool
            for part in ("_term_index", "_postings_block", "_mmap_view"):  # what the segment writer uses
                if getattr(w, part, None) is not None:
                    found.append(getattr(w, part).__name__)
            r = w.reader()  # what the writer reads to delete documents
            try:
                for leaf, _offset in r.leaf_readers():
                    note(leaf.segment())  # mmap_view, for the writer
                    note(leaf._storage.a)
            finally:
                r.close()
    return found


def test_the_switch_turns_every_shortcut_off(seed_corpus, tmp_path, monkeypatch):
    """With EXPLORER_WHOOSH_SHORTCUTS=0 nothing of explorer's sits inside whoosh: the reader,
    its segment readers, storage and files, the parsed queries, the snippets and both writers
    are whoosh's own classes. With it on, each place holds the shortcut (so this can fail)."""
    path = tmp_path / "ix"
    fulltext.create(path)
    with fulltext.Writer(path) as w:
        for entry in _entries(seed_corpus):
            w.add(*entry)
    for on in (True, False):
        monkeypatch.setenv(fulltext.SHORTCUTS_ENV, "1" if on else "0")
        assert _shortcuts.active() == {name: on for name in _shortcuts.WRITTEN_FOR}
        assert all((_shortcuts.load(name) is not None) == on for name in _shortcuts.WRITTEN_FOR)
        ft = fulltext.FullText(path)
        w = fulltext.Writer(path)
        try:
            found = _shortcut_objects(ft, w)
            builder = fulltext.SegmentBuilder(path)
            found += _shortcut_objects(writer=builder)
            builder.cancel()
        finally:
            w.cancel()
            ft.close()
        if on:
            assert {f.rsplit(".", 1)[1] for f in found} >= {
                "ViewIndex", "ViewSegment", "CachedPerDoc", "ViewCompoundStorage", "ViewFile", "FastFragments",
                "FastPhrase", "FastSegmentWriter", "FastTerms", "OncePrefix", "OnceWildcard", "ChunkedPostingPool", "term_index", "postings_block", "mmap_view",
                "block_search"}
        else:
            assert found == []


def test_set_shortcuts_is_the_switch(monkeypatch):
    monkeypatch.setenv(fulltext.SHORTCUTS_ENV, "1")
    fulltext.set_shortcuts(False)
    assert not any(_shortcuts.active().values())
    fulltext.set_shortcuts(True)
    assert all(_shortcuts.active().values())


def test_a_spilled_posting_pool_writes_what_whooshs_writer_writes(seed_corpus, tmp_path, monkeypatch):
    """The posting pool spills sorted runs to disk when it outgrows its memory limit (only
    past 48-256 MB in real use). With a limit of a few kilobytes, the shortcut writer (its own
    run format, and with over 128 runs whoosh's run-merging path too) must write exactly what
    whoosh's writer writes, and what it writes without spilling."""
    for i in range(300):  # terms in more documents than a posting block holds (128)
        (seed_corpus / f"note-{i:03}.txt").write_text(f"Note {i}\n\nPublic services mutual number {i % 7}.\n",
                                                     encoding="utf-8")
    entries = _entries(seed_corpus)
    built = {}
    for name, on, limitmb in (("fast-spilled", True, 0.005), ("stock-spilled", False, 0.005), ("fast", True, 256)):
        monkeypatch.setenv(fulltext.SHORTCUTS_ENV, "1" if on else "0")
        path = tmp_path / name
        fulltext.create(path)
        w = fulltext.Writer(path, limitmb=limitmb)
        for entry in entries:
            w.add(*entry)
        runs = [len(w._w.pool.runs)]
        w.commit()
        monkeypatch.setenv(fulltext.SHORTCUTS_ENV, "0")  # read all three alike, with whoosh's reader
        ft = fulltext.FullText(path)
        try:
            built[name] = (runs, _dump_ft(ft), _hits(ft))
        finally:
            ft.close()
    assert built["fast"][0] == [0]
    # (the two pools estimate a posting's size a little differently, so their run counts differ)
    assert min(built["fast-spilled"][0]) > 128 and min(built["stock-spilled"][0]) > 128
    for name in ("stock-spilled", "fast"):
        assert built["fast-spilled"][1] == built[name][1], name
        assert built["fast-spilled"][2] == built[name][2], name
    hits = built["fast"][2]
    assert sum(bool(h) for h in hits.values()) > len(hits) * 3 // 4
    assert len(hits[("mutual", "passages")]) > 300


def test_worker_processes_give_the_same_hits_and_scores(seed_corpus, tmp_path):
    """Several worker processes each write their own segments, committed together: every text
    query finds the same hits with the same scores as the one-process build."""
    for i in range(60):
        (seed_corpus / f"note-{i:03}.txt").write_text(
            f"Note {i}\n\nPublic services mutual number {i % 7}; staff {i % 3} spun out.\n", encoding="utf-8")
    a, b = tmp_path / "a", tmp_path / "b"
    indexer.run(a, seed_corpus, workers=0)
    indexer.run(b, seed_corpus, workers=2)
    ea, eb = Engine(a), Engine(b)
    try:
        queries = [*QUERIES, *_phrases(ea, 2, seed=5)]
        one, many = _hits(ea._ft, queries, 6), _hits(eb._ft, queries, 6)
        for key in one:  # equal scores may come in either order: document numbers differ
            assert sorted(one[key], key=str) == sorted(many[key], key=str), key
            assert [s for *_, s in one[key]] == [s for *_, s in many[key]], key
        assert sum(len(h) for h in one.values()) > 500
        terms = ea._ft.terms(ea._ft.parse("public services mutual"))
        for doc_id in sorted({d for d, _o, _s in one[("mutual", "documents")]})[:20]:
            text = ea.document(doc_id)["text"]
            assert ea._ft.snippet(text, terms) == eb._ft.snippet(text, terms)
    finally:
        ea.close()
        eb.close()


@pytest.mark.parametrize("mismatch", ["whoosh version", "distribution version"])
def test_another_whoosh_version_gets_stock_whoosh_and_one_warning(seed_corpus, tmp_path, monkeypatch, mismatch):
    """The shortcuts copy whoosh 2.7.5's code. Under any other version (simulated here) the
    index is written and read by stock whoosh, finds the same hits with the same scores, and
    the process says so in one warning, however often a shortcut is asked for."""
    import whoosh

    data_ok, data_other = tmp_path / "ok", tmp_path / "other"
    indexer.run(data_ok, seed_corpus, workers=0)
    e = Engine(data_ok)
    try:
        expected = (_hits(e._ft), _dump_ft(e._ft))
    finally:
        e.close()

    monkeypatch.setattr(_shortcuts, "_warned", False)
    if mismatch == "whoosh version":
        monkeypatch.setattr(whoosh, "__version__", (2, 7, 6))
    else:
        monkeypatch.setattr(_shortcuts, "_distribution_version", lambda: "2.7.4")
    with pytest.warns(RuntimeWarning) as caught:
        indexer.run(data_other, seed_corpus, workers=0)
        e = Engine(data_other)
        try:
            w = fulltext.Writer(e._ft.path)
            try:
                assert _shortcut_objects(e._ft, w) == []
            finally:
                w.cancel()
            got = (_hits(e._ft), _dump_ft(e._ft))
            terms = e._ft.terms(e._ft.parse("mutual"))
            assert e._ft.snippet(e.document(expected[0][("mutual", "documents")][0][0])["text"], terms)
        finally:
            e.close()
    assert len(caught) == 1, [str(w.message) for w in caught]
    message = str(caught[0].message)
    assert "\n" not in message and "2.7.5" in message and "stock whoosh" in message
    assert ("2.7.6" if mismatch == "whoosh version" else "2.7.4") in message
    assert not any(_shortcuts.active().values())
    assert got == expected
