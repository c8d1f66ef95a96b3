"""whoosh's SegmentWriter with shortcuts, writing the same segments (a shortcut, see the
package docstring)."""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import W3FieldWriter
from whoosh.fields import TEXT
from whoosh.index import FileIndex
from whoosh.writing import SegmentWriter

from explorer.fulltext import _shortcuts


class FastSegmentWriter(SegmentWriter):  # type: ignore[misc]  # whoosh is untyped: its classes are Any
    """whoosh's SegmentWriter with shortcuts, same output: text fields analysed by
    ``term_index.FastTerms`` and added to the pool in bulk, runs spilled by
    ``posting_pool.ChunkedPostingPool``, postings written by ``postings_block``, and the
    existing segments it reads (to find what to delete) read through ``mmap_view`` (each of
    those only where its own check in :func:`_shortcuts.load` allows it)."""

    def __init__(self, ix: Any, limitmb: int = 128, **kwargs: Any) -> None:
        super().__init__(ix, limitmb=limitmb, **kwargs)
        pools = _shortcuts.load("posting_pool")
        if pools is not None:
            self.pool = pools.ChunkedPostingPool(self._tempstorage, self.newsegment, limitmb=limitmb)
        self._term_index = _shortcuts.load("term_index")
        self._postings_block = _shortcuts.load("postings_block")
        self._mmap_view = _shortcuts.load("mmap_view")
        self._fast: dict[str, Any] = {}  # fieldname -> its FastTerms, or None

    def reader(self, reuse: Any = None) -> Any:
        view = self._mmap_view
        if view is None:
            return super().reader(reuse=reuse)
        # whoosh.writing.SegmentWriter.reader (2.7.5), with the segments wrapped for reading
        self._check_state()
        return FileIndex._reader(self.storage, self.schema, view.view_segments(self.segments), self.generation,
                                 reuse=reuse)

    def _fast_terms(self, fieldname: str, field: Any) -> Any:
        cache = self._fast
        if fieldname not in cache:
            term_index = self._term_index
            try:
                usable = term_index is not None and isinstance(field, TEXT)
                cache[fieldname] = term_index.FastTerms(field) if term_index is not None and usable else None
            except TypeError:  # a field set up otherwise: whoosh's own analysis
                cache[fieldname] = None
        return cache[fieldname]

    def add_document(self, **fields: Any) -> None:
        # whoosh.writing.SegmentWriter.add_document (2.7.5), except where marked
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        add_post = self.pool.add

        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields.keys() if not name.startswith("_")])
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]

                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    fast = self._fast_terms(fieldname, field) if isinstance(value, str) else None  # marked
                    items = fields.get(f"_analysed_{fieldname}")  # marked: analysed by the caller (FastTerms)
                    if items is None or fast is None:  # marked
                        items = fast.index(value) if fast is not None else field.index(value)  # marked
                    scorable = field.scorable
                    if fast is not None:  # marked: the pool's add() in bulk (same postings)
                        pool = self.pool
                        current = pool.current
                        size = 0
                        base = 150 + len(fieldname)
                        for tbytes, freq, weight, vbytes in items:
                            if scorable:
                                length += freq
                            current.append((fieldname, tbytes, docnum, weight * fieldboost, vbytes))
                            size += base + 2 * len(tbytes) + len(vbytes)
                        if items:
                            pool.fieldnames.add(fieldname)
                            pool.currentsize += size
                            if pool.currentsize > pool.limit:
                                pool.save()
                        items = ()
                    for tbytes, freq, weight, vbytes in items:
                        weight *= fieldboost
                        if scorable:
                            length += freq
                        add_post((fieldname, tbytes, docnum, weight, vbytes))

                if field.separate_spelling():
                    spellfield = field.spelling_fieldname(fieldname)
                    for word in field.spellable_words(value):
                        word = word.encode("utf-8")
                        add_post((spellfield, word, 0, 1, vbytes))

                vformat = field.vector
                if vformat:
                    analyzer = field.analyzer
                    vitems = vformat.word_values(value, analyzer, mode="index")
                    vitems = sorted((text, weight, vbytes) for text, _, weight, vbytes in vitems)
                    perdocwriter.add_vector_items(fieldname, field, vitems)

                customval = fields.get(f"_stored_{fieldname}", value)
                sv = customval if field.stored else None
                perdocwriter.add_field(fieldname, field, sv, length)

                column = field.column_type
                if column and customval is not None:
                    cv = field.to_column_value(customval)
                    perdocwriter.add_column_value(fieldname, column, cv)
        except Exception as ex:
            perdocwriter.cancel_doc()
            raise ex

        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1

    def _flush_segment(self) -> Any:
        self.perdocwriter.close()
        pdr = self.per_document_reader() if self.codec.length_stats else None
        postings = self.pool.iter_postings()
        block = self._postings_block
        if block is not None and type(self.fieldwriter) is W3FieldWriter:
            block.write_postings(self.fieldwriter, self.schema, block.Lengths(pdr) if pdr else None, postings)
        else:
            self.fieldwriter.add_postings(self.schema, pdr, postings)
        self.fieldwriter.close()
        if pdr:
            pdr.close()
