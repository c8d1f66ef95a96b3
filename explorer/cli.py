"""Command-line interface. Thin: parse, call the core, print. Exit codes: 0 ok; 1 no index,
bad input or a failed run; 2 a command line that cannot be parsed (unknown option, bad option
value). Always a one-line message and never a traceback.

Table and text output goes through :func:`inert`: titles, names and document text come from
files and pages we do not control, and must not drive the terminal (clear the screen, set the
window title, write the clipboard, fake a hyperlink, reverse the text). JSON and CSV stay exact."""

from __future__ import annotations

import contextlib
import difflib
import json
import math
import os
import re
import shutil
import signal
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from explorer import __version__, indexer, paths
from explorer.corpus.read import Limits, html_extractor_problem
from explorer.export import EXPORT_LEVELS, ExportError, check_target, export_rows, rows_for, to_csv_text
from explorer.export import export as export_csv
from explorer.model import EDITABLE_KINDS, FACET_KEYS, LEVELS, SORTS, NoIndex, Query, QueryError, plural
from explorer.query import Engine
from explorer.store import StoreError


class UserError(click.ClickException):
    exit_code = 1

    def show(self, file=None) -> None:
        click.echo(f"explorer: {inert(self.message)}", err=True)


# C0 controls but newline and tab, DEL, C1 controls (U+0080-U+009F: U+009B is a one-character
# CSI, U+009D an OSC) and the bidi embeddings, overrides and isolates. Escaping ESC (and the
# one-character introducers) leaves the rest of any sequence as plain, inert text.
_UNSAFE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def inert(text: object) -> str:
    """``text`` safe to write to a terminal: each control character that could move the cursor,
    start an escape sequence or reorder the line is shown escaped (``\\x1b``, ``\\u202e``)."""
    s = "" if text is None else str(text)
    return _UNSAFE_RE.sub(lambda m: repr(m.group())[1:-1], s)


def _say(text: object = "", err: bool = False) -> None:
    """One line (or block) of table or text output, made inert."""
    click.echo(inert(text), err=err)


def _fail(msg: str) -> NoReturn:
    raise UserError(msg)


def _one_line(name: str) -> str:
    """A file name as one printable line: a newline or other control character in the name is
    shown escaped (as Python would write it), so one skipped file is always one line."""
    if name.isprintable():
        return name
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in name)


# --------------------------------------------------------------------------- shared options


def query_options(fn):
    fn = click.option("--facet", "-f", "facets", multiple=True, metavar="KEY=VALUE",
                      help=f"Filter by facet; repeat a key to OR values, use several keys to AND them. "
                           f"Keys: {', '.join(FACET_KEYS)}, and date=FROM..TO (YYYY[-MM[-DD]], either end open).")(fn)
    fn = click.argument("query", required=False, default="")(fn)
    return fn


def level_option(choices=LEVELS, default="documents"):
    return click.option("--level", type=click.Choice(choices), default=default, show_default=True,
                        help="What a row is.")


def _engine(ctx: click.Context) -> Engine:
    try:
        return Engine(ctx.obj["data"])
    except NoIndex as exc:
        _fail(str(exc))
    raise AssertionError


def _query(query: str, facets: tuple[str, ...], **kw) -> Query:
    try:
        return Query.from_pairs(query, list(facets), **kw)
    except QueryError as exc:
        _fail(str(exc))
    raise AssertionError


def _search(engine: Engine, q: Query):
    try:
        result = engine.search(q)
    except QueryError as exc:
        _fail(str(exc))
    if result.total == 0 and q.facets:
        _check_facet_values(engine, q.facets)
    return result


def _check_facet_values(engine: Engine, facets: dict[str, list[str]]) -> None:
    """Nothing matched: if a facet value is in no document at all, say so and name the nearest."""
    known = engine.search(Query("", limit=1)).facets
    for key, values in facets.items():
        names = [v.value for v in known.get(key, [])]
        by_fold = {n.casefold(): n for n in names}
        for value in values:
            if value.casefold() in by_fold:
                continue
            close = difflib.get_close_matches(value.casefold(), list(by_fold), n=1, cutoff=0.6)
            hint = f"; did you mean {by_fold[close[0]]}?" if close else " (`explorer facets` lists the values)"
            _fail(f"no {key} {value!r} in the index{hint}")


# --------------------------------------------------------------------------- group


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help=f"Where the index lives (default: ${paths.ENV_DATA_DIR} or the platform's user data dir).")
@click.version_option(__version__, prog_name="explorer")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """Pathfinder Explorer: search and browse texts about the UK's 2010 pathfinder mutuals.

    With no command, opens the desktop application.
    """
    ctx.ensure_object(dict)
    ctx.obj["data"] = paths.data_dir(data_dir)
    if ctx.invoked_subcommand is None:
        ctx.invoke(gui)


# --------------------------------------------------------------------------- index


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP arrived: unwind as Ctrl+C does (the run cancels, its worker processes
    are stopped and its half-written files removed) instead of dying on the spot and leaving
    the workers running, holding our standard output open (``explorer index | tee log``)."""


@contextlib.contextmanager
def _stop_on_signals():
    def stop(signum, _frame):
        raise Stopped(signal.Signals(signum).name)

    old = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            with contextlib.suppress(ValueError, OSError):  # not the main thread (an embedding caller)
                old[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _memory_bytes() -> int | None:
    """The machine's physical memory, where the platform says."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _max_size(mb: float) -> float:
    """``--max-size`` in MB: a finite number above 0.001 MB and no larger than memory (a limit
    no file can be read within would skip every file and empty the index)."""
    if not math.isfinite(mb) or mb < 0.001:
        raise click.BadParameter(f"{mb} is not a size in MB (a number from 0.001 up)", param_hint="'--max-size'")
    memory = _memory_bytes()
    if memory and mb * 1024 * 1024 > memory:
        raise click.BadParameter(f"{mb:g} MB is more than this machine's memory ({memory / 1024 / 1024:,.0f} MB)",
                                 param_hint="'--max-size'")
    return mb


@cli.command()
@click.option("--corpus", type=click.Path(path_type=Path), default=None,
              help="Folder of .txt/.md/.html files (default: the folder indexed last, else the bundled seeds).")
@click.option("--rebuild", is_flag=True, help="Re-read every file instead of only new and changed ones.")
@click.option("--max-size", type=float, default=Limits().max_bytes / 1024 / 1024, callback=lambda c, p, v: _max_size(v),
              show_default=True, help="Skip files larger than this many MB (at most the machine's memory).")
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help="Processes that read and tag files (0 = in this process; default: by corpus size).")
@click.option("--follow-outside-links", is_flag=True,
              help="Index links to files outside the corpus folder too (skipped by default).")
@click.option("--quiet", "-q", is_flag=True, help="Print only the summary line.")
@click.pass_context
def index(ctx: click.Context, corpus: Path | None, rebuild: bool, max_size: float, workers: int | None,
          follow_outside_links: bool, quiet: bool) -> None:
    """Index a corpus folder (incremental: only new, changed and removed files are processed)."""
    data = ctx.obj["data"]
    if corpus is not None and not corpus.is_dir():
        _fail(f"corpus folder not found: {corpus}")
    bar: Any = None  # click's ProgressBar, entered by hand
    show_bar = not quiet and sys.stderr.isatty()

    def progress(done: int, total: int, current: str) -> None:
        nonlocal bar
        if not show_bar:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="Indexing", file=sys.stderr, show_pos=True,
                                    item_show_func=lambda _: None)
            bar.__enter__()
        bar.update(1)

    limits = Limits(max_bytes=int(max_size * 1024 * 1024))
    try:
        with _stop_on_signals():
            summary = indexer.run(data, corpus, rebuild=rebuild, progress=progress, limits=limits, workers=workers,
                                  outside_links=follow_outside_links)
    except indexer.IndexBuildError as exc:
        _fail(str(exc))
    except StoreError as exc:
        _fail(str(exc))
    except Stopped as exc:
        _fail(f"stopped by {exc.args[0]}; the previous index is unchanged")
    except KeyboardInterrupt:
        _fail("interrupted; the previous index is unchanged")
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    _say(summary.line())
    problem = html_extractor_problem()
    if problem:  # loud even with --quiet: every HTML page lost its main-text extraction
        _say(f"WARNING: the HTML extractor (trafilatura) cannot be loaded ({problem}); HTML pages "
             f"were read with the plain fallback, without title, date or author. Repair the install: "
             f"pip install --force-reinstall trafilatura lxml_html_clean")
    if not quiet:
        for note in summary.notes:
            _say(f"  note: {note}")
        for s in summary.skipped:
            _say(f"  skipped: {_one_line(s.path)}: {s.reason}")


# --------------------------------------------------------------------------- search


@cli.command()
@query_options
@level_option()
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(min=0), default=20, show_default=True, help="Rows to show (0 = all).")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Rows to skip (paging).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.pass_context
def search(ctx, query, facets, level, sort, limit, offset, fmt) -> None:
    """Search the index for QUERY; facets (-f KEY=VALUE) narrow it.

    \b
    Query syntax:
      mutual health                   both words (stemmed: mutuals finds mutual)
      "social enterprise"             the exact phrase
      nhs OR health                   either word
      mutual NOT nhs                  the first word without the second
      (youth OR children) AND care    group with parentheses
      employ*                         words starting with employ
      title:maude                     one field: title, text, pathfinder, mentor,
                                      region, sector, source, author
      date:2010-08, date:[2010 to 2011]   dates and date ranges
    """
    engine = _engine(ctx)
    try:
        q = _query(query, facets, level=level, sort=sort, limit=limit or None, offset=offset)
        result = _search(engine, q)
        if fmt == "json":
            click.echo(json.dumps([h.as_dict() for h in result.hits], ensure_ascii=False, indent=2))
        elif fmt == "csv":
            header, rows = rows_for(engine, result, level)
            click.echo(to_csv_text(header, rows), nl=False, color=True)  # color: exact, no ANSI stripping
        else:
            _print_table(result)
        for note in result.notes:
            _say(f"note: {note}", err=True)
    finally:
        engine.close()


def _fit(indent: int, text: str, width: int) -> str:
    """One output line: ``text`` on one line, cut at a word to fit ``width`` after ``indent``,
    made inert for the terminal."""
    text = inert(" ".join(text.splitlines()))
    room = max(20, width - indent)
    if len(text) > room:
        cut = text[: room - 2]
        text = (cut.rsplit(" ", 1)[0] if " " in cut else cut) + " …"
    return " " * indent + text


def _print_table(result) -> None:
    width = max(60, min(shutil.get_terminal_size((100, 20)).columns, 140))
    shown = len(result.hits)
    more = f" (showing {result.query.offset + 1}-{result.query.offset + shown})" if shown < result.total and shown else ""
    query = f" for {result.read_as!r}" if result.read_as else ""
    _say(f"{result.total} {result.unit()}{query}{more} [{result.elapsed_ms:.0f} ms]")
    if result.level == "pathfinders":
        for r in result.hits:
            docs = plural(r.documents, "doc")
            click.echo(_fit(2, f"{docs:>8}  {r.name}  [{', '.join(r.sectors)}; {', '.join(r.regions) or 'national'}]", width))
            if r.documents:  # sources are publishers (as the source facet counts them); titles apart
                named = "none named" if not r.sources else "; ".join(r.sources)
                unsourced = f" (and {plural(r.unsourced, 'doc')} naming none)" if r.sources and r.unsourced else ""
                click.echo(_fit(12, f"{'source' if len(r.sources) == 1 else 'sources'}: {named}{unsourced}", width))
                click.echo(_fit(12, "documents: " + "; ".join(r.titles), width))
        return
    for h in result.hits:
        ref = h.doc_id + (f" ¶{h.passage}" if h.passage is not None else "")
        click.echo(_fit(2, f"{h.date or 'undated':10}  {h.title}", width))
        meta = [ref]
        if h.source:
            meta.append(h.source)
        if h.pathfinders:
            meta.append("pathfinders: " + ", ".join(p["name"] for p in h.pathfinders))
        click.echo(_fit(14, " | ".join(meta), width))
        if h.snippet:
            click.echo(_fit(14, h.snippet, width))


# --------------------------------------------------------------------------- facets


@cli.command()
@query_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def facets(ctx, query, facets, fmt) -> None:
    """Facet counts over the documents matching QUERY and the facet selections."""
    engine = _engine(ctx)
    try:
        result = _search(engine, _query(query, facets, limit=0, dates_by_source=fmt == "json"))
        if fmt == "json":
            click.echo(json.dumps({
                "total": result.total,
                "facets": {k: [{"value": v.value, "count": v.count, "selected": v.selected} for v in vs]
                           for k, vs in result.facets.items()},
                "date": [{"bucket": d, "count": n} for d, n in result.dates],
                # the timeline stacked by source: "date" per source (null: no source stated)
                "date_by_source": [{"source": s, "bucket": d, "count": n}
                                   for s, hist in result.source_dates.items() for d, n in hist],
            }, ensure_ascii=False, indent=2))
        else:
            _say(f"{result.total} {result.unit()}")
            for key, values in result.facets.items():
                _say(f"\n{key}")
                if not values:
                    _say("  (none)")
                for v in values:
                    mark = "*" if v.selected else " "
                    _say(f" {mark}{v.count:>5}  {v.value}")
            _say("\ndates")
            if not result.dates:
                _say("  (none)")
            for d, n in result.dates:
                _say(f"  {n:>5}  {d or 'no date'}")
        for note in result.notes:
            _say(f"note: {note}", err=True)
    finally:
        engine.close()


# --------------------------------------------------------------------------- chart


@cli.command()
@click.argument("kind", type=click.Choice(["bars", "timeline", "map"]))
@query_options
@click.option("--key", type=click.Choice(FACET_KEYS), default="sector", show_default=True,
              help="The facet a bar chart counts by.")
@click.option("--by-source", is_flag=True, help="Stack the timeline's bars by source (the top sources, then the others).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Picture to write: FILE.png or FILE.svg (written atomically).")
@click.pass_context
def chart(ctx, kind, query, facets, key, by_source, output) -> None:
    """Draw a chart of the documents matching QUERY and the facets: `bars` (counts by --key),
    `timeline` (documents by date, --by-source to stack them) or `map` (a tile map of the UK
    regions), as the desktop app draws it (headless)."""
    if output.suffix.lower() not in (".png", ".svg"):
        _fail(f"--output must end in .png or .svg, got {output.name!r}")
    if by_source and kind != "timeline":
        _fail(f"--by-source stacks the timeline; a {kind} chart has no stacks")
    try:
        check_target(output)  # before the search: a refused target costs nothing
    except ExportError as exc:
        _fail(str(exc))
    engine = _engine(ctx)
    try:
        result = _search(engine, _query(query, facets, limit=0, dates_by_source=by_source))
    finally:
        engine.close()
    try:
        from explorer.gui.charts.render import render
    except ImportError as exc:
        _fail(f"charts need PySide6 ({exc}); install with: pip install 'pathfinder-explorer[gui]'")
    try:
        render(result, kind, output, key=key, by_source=by_source)
    except (ExportError, ValueError) as exc:
        _fail(str(exc))
    _say(f"wrote {output}")
    for note in result.notes:
        _say(f"note: {note}", err=True)


# --------------------------------------------------------------------------- export


@cli.command()
@query_options
@level_option(EXPORT_LEVELS)
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), required=True,
              help="CSV file to write (written atomically; a regular file only), or - for standard output.")
@click.option("--bom", is_flag=True, help="Start the file with a UTF-8 byte-order mark (for Excel).")
@click.pass_context
def export(ctx, query, facets, level, sort, output, bom) -> None:
    """Export every result of QUERY + facets to CSV: documents, passages, mentions (with
    provenance) or pathfinders."""
    engine = _engine(ctx)
    try:
        q = _query(query, facets, level=level if level in LEVELS else "documents", sort=sort, limit=None)
        try:
            if str(output) == "-":
                header, rows = export_rows(engine, q, level=level)
                text = ("\ufeff" if bom else "") + to_csv_text(header, rows)
                click.echo(text, nl=False, color=True)  # color: exact, no ANSI stripping
                _say(f"Exported {len(rows)} rows to standard output", err=True)
                return
            n = export_csv(engine, q, output, level=level, bom=bom)
        except (ExportError, QueryError) as exc:
            _fail(str(exc))
        _say(f"Exported {n} rows to {output}")
    finally:
        engine.close()


# --------------------------------------------------------------------------- show


@cli.command()
@click.argument("doc_id")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def show(ctx, doc_id, fmt) -> None:
    """Show one document: metadata, text, and the mentions behind its tags."""
    engine = _engine(ctx)
    try:
        d = engine.document(doc_id)
        if d is None:
            _fail(f"no document {doc_id!r} (ids look like 004_a8f8493ae2678e73#3; see `explorer search`)")
        if fmt == "json":
            click.echo(json.dumps(d, ensure_ascii=False, indent=2))
            return
        _say(d["title"])
        _say("=" * min(len(d["title"]), 100))
        for label, key in (("Source", "source"), ("Author", "author"), ("Date", "date"), ("URL", "url"), ("File", "path")):
            if d.get(key):
                _say(f"{label + ':':8} {_one_line(str(d[key]))}")
        for label, key in (("Pathfinders", "pathfinders"), ("Mentors", "mentors"), ("Regions", "regions"), ("Sectors", "sectors")):
            vals = [p["name"] for p in d[key]] if key == "pathfinders" else d[key]
            if vals:
                _say(f"{label + ':':12} {', '.join(vals)}")
        _say("")
        _say(d["text"])
        if d["mentions"]:
            _say("\nMentions (kind, entity, passage, offsets, text):")
            for m in d["mentions"]:
                role = f"  [{m['role']}]" if m.get("role") else ""
                where = "title" if m["passage"] is None else f"¶{m['passage']}"  # the title line is no passage
                _say(f"  {m['kind']:12} {m['name'] or m['entity']:45} {where:<5} {m['start']}-{m['end']}  "
                     f"{m['surface']!r}{role}")
    finally:
        engine.close()


# --------------------------------------------------------------------------- stats


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.pass_context
def stats(ctx, fmt) -> None:
    """What is in the index: corpus, counts, skipped files, size."""
    engine = _engine(ctx)
    try:
        s = engine.stats()
        s["data_dir"] = str(ctx.obj["data"])
        if fmt == "json":
            click.echo(json.dumps(s, ensure_ascii=False, indent=2))
            return
        _say(f"Data dir:      {s['data_dir']}")
        _say(f"Corpus:        {s['corpus']}")
        _say(f"Last indexed:  {s['last_indexed']}")
        _say(f"Files:         {s['files_indexed']} indexed, {s['files_skipped']} skipped")
        _say(f"Documents:     {s['documents']}")
        _say(f"Passages:      {s['passages']}")
        kinds = ", ".join(f"{n} {k}" for k, n in sorted(s["mentions_by_kind"].items()))
        _say(f"Mentions:      {s['mentions']} ({kinds})")
        _say(f"Index size:    {s['index_bytes'] / 1024 / 1024:.1f} MB")
        for f in s["skipped"]:
            _say(f"  skipped: {_one_line(f['path'])}: {f['reason']}")
    finally:
        engine.close()


# --------------------------------------------------------------------------- knowledge


@cli.group()
def knowledge() -> None:
    """Correct the knowledge base: aliases, entities, wrong mentions; list, undo, share.

    Corrections are saved in the override file in the data dir (taxonomy.toml) and applied
    before the command returns, by re-tagging only the documents they can affect. --dry-run
    shows how many mentions a change would add and remove and the facet values (a region, a
    sector...) its documents would gain and lose, and saves nothing.
    """


_DRY_RUN = click.option("--dry-run", is_flag=True, help="Show the mentions and facet values it would add and remove; save nothing.")


def _apply(ctx: click.Context, make, dry_run: bool = False) -> None:
    """Make a correction (``make(corrections, data)``), then preview or apply it."""
    # the knowledge commands load corrections (and the taxonomy it reads) themselves: a search,
    # the command most often run, starts without them
    from explorer.knowledge import corrections

    data = ctx.obj["data"]
    try:
        change = make(corrections, data)
    except corrections.CorrectionError as exc:
        _fail(str(exc))
    try:
        from explorer import retag  # (here: it loads the whole indexer, which a search does not need)

        if dry_run:
            done = retag.preview(data, change)
            _say(f"{change.description} (dry run: nothing saved)")
        else:
            done = retag.apply(data, change)  # saves it first
            _say(f"{change.description}; saved in {corrections.override_path(data)}")
    except corrections.CorrectionError as exc:
        _fail(str(exc))
    except indexer.IndexBuildError as exc:
        _fail(f"not counted ({exc})" if dry_run else f"saved, but not applied now ({exc}); `explorer index` will apply it")
    for note in change.notes:
        _say(f"  {note}")
    _say(done.line())


@knowledge.command("add-alias")
@click.argument("entity_id")
@click.argument("alias")
@_DRY_RUN
@click.pass_context
def knowledge_add_alias(ctx, entity_id, alias, dry_run) -> None:
    """Add ALIAS as a name of ENTITY_ID (an id such as kpmg, or KIND:ID such as mentor:kpmg)."""
    _apply(ctx, lambda c, data: c.add_alias(data, entity_id, alias), dry_run)


@knowledge.command("remove-alias")
@click.argument("entity_id")
@click.argument("alias")
@_DRY_RUN
@click.pass_context
def knowledge_remove_alias(ctx, entity_id, alias, dry_run) -> None:
    """Stop recognising ALIAS as a name of ENTITY_ID (a bundled alias too)."""
    _apply(ctx, lambda c, data: c.remove_alias(data, entity_id, alias), dry_run)


@knowledge.command("add-entity")
@click.argument("kind", type=click.Choice(EDITABLE_KINDS))
@click.argument("entity_id")
@click.argument("name")
@click.option("--region", default=None, help="One of the 12 regions (required for a place).")
@click.option("--alias", "aliases", multiple=True, help="Another name; repeat for more.")
@_DRY_RUN
@click.pass_context
def knowledge_add_entity(ctx, kind, entity_id, name, region, aliases, dry_run) -> None:
    """Add a new organisation, mentor or place."""
    _apply(ctx, lambda c, data: c.add_entity(data, kind, entity_id, name, region, list(aliases)), dry_run)


@knowledge.command("edit-entity")
@click.argument("entity_id")
@click.option("--name", default=None, help="A new name (the old one stays an alias, so no mention is lost).")
@click.option("--region", default=None, help="A new region (places and pathfinders), one of the 12.")
@_DRY_RUN
@click.pass_context
def knowledge_edit_entity(ctx, entity_id, name, region, dry_run) -> None:
    """Rename ENTITY_ID or move it to another region (any entity, built-in or yours)."""
    _apply(ctx, lambda c, data: c.edit_entity(data, entity_id, name, region), dry_run)


@knowledge.command("remove-entity")
@click.argument("entity_id")
@_DRY_RUN
@click.pass_context
def knowledge_remove_entity(ctx, entity_id, dry_run) -> None:
    """Remove an entity you added; a built-in one is hidden (`undo` brings it back)."""
    _apply(ctx, lambda c, data: c.remove_entity(data, entity_id), dry_run)


@knowledge.command("reject")
@click.argument("doc_id")
@click.argument("start", type=int)
@click.argument("end", type=int)
@_DRY_RUN
@click.pass_context
def knowledge_reject(ctx, doc_id, start, end, dry_run) -> None:
    """Mark the mention at START-END of DOC_ID as wrong (offsets as `explorer show` prints them)."""
    engine = _engine(ctx)
    try:
        if engine.store.document(doc_id) is None:
            _fail(f"no document {doc_id!r} (see `explorer search`)")
        m = engine.store.mention_at(doc_id, start, end)
    finally:
        engine.close()
    if m is None:
        _fail(f"no mention at {start}-{end} in {doc_id} (see `explorer show {doc_id}`)")
    _apply(ctx, lambda c, data: c.reject(data, doc_id, start, end, m["entity"], m["surface"]), dry_run)


@knowledge.command("undo")
@click.argument("number", type=int)
@_DRY_RUN
@click.pass_context
def knowledge_undo(ctx, number, dry_run) -> None:
    """Take back correction NUMBER of `knowledge list` (a rejected mention comes back; an added
    entity goes with its aliases; a hidden one shows again)."""
    _apply(ctx, lambda c, data: c.undo(data, number), dry_run)


@knowledge.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="List every entity and its names, not only your corrections.")
@click.pass_context
def knowledge_list(ctx, fmt, show_all) -> None:
    """Your corrections, numbered for `undo` (or, with --all, the whole knowledge base)."""
    from explorer.knowledge import corrections, taxonomy

    data = ctx.obj["data"]
    out: dict[str, Any]
    try:
        if show_all:
            tax = taxonomy.load(data)
            out = {"entities": [{**e.as_dict(), "key": e.key} for e in sorted(tax.entities.values(), key=lambda e: e.key)],
                   "problems": tax.problems}
        else:
            out = corrections.corrections(data)
    except corrections.CorrectionError as exc:
        _fail(str(exc))
    if fmt == "json":
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    if show_all:
        for e in out["entities"]:
            names = ", ".join(a for a in e["aliases"] if a != e["name"])
            region = ", ".join(e.get("regions", []))
            _say(f"{e['key']:40} {e['name']}" + (f"  [{region}]" if region else "") + (f"  ({names})" if names else ""))
        return
    _say(f"Override file: {out['file']}")
    if not out["entries"]:
        _say("No corrections.")
    labels = {"alias": "alias", "removed alias": "no alias", "entity": "entity", "edit": "edit", "hidden": "hidden",
              "rejection": "rejected", "other": "other"}
    for e in out["entries"]:
        _say(f"{e['n']:>4}  {labels.get(e['what'], e['what']):9}  {e['text']}")
    for p in out["problems"]:
        _say(f"  problem: {p}")


@knowledge.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def knowledge_export(ctx, file) -> None:
    """Write all your corrections (taxonomy.toml entries and places.csv rows) to FILE, one
    TOML file to share with a team."""
    from explorer.knowledge import corrections

    try:
        n, places = corrections.export_file(ctx.obj["data"], file)
    except corrections.CorrectionError as exc:
        _fail(str(exc))
    _say(f"{plural(n, 'entry', 'entries')} and {plural(places, 'place')} written to {file}")


@knowledge.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@_DRY_RUN
@click.pass_context
def knowledge_import(ctx, file, dry_run) -> None:
    """Merge the corrections in FILE (written by `knowledge export`) into yours, and apply them:
    entries you have already are skipped; a renamed or moved entity is listed."""
    _apply(ctx, lambda c, data: c.import_file(data, file), dry_run)


# --------------------------------------------------------------------------- gui


@cli.command()
@click.option("--screenshot", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Open on the given search, save a PNG of the window, and exit.")
@click.option("--corpus", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Index this folder on start (default: the last one, or the bundled seeds on first run).")
@query_options
@click.pass_context
def gui(ctx, screenshot, corpus, query, facets) -> None:
    """Open the desktop application."""
    from explorer import engine_process

    data = ctx.obj["data"]
    if indexer.db_path(data).is_file():
        engine_process.prestart(data)  # opens the index while Qt loads and the window is built
    try:
        try:
            from explorer.gui.app import main as gui_main
        except ImportError as exc:
            _fail(f"the desktop application needs PySide6 ({exc}); install with: pip install 'pathfinder-explorer[gui]'")
        code = gui_main(data, screenshot=screenshot, corpus=corpus, query=query, facets=list(facets))
    finally:
        engine_process.discard_prestarted()
    ctx.exit(code)

# --------------------------------------------------------------------------- cross-source analysis


def _analysis(engine: Engine):
    from explorer.compare.analysis import Analysis

    return _analysis_call(Analysis, engine.store)


def _analysis_call(fn, *args, **kw):
    from explorer.compare.analysis import AnalysisError

    try:
        return fn(*args, **kw)
    except AnalysisError as exc:
        _fail(str(exc))


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


@cli.command()
@click.argument("doc_ids", nargs=-1, required=True, metavar="DOC_ID DOC_ID [DOC_ID...]")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_context
def compare(ctx, doc_ids, fmt) -> None:
    """Shared passages of two or more documents: offsets in each, similarity, differing words."""
    engine = _engine(ctx)
    try:
        result = _analysis_call(_analysis(engine).compare, list(doc_ids))
        if fmt == "json":
            click.echo(json.dumps(result, ensure_ascii=False, indent=2))
            return
        for d in result["info"]:
            share = d["shared_chars"] / d["chars"] if d["chars"] else 0
            click.echo(f"{d['doc_id']}  {d['date'] or 'undated':10}  {d['source'] or '-'}  {_short(d['title'], 60)}  "
                       f"({share:.0%} shared)")
        click.echo(f"\n{plural(len(result['passages']), 'shared passage')}")
        for p in result["passages"]:
            click.echo(f"\n[cluster {p['cluster']}] similarity {p['similarity']:.2f}")
            for s in p["spans"]:
                click.echo(f"  {s['doc_id']} {s['start']}-{s['end']}: {_short(s['text'])}")
            for d in p["differences"]:
                click.echo(f"    {d['op']:7} {d['a']['doc_id']} {d['a']['text']!r} / {d['b']['doc_id']} {d['b']['text']!r}")
    finally:
        engine.close()


@cli.command()
@query_options
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table", show_default=True)
@click.option("--duplicates", is_flag=True, help="List the groups of duplicate and near-duplicate documents instead.")
@click.pass_context
def reuse(ctx, query, facets, fmt, duplicates) -> None:
    """Clusters of shared passages (members, likely origin, size) among documents matching QUERY."""
    engine = _engine(ctx)
    try:
        analysis = _analysis(engine)
        within = None
        if query or facets:
            within = {h.doc_id for h in _search(engine, _query(query, facets, limit=None)).hits}
        if duplicates:
            groups = analysis.duplicates()
            if within is not None:
                groups = [g for g in groups if any(m["doc_id"] in within for m in g["members"])]
            if fmt == "json":
                click.echo(json.dumps(groups, ensure_ascii=False, indent=2))
            elif fmt == "csv":
                click.echo(to_csv_text(["group", "doc_id", "source", "date", "title"],
                                       [[g["head"], m["doc_id"], m["source"], m["date"], m["title"]]
                                        for g in groups for m in g["members"]]), nl=False)
            else:
                click.echo(f"{plural(len(groups), 'group')} of duplicate documents")
                for g in groups:
                    click.echo(f"\n{g['head']} +{len(g['members']) - 1} similar")
                    for m in g["members"]:
                        click.echo(f"  {m['doc_id']}  {m['date'] or 'undated':10}  {m['source'] or '-'}  {_short(m['title'], 60)}")
            return
        clusters = analysis.clusters(within)
        if fmt == "json":
            click.echo(json.dumps(clusters, ensure_ascii=False, indent=2))
        elif fmt == "csv":
            rows = [[c["cluster"], c["size"], (c["origin"] or {}).get("doc_id", ""), m["doc_id"], m["source"], m["date"],
                     m["start"], m["end"], m["text"]] for c in clusters for m in c["members"]]
            click.echo(to_csv_text(["cluster", "size", "origin", "doc_id", "source", "date", "start", "end", "text"], rows), nl=False)
        else:
            click.echo(f"{plural(len(clusters), 'cluster')} of shared passages")
            for c in clusters:
                o = c["origin"]
                origin = f"origin {o['doc_id']} ({o['date']})" if o else "origin unknown (no dated member)"
                click.echo(f"\n[cluster {c['cluster']}] in {c['size']} documents, {origin}")
                click.echo(f"  {_short(c['text'], 110)}")
                for m in c["members"]:
                    click.echo(f"    {m['doc_id']}  {m['date'] or 'undated':10}  {m['source'] or '-'}  {m['start']}-{m['end']}")
    finally:
        engine.close()


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Include dismissed conflicts (marked as such).")
@click.option("--dismiss", "dismiss_id", metavar="ID", default=None,
              help="Dismiss the conflict with this id; it stays dismissed across re-indexing.")
@click.option("--restore", "restore_id", metavar="ID", default=None, help="Undo a dismissal.")
@click.pass_context
def conflicts(ctx, fmt, show_all, dismiss_id, restore_id) -> None:
    """Statements of the same quantity that disagree across sources (candidates, not verdicts)."""
    from explorer.compare.analysis import dismiss
    from explorer.store import Store

    engine = _engine(ctx)
    try:
        if dismiss_id or restore_id:
            try:
                store = Store(indexer.db_path(ctx.obj["data"]))
            except StoreError as exc:
                _fail(str(exc))
            try:
                _analysis_call(dismiss, store, dismiss_id or restore_id, restore=bool(restore_id))
            finally:
                store.close()
            click.echo(f"{'Restored' if restore_id else 'Dismissed'} conflict {dismiss_id or restore_id}")
            return
        rows = _analysis(engine).conflicts(include_dismissed=show_all)
        if fmt == "json":
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        click.echo(f"{plural(len(rows), 'possible disagreement')}")
        for c in rows:
            mark = " (dismissed)" if c["dismissed"] else ""
            click.echo(f"\n[{c['id']}]{mark} {c['subject']}: number of {c['quantity']}")
            click.echo(f"  why: {c['why']}")
            for v in c["values"]:
                click.echo(f"  {v['value']!s:>8}  {v['doc_id']}  {v['date'] or 'undated':10}  {v['source'] or '-'}  "
                           f"{v['start']}-{v['end']}: {_short(v['sentence'], 80)}")
    finally:
        engine.close()

@cli.command()
@click.argument("name", metavar="ENTITY_OR_TERM")
@click.option("--sort", default="date", show_default=True, metavar="KEYS",
              help="Up to three of date, source, 1L, 2L, 3L, 1R, 2R, 3R, comma-separated (e.g. 1R,2R).")
@click.option("--source", "sources", multiple=True, metavar="SOURCE", help="Only rows from this source (repeatable).")
@click.option("--context", type=click.IntRange(min=5, max=500), default=60, show_default=True,
              help="Characters of context on each side.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.pass_context
def mentions(ctx, name, sort, sources, context, fmt) -> None:
    """Mentions in context (KWIC) of an entity, a region, or any search term."""
    engine = _engine(ctx)
    try:
        rows = _analysis_call(_analysis(engine).mentions, name, sort=[k.strip() for k in sort.split(",") if k.strip()],
                              sources=list(sources), context=context,
                              search=lambda text: [h.doc_id for h in _search(engine, _query(text, (), limit=None)).hits])
        if fmt == "json":
            click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        elif fmt == "csv":
            cols = ["doc_id", "source", "date", "entity", "start", "end", "left", "hit", "right"]
            click.echo(to_csv_text(cols, [[r[c] for c in cols] for r in rows]), nl=False)
        else:
            click.echo(f"{plural(len(rows), 'mention')} of {name!r}")
            for r in rows:
                click.echo(f"{r['date'] or 'undated':10} {_short(r['source'], 24):24} {r['left'][-40:]:>40} "
                           f"[{r['hit']}] {r['right'][:40]}")
    finally:
        engine.close()


@cli.command()
@click.option("--rows", type=click.Choice(["pathfinder", "mentor", "region"]), default="pathfinder", show_default=True)
@click.option("--cols", type=click.Choice(["source", "document"]), default="source", show_default=True)
@click.option("--share", is_flag=True, help="Cells as the share of the column's documents that mention the row.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.pass_context
def matrix(ctx, rows, cols, share, fmt) -> None:
    """Entities x sources: how often each source mentions each pathfinder, mentor or region."""
    engine = _engine(ctx)
    try:
        m = _analysis_call(_analysis(engine).matrix, rows, cols, share=share)
        if fmt == "json":
            click.echo(json.dumps(m, ensure_ascii=False, indent=2))
            return
        if fmt == "csv":
            click.echo(to_csv_text([rows, *m["cols"]], [[r, *cells] for r, cells in zip(m["rows"], m["cells"], strict=True)]),
                       nl=False)
            return
        click.echo(f"{plural(len(m['rows']), rows)} x {plural(len(m['cols']), cols)}; cells: {m['unit']}")
        marked = {(d["row"], d["col"]) for d in m["disputed_cells"]}
        if marked:
            click.echo(f"* = this {cols} gives a value in a disagreement about this {rows} "
                       f"({plural(len(marked), 'cell')}; see `explorer conflicts`)")
        for i, c in enumerate(m["cols"]):
            click.echo(f"  [{i + 1}] {c}")
        click.echo(f"{'':42}" + "".join(f"{f'[{i + 1}]':>7}" for i in range(len(m["cols"]))))
        for i, (r, cells) in enumerate(zip(m["rows"], m["cells"], strict=True)):
            shown = [((f"{v:.0%}" if share else str(v)) if v else ".") + ("*" if (i, j) in marked else "")
                     for j, v in enumerate(cells)]
            click.echo(f"{_short(r, 40):42}" + "".join(f"{v:>7}" for v in shown))
    finally:
        engine.close()


@cli.command()
@click.argument("name", metavar="PATHFINDER")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html", "csv", "pdf"]), default="text",
              show_default=True, help="pdf: the HTML report on A4 pages (needs PySide6 and --output).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file (atomically) instead of printing.")
@click.pass_context
def dossier(ctx, name, fmt, output) -> None:
    """Everything about one pathfinder: facts, every source's sentence in date order, claims,
    disagreements."""
    from explorer.compare import dossier as dossier_mod

    if fmt == "pdf" and output is None:
        _fail("--format pdf writes a file: give it with --output FILE.pdf")
    engine = _engine(ctx)
    try:
        d = _analysis_call(_analysis(engine).dossier, name)
        if fmt == "pdf":
            _dossier_pdf(d, output)
            return
        if fmt == "json":
            out = json.dumps(d, ensure_ascii=False, indent=2) + "\n"
        elif fmt == "html":
            out = dossier_mod.to_html(d)
        elif fmt == "csv":
            out = to_csv_text(dossier_mod.CSV_HEADER, dossier_mod.to_rows(d))
        else:
            out = dossier_mod.to_text(d) + "\n"
        if output is None:
            click.echo(out, nl=False)
            return
        tmp = output.with_name(output.name + ".part")
        try:
            tmp.write_text(out, encoding="utf-8")
            os.replace(tmp, output)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            _fail(f"cannot write {output}: {exc.strerror or exc}")
        click.echo(f"Wrote the dossier of {d['name']} to {output}")
    finally:
        engine.close()


def _dossier_pdf(d: dict, output: Path) -> None:
    """Print the dossier to a PDF through Qt, loaded only here: every other command and format
    works without PySide6."""
    try:
        from explorer.gui import dossier_pdf
    except ImportError as exc:
        _fail(f"--format pdf needs PySide6, which is not installed ({exc.name or exc}); "
              "install the app's gui extra, or use --format html and print that")
    try:
        pages = dossier_pdf.write_pdf_offscreen(d, output)
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")
    click.echo(f"Wrote the dossier of {d['name']} to {output} ({plural(pages, 'page')}, A4)")


# --------------------------------------------------------------------------- desktop integration


@cli.command("install-desktop")
@click.option("--uninstall", is_flag=True, help="Remove the menu entry, icons and metainfo instead.")
def install_desktop(uninstall: bool) -> None:
    """Add the app to the desktop's menu for the current user (freedesktop.org desktops)."""
    from explorer import desktop

    try:
        if uninstall:
            removed = desktop.uninstall()
            click.echo(f"Removed {len(removed)} files from {desktop.data_home()}" if removed
                       else f"Nothing to remove: no menu entry in {desktop.data_home()}")
        else:
            written = desktop.install()
            click.echo(f"Installed the menu entry and {len(written) - 2} icons in {desktop.data_home()} "
                       f"(app id {desktop.APP_ID}); remove them with: explorer install-desktop --uninstall")
    except desktop.DesktopError as exc:
        _fail(str(exc))


def _tolerant_streams() -> None:
    """Characters the terminal's encoding cannot show (a latin-1 terminal, a name with bytes
    that are not UTF-8) come out as replacement characters instead of stopping the command."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # closed, or already written to in another way
                pass


def main(args: list[str] | None = None) -> None:
    from multiprocessing import freeze_support

    freeze_support()  # a frozen app's worker processes re-run this binary: they stop here
    _tolerant_streams()
    try:
        code = cli.main(args=args, prog_name="explorer", standalone_mode=False)
    except click.UsageError as exc:  # one line, as for every other bad input; exit 2 (README)
        where = exc.ctx.command_path if exc.ctx is not None else "explorer"
        click.echo(f"explorer: {inert(exc.format_message())} (see '{where} --help')", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("explorer: aborted", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("explorer: interrupted", err=True)
        sys.exit(130)
    except SystemExit:
        raise
    except BrokenPipeError:  # `explorer search ... | head`: the reader has gone; nothing to say
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
    except NoIndex as exc:  # e.g. the index was found damaged in the middle of a search
        click.echo(f"explorer: {inert(exc)}", err=True)
        sys.exit(1)
    except Exception as exc:  # a bug: still one line, with a way to see more
        if os.environ.get("EXPLORER_DEBUG"):
            raise
        click.echo(f"explorer: internal error: {type(exc).__name__}: {inert(exc)} (set EXPLORER_DEBUG=1 for details)", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def gui_main() -> None:
    """The `pathfinder-explorer-gui` entry point (a gui-script: no console window on Windows):
    `explorer gui` with the same options; `--data-dir DIR` may come first or anywhere."""
    argv = sys.argv[1:]
    group: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(argv):
        if argv[i] == "--data-dir" and i + 1 < len(argv):
            group += argv[i:i + 2]
            i += 2
            continue
        if argv[i].startswith("--data-dir="):
            group.append(argv[i])
        else:
            rest.append(argv[i])
        i += 1
    main([*group, "gui", *rest])


if __name__ == "__main__":
    main()
