"""The full-text index: the ONLY package that imports whoosh.

It opens or creates an index directory, writes documents (each word once, with its positions;
a document also stores where its passages lie), parses queries, runs searches at the document
and the passage level (returning plain ids and scores), makes snippets and finds query terms
in a text.

    schema      the fields of the one index of a directory
    directory   index directories on disk (create, clone, check) and their commits
    writer      Writer (one commit) and SegmentBuilder (a worker process's segments)
    reader      FullText: a directory's long-lived searcher, parse, search, scores, terms
    passages    passage-level answers from the documents' word positions
    highlight   snippets and term spans, with MARK_START / MARK_END around matches
    _shortcuts  private: faster copies of pieces of whoosh 2.7.5, used only on that version
                and while the switch is on (EXPLORER_WHOOSH_SHORTCUTS, set_shortcuts)
"""

from explorer.fulltext._shortcuts import ENV as SHORTCUTS_ENV
from explorer.fulltext._shortcuts import set_shortcuts
from explorer.fulltext.directory import MAX_SEGMENTS, check, clone, create, outdated
from explorer.fulltext.highlight import MARK_END, MARK_START, SNIPPET_FIELDS
from explorer.fulltext.reader import FullText, FullTextError, ParsedQuery
from explorer.fulltext.schema import QUERY_FIELDS, FoldFilter, stop_words
from explorer.fulltext.writer import SegmentBuilder, Writer

__all__ = [
    "MARK_END",
    "MARK_START",
    "MAX_SEGMENTS",
    "QUERY_FIELDS",
    "SHORTCUTS_ENV",
    "SNIPPET_FIELDS",
    "FoldFilter",
    "FullText",
    "FullTextError",
    "ParsedQuery",
    "SegmentBuilder",
    "Writer",
    "check",
    "clone",
    "create",
    "outdated",
    "set_shortcuts",
    "stop_words",
]
