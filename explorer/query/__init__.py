"""Query (text + facet selections + level + sort) -> ResultSet. The one entry point the CLI,
the GUI's engine process and export use to ask the index anything.

- ``syntax``: lenient reading of the query text (sanitise), snippet markup
- ``facets``: the documents of an index generation as bitmasks, for selecting and counting
- ``engine``: :class:`Engine`, an open index answering queries, and one-shot :func:`search`

The value types (``Query``, ``ResultSet``, ...) live in explorer.model and are re-exported
here, as they always were.
"""

from explorer.model import (
    DATE_KEY,
    FACET_KEYS,
    LEVELS,
    MAX_QUERY_CHARS,
    SNIPPET_CHARS,
    SORTS,
    FacetValue,
    Hit,
    IndexDamaged,
    NoIndex,
    PathfinderRow,
    Query,
    QueryError,
    ResultSet,
    marked_to_html,
    marked_to_plain,
    parse_date_range,
)
from explorer.query.engine import Engine, search
from explorer.query.syntax import sanitise

__all__ = ["DATE_KEY", "FACET_KEYS", "LEVELS", "MAX_QUERY_CHARS", "SNIPPET_CHARS", "SORTS", "Engine", "FacetValue", "Hit",
           "IndexDamaged", "NoIndex", "PathfinderRow", "Query", "QueryError", "ResultSet", "marked_to_html",
           "marked_to_plain", "parse_date_range", "sanitise", "search"]
