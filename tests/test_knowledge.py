"""Knowledge a user corrects, through the CLI as a user runs it: saved in the override file,
applied by re-tagging only the affected documents, kept through re-indexing, shared by
export/import. Texts written for these tests."""

import json
import re
import sqlite3

import pytest

from .test_cli import assert_one_line_error, explorer

TEXTS = {
    "a.txt": "Audit firm helps staff\n\nKlynveld Peat Marwick Goerdeler will advise the new nursing mutual in Bristol.\n",
    "b.txt": "Library volunteers\n\nVolunteers will run the library in Penwith Vale on Saturdays.\n",
    "c.txt": "KPMG report\n\nKPMG said mutuals could save money. The Tribal Group agreed.\n",
    "d.txt": "Charity funding\n\nThe KPMG Foundation will fund reading projects in schools.\n",
}


@pytest.fixture
def indexed(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in TEXTS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    data = tmp_path / "data"
    proc = explorer("index", "--corpus", str(corpus), data=data)
    assert proc.returncode == 0, proc.stderr
    return data


def facet(data, key, *filters):
    args = ["facets", "--format", "json"] + [x for f in filters for x in ("--facet", f)]
    proc = explorer(*args, data=data)
    assert proc.returncode == 0, proc.stderr
    return {v["value"]: v["count"] for v in json.loads(proc.stdout)["facets"][key]}


def mentions(data, doc_id):
    proc = explorer("show", doc_id, "--format", "json", data=data)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["mentions"]


def indexed_at(data):
    with sqlite3.connect(data / "index" / "explorer.db") as conn:
        return dict(conn.execute("SELECT path, indexed_at FROM files"))


def test_add_alias_retags_only_the_documents_holding_it(indexed):
    assert facet(indexed, "mentor") == {"KPMG": 2, "Tribal": 1}
    stamps = indexed_at(indexed)
    proc = explorer("knowledge", "add-alias", "kpmg", "Klynveld Peat Marwick Goerdeler", data=indexed)
    assert proc.returncode == 0, proc.stderr
    assert "re-tagged 1 document in 1 file" in proc.stdout and "+1 mentor:kpmg" in proc.stdout
    assert facet(indexed, "mentor") == {"KPMG": 3, "Tribal": 1}
    assert facet(indexed, "mentor_role", "mentor=KPMG") == {"mentor": 1, "other": 2}
    after = indexed_at(indexed)
    assert all(after[f] == stamps[f] for f in ("b.txt", "c.txt", "d.txt"))  # not touched
    override = (indexed / "taxonomy.toml").read_text(encoding="utf-8")
    assert 'id = "kpmg"' in override and "Klynveld Peat Marwick Goerdeler" in override
    # kept through an incremental run and a full rebuild
    for args in (["index"], ["index", "--rebuild"]):
        assert explorer(*args, data=indexed).returncode == 0
        assert facet(indexed, "mentor") == {"KPMG": 3, "Tribal": 1}


def test_add_entity_place_gives_its_region(indexed):
    assert facet(indexed, "region").get("South West") == 1  # Bristol, in a.txt
    proc = explorer("knowledge", "add-entity", "place", "penwith_vale", "Penwith Vale", "--region", "south west",
                    data=indexed)
    assert proc.returncode == 0, proc.stderr
    assert "+1 place:penwith_vale" in proc.stdout
    assert facet(indexed, "region").get("South West") == 2
    assert [m["surface"] for m in mentions(indexed, "b") if m["entity"] == "place:penwith_vale"] == ["Penwith Vale"]


def test_add_entity_with_aliases_and_list(indexed):
    proc = explorer("knowledge", "add-entity", "organisation", "kpmg_foundation", "KPMG Foundation",
                    "--alias", "The KPMG Foundation", data=indexed)
    assert proc.returncode == 0, proc.stderr
    # the longer name now covers "KPMG" in d.txt: the mentor mention goes, the organisation comes
    assert "+1 organisation:kpmg_foundation" in proc.stdout and "-1 mentor:kpmg" in proc.stdout
    assert facet(indexed, "mentor") == {"KPMG": 1, "Tribal": 1}
    listed = json.loads(explorer("knowledge", "list", "--format", "json", data=indexed).stdout)
    assert listed["entities"] == [{"entity": "organisation:kpmg_foundation", "kind": "organisation",
                                   "id": "kpmg_foundation", "name": "KPMG Foundation", "region": "",
                                   "aliases": ["The KPMG Foundation"]}]
    table = explorer("knowledge", "list", data=indexed).stdout
    assert "organisation:kpmg_foundation" in table and "KPMG Foundation" in table
    everything = explorer("knowledge", "list", "--all", data=indexed).stdout
    assert "organisation:kpmg_foundation" in everything and "mentor:kpmg" in everything


def test_reject_a_mention(indexed):
    (m,) = [m for m in mentions(indexed, "c") if m["entity"] == "mentor:tribal"]
    proc = explorer("knowledge", "reject", "c", str(m["start"]), str(m["end"]), data=indexed)
    assert proc.returncode == 0, proc.stderr
    assert "-1 mentor:tribal" in proc.stdout
    assert "Tribal" not in facet(indexed, "mentor")
    assert explorer("index", "--rebuild", data=indexed).returncode == 0
    assert "Tribal" not in facet(indexed, "mentor")  # survives a rebuild
    assert_one_line_error(explorer("knowledge", "reject", "c", str(m["start"]), str(m["end"]), data=indexed),
                          "no mention at")


def test_remove_alias(indexed):
    assert explorer("knowledge", "add-alias", "kpmg", "Klynveld Peat Marwick Goerdeler", data=indexed).returncode == 0
    assert facet(indexed, "mentor")["KPMG"] == 3
    proc = explorer("knowledge", "remove-alias", "kpmg", "Klynveld Peat Marwick Goerdeler", data=indexed)
    assert proc.returncode == 0, proc.stderr
    assert "-1 mentor:kpmg" in proc.stdout and facet(indexed, "mentor")["KPMG"] == 2
    assert "no alias" in explorer("knowledge", "list", data=indexed).stdout
    assert_one_line_error(explorer("knowledge", "remove-alias", "tribal", "Tribal Partners", data=indexed),
                          "not an alias")
    assert_one_line_error(explorer("knowledge", "remove-alias", "tribal", "Tribal", data=indexed),
                          "is the name of mentor:tribal")


def test_export_then_import_into_another_data_dir(indexed, tmp_path):
    assert explorer("knowledge", "add-alias", "mentor:kpmg", "Klynveld Peat Marwick Goerdeler", data=indexed).returncode == 0
    shared = tmp_path / "team.toml"
    proc = explorer("knowledge", "export", str(shared), data=indexed)
    assert proc.returncode == 0 and "1 entry and 0 places written" in proc.stdout
    other = tmp_path / "other"
    corpus = tmp_path / "corpus"
    assert explorer("index", "--corpus", str(corpus), data=other).returncode == 0
    assert facet(other, "mentor") == {"KPMG": 2, "Tribal": 1}
    proc = explorer("knowledge", "import", str(shared), data=other)
    assert proc.returncode == 0, proc.stderr
    assert facet(other, "mentor") == {"KPMG": 3, "Tribal": 1}


@pytest.mark.parametrize("args,fragment", [
    (["knowledge", "add-alias", "no_such_thing", "X Y"], "no entity 'no_such_thing'"),
    (["knowledge", "add-alias", "kpmg", "KPMG"], "already a name"),
    (["knowledge", "add-entity", "place", "atlantis", "Atlantis"], "needs --region"),
    (["knowledge", "add-entity", "place", "atlantis", "Atlantis", "--region", "Mars"], "unknown region 'Mars'"),
    (["knowledge", "add-entity", "mentor", "Bad Id", "Bad"], "lower-case letters"),
    (["knowledge", "reject", "nope", "0", "4"], "no document 'nope'"),
    (["knowledge", "export", "out.toml"], "no corrections to export"),
])
def test_bad_corrections_are_one_line(indexed, args, fragment):
    assert_one_line_error(explorer(*args, data=indexed), fragment)
    assert not (indexed / "taxonomy.toml").exists()  # nothing half-written


def test_bad_import_file_is_one_line(indexed, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[[mentor]\nid = ", encoding="utf-8")
    assert_one_line_error(explorer("knowledge", "import", str(bad), data=indexed), "not valid TOML")
    bad.write_text('[[place]]\nid = "x"\nname = "X"\nregion = "Mars"\n', encoding="utf-8")
    assert_one_line_error(explorer("knowledge", "import", str(bad), data=indexed), "unknown sector/region Mars")
    assert_one_line_error(explorer("knowledge", "import", str(tmp_path / "missing.toml"), data=indexed), "file not found")


def test_correction_without_an_index_is_saved_for_later(tmp_path):
    proc = explorer("knowledge", "add-alias", "kpmg", "Klynveld Peat Marwick Goerdeler", data=tmp_path / "fresh")
    assert proc.returncode == 0, proc.stderr
    assert "applies when you first run" in proc.stdout
    assert (tmp_path / "fresh" / "taxonomy.toml").is_file()


def doc_tags(data):
    """Every document's mentions (entity, offsets) and facet values: what re-tagging decides."""
    with sqlite3.connect(data / "index" / "explorer.db") as conn:
        mentions = sorted(conn.execute("SELECT doc_id, entity, start, \"end\" FROM mentions"))
        facets = sorted(conn.execute("SELECT doc_id, facet, value FROM doc_facets"))
    return mentions, facets


def numbered(data):
    proc = explorer("knowledge", "list", "--format", "json", data=data)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["entries"]


def test_edit_entity_name_and_region_with_a_dry_run_first(indexed):
    assert explorer("knowledge", "add-entity", "place", "penwith_vale", "Penwith Vale", "--region", "Wales",
                    data=indexed).returncode == 0
    assert facet(indexed, "region").get("Wales") == 1
    dry = explorer("knowledge", "edit-entity", "penwith_vale", "--region", "South West", "--dry-run", data=indexed)
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nothing saved" in dry.stdout and "would re-tag 1 document in 1 file" in dry.stdout
    assert "South West" not in (indexed / "taxonomy.toml").read_text(encoding="utf-8")
    assert facet(indexed, "region").get("Wales") == 1  # nothing applied
    proc = explorer("knowledge", "edit-entity", "penwith_vale", "--region", "south west", data=indexed)
    assert proc.returncode == 0, proc.stderr
    assert "region Wales -> South West" in proc.stdout
    assert "Wales" not in facet(indexed, "region") and facet(indexed, "region")["South West"] == 2
    # a rename keeps the old name as an alias: the mentions stay, under the new name
    proc = explorer("knowledge", "edit-entity", "mentor:kpmg", "--name", "KPMG LLP", data=indexed)
    assert proc.returncode == 0, proc.stderr
    assert "mentions: no change" in proc.stdout
    assert facet(indexed, "mentor") == {"KPMG LLP": 2, "Tribal": 1}
    assert_one_line_error(explorer("knowledge", "edit-entity", "tribal", "--region", "Wales", data=indexed),
                          "only places and pathfinders give a document a region")
    assert_one_line_error(explorer("knowledge", "edit-entity", "tribal", data=indexed), "nothing to change")


def test_remove_an_added_entity_and_hide_a_built_in_one_then_undo(indexed):
    assert explorer("knowledge", "add-entity", "place", "penwith_vale", "Penwith Vale", "--region", "Wales",
                    data=indexed).returncode == 0
    assert explorer("knowledge", "add-alias", "penwith_vale", "Penwith", data=indexed).returncode == 0
    proc = explorer("knowledge", "remove-entity", "place:penwith_vale", data=indexed)
    assert proc.returncode == 0, proc.stderr
    assert "-1 place:penwith_vale" in proc.stdout and "Wales" not in facet(indexed, "region")
    assert not (indexed / "taxonomy.toml").exists()  # both entries gone, and the file they had started
    assert numbered(indexed) == []

    dry = explorer("knowledge", "remove-entity", "tribal", "--dry-run", data=indexed)
    assert "-1 mentor:tribal" in dry.stdout and facet(indexed, "mentor")["Tribal"] == 1
    proc = explorer("knowledge", "remove-entity", "tribal", data=indexed)
    assert proc.returncode == 0, proc.stderr
    assert "hidden" in proc.stdout and "-1 mentor:tribal" in proc.stdout
    assert "Tribal" not in facet(indexed, "mentor")
    (entry,) = numbered(indexed)
    assert entry["what"] == "hidden" and entry["entity"] == "mentor:tribal"
    proc = explorer("knowledge", "undo", str(entry["n"]), data=indexed)
    assert proc.returncode == 0, proc.stderr
    assert "+1 mentor:tribal" in proc.stdout and facet(indexed, "mentor")["Tribal"] == 1


def test_list_numbers_corrections_and_undo_brings_a_rejected_mention_back(indexed):
    (indexed / "taxonomy.toml").write_text("# my own notes, kept\n\n[[mentor]]\nid = \"kpmg\"\n"
                                           "aliases = [\"Klynveld Peat Marwick Goerdeler\"]\n", encoding="utf-8")
    assert explorer("index", data=indexed).returncode == 0
    (m,) = [m for m in mentions(indexed, "c") if m["entity"] == "mentor:tribal"]
    assert explorer("knowledge", "reject", "c", str(m["start"]), str(m["end"]), data=indexed).returncode == 0
    assert explorer("knowledge", "add-alias", "tribal", "Tribal Consulting", data=indexed).returncode == 0
    assert [(e["n"], e["what"]) for e in numbered(indexed)] == [(1, "alias"), (2, "rejection"), (3, "alias")]
    table = explorer("knowledge", "list", data=indexed).stdout
    assert "   2  rejected" in table and "'Tribal Group' is not mentor:tribal in c" in table
    dry = explorer("knowledge", "undo", "2", "--dry-run", data=indexed)
    assert "+1 mentor:tribal" in dry.stdout and "Tribal" not in facet(indexed, "mentor")
    proc = explorer("knowledge", "undo", "2", data=indexed)
    assert proc.returncode == 0, proc.stderr
    assert "mention back" in proc.stdout and "+1 mentor:tribal" in proc.stdout
    assert facet(indexed, "mentor")["Tribal"] == 1
    text = (indexed / "taxonomy.toml").read_text(encoding="utf-8")
    assert text.startswith("# my own notes, kept\n") and "[[rejection]]" not in text and "Tribal Consulting" in text
    assert [e["what"] for e in numbered(indexed)] == ["alias", "alias"]
    assert_one_line_error(explorer("knowledge", "undo", "7", data=indexed), "numbers them 1-2")


def test_export_carries_places_and_rejections_and_import_gives_the_same_tags(indexed, tmp_path):
    (m,) = [m for m in mentions(indexed, "c") if m["entity"] == "mentor:tribal"]
    assert explorer("knowledge", "reject", "c", str(m["start"]), str(m["end"]), data=indexed).returncode == 0
    assert explorer("knowledge", "add-alias", "kpmg", "Klynveld Peat Marwick Goerdeler", data=indexed).returncode == 0
    assert explorer("knowledge", "add-entity", "organisation", "kpmg_foundation", "KPMG Foundation",
                    data=indexed).returncode == 0
    (indexed / "places.csv").write_text("name,aliases,type,region,common_word\nPenwith Vale,,town,South West,0\n",
                                        encoding="utf-8")
    assert explorer("index", data=indexed).returncode == 0
    assert facet(indexed, "region")["South West"] == 2
    shared = tmp_path / "team.toml"
    proc = explorer("knowledge", "export", str(shared), data=indexed)
    assert proc.returncode == 0, proc.stderr
    assert "3 entries and 1 place written" in proc.stdout

    other = tmp_path / "other"
    assert explorer("index", "--corpus", str(tmp_path / "corpus"), data=other).returncode == 0
    assert doc_tags(other) != doc_tags(indexed)
    proc = explorer("knowledge", "import", str(shared), data=other)
    assert proc.returncode == 0, proc.stderr
    assert "4 entries imported" in proc.stdout
    assert doc_tags(other) == doc_tags(indexed)
    assert not (other / "places.csv").exists()  # the places came in as [[place]] entries
    # the same file again: everything is there already, nothing is written twice
    before = (other / "taxonomy.toml").read_text(encoding="utf-8")
    assert_one_line_error(explorer("knowledge", "import", str(shared), data=other), "all 4 entries are in your corrections")
    assert (other / "taxonomy.toml").read_text(encoding="utf-8") == before


def test_import_merges_and_names_what_it_replaces(indexed, tmp_path):
    assert explorer("knowledge", "add-entity", "place", "penwith_vale", "Penwith Vale", "--region", "Wales",
                    data=indexed).returncode == 0
    shared = tmp_path / "team.toml"
    shared.write_text('[[place]]\nid = "penwith_vale"\nname = "Penwith Vale"\nregion = "South West"\n\n'
                      '[[mentor]]\nid = "kpmg"\naliases = ["Klynveld Peat Marwick Goerdeler"]\n', encoding="utf-8")
    proc = explorer("knowledge", "import", str(shared), data=indexed)
    assert proc.returncode == 0, proc.stderr
    assert "place:penwith_vale: region Wales replaced by South West" in proc.stdout
    assert "+1 mentor:kpmg" in proc.stdout
    assert "Wales" not in facet(indexed, "region") and facet(indexed, "region")["South West"] == 2


@pytest.mark.parametrize("text,fragment", [
    ('[[place]]\nid = "x"\nname = "X"\nregon = "Wales"\n', "team.toml line 1: place entry has an unknown field 'regon'"),
    ('[[mentor]]\nid = "a"\naliases = ["A1"]\n\n[[mentors]]\nid = "b"\n', "team.toml line 5: unknown table 'mentors'"),
    ('[[rejection]]\ndoc_id = "c"\nstart = 1\n', "rejection 1 needs doc_id, start, end, entity and surface"),
    ("", "no entries to import"),
])
def test_bad_shared_file_names_the_line_and_writes_nothing(indexed, tmp_path, text, fragment):
    shared = tmp_path / "team.toml"
    shared.write_text(text, encoding="utf-8")
    assert_one_line_error(explorer("knowledge", "import", str(shared), data=indexed), fragment)
    assert not (indexed / "taxonomy.toml").exists()


# The user's file as they left it, before a correction: `undo` gives back exactly these bytes.
USER_FILES = {
    "none": None,  # no file yet: the correction creates it, undo takes it away
    "comments": b"# my own notes, kept\n\n[[mentor]]\nid = \"kpmg\"\naliases = [\"Klynveld\"]\n# and a last word\n",
    "crlf": b"# written on Windows\r\n[[mentor]]\r\nid = \"kpmg\"\r\naliases = [\"Klynveld\"]\r\n",
    "no final line end": b"# notes\n\n[[mentor]]\nid = \"kpmg\"\naliases = [\"Klynveld\"]",
    "empty": b"",
}


@pytest.mark.parametrize("before", list(USER_FILES.values()), ids=list(USER_FILES))
def test_undo_gives_the_file_back_byte_for_byte(tmp_path, before):
    data = tmp_path / "data"  # no index: the file alone is the point here
    path = data / "taxonomy.toml"
    if before is not None:
        data.mkdir()
        path.write_bytes(before)
    proc = explorer("knowledge", "add-alias", "tribal", "Tribal Consulting", data=data)
    assert proc.returncode == 0, proc.stderr
    applied = path.read_bytes()
    proc = explorer("knowledge", "edit-entity", "place:penzance", "--region", "Wales", data=data)
    assert proc.returncode == 0, proc.stderr
    n = len(numbered(data))
    # the later correction first (the file as it was after the first), then the first
    assert explorer("knowledge", "undo", str(n), data=data).returncode == 0
    assert path.read_bytes() == applied
    assert explorer("knowledge", "undo", str(n - 1), data=data).returncode == 0
    assert (path.read_bytes() if path.exists() else None) == before


def test_undo_in_another_order_and_around_the_users_own_comment(indexed):
    path = indexed / "taxonomy.toml"
    before = b"# notes\n\n[[mentor]]\nid = \"kpmg\"\naliases = [\"Klynveld\"]"  # no line end at the end
    path.write_bytes(before)
    assert explorer("index", data=indexed).returncode == 0
    tags = doc_tags(indexed)
    assert explorer("knowledge", "add-alias", "tribal", "Tribal Consulting", data=indexed).returncode == 0
    assert explorer("knowledge", "add-alias", "baxi", "Baxi Group", data=indexed).returncode == 0
    # the user writes a comment of their own after the corrections
    path.write_bytes(path.read_bytes() + b"# checked by Sam, June\n")
    assert explorer("knowledge", "undo", "2", data=indexed).returncode == 0  # the first correction
    text = path.read_bytes()
    assert b"Tribal Consulting" not in text and b"Baxi Group" in text and text.endswith(b"# checked by Sam, June\n")
    assert explorer("knowledge", "undo", "2", data=indexed).returncode == 0  # the second
    assert path.read_bytes() == before + b"\n# checked by Sam, June\n"
    assert doc_tags(indexed) == tags


def test_a_region_move_previews_the_facet_values_its_documents_change(tmp_path):
    """Moving a pathfinder to another region changes no mention, but its documents' regions: the
    dry run says which, and they are what the facet counts then show (on the seeds)."""
    data = tmp_path / "data"
    assert explorer("index", data=data).returncode == 0  # the bundled seeds
    before = facet(data, "region")
    moved = explorer("search", "--facet", "pathfinder=ne_essex", "--limit", "0", "--format", "json", data=data)
    docs = json.loads(moved.stdout)
    assert docs and "Wales" not in before
    dry = explorer("knowledge", "edit-entity", "pathfinder:ne_essex", "--region", "Wales", "--dry-run", data=data)
    assert dry.returncode == 0, dry.stderr
    line = dry.stdout.splitlines()[-1]
    assert "mentions: no change" in line
    m = re.search(r"facet values of (\d+) documents?: region \+(\d+) Wales(?:, -(\d+) East of England)?$", line)
    assert m, line
    changed, gained, lost = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
    assert gained == changed == len(docs)  # each of its documents gains Wales, none had it
    assert facet(data, "region") == before  # a dry run saves nothing
    proc = explorer("knowledge", "edit-entity", "pathfinder:ne_essex", "--region", "Wales", data=data)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1].split("mentions:")[1] == line.split("mentions:")[1]
    after = facet(data, "region")
    assert after["Wales"] == gained
    assert before["East of England"] - after.get("East of England", 0) == lost
    # per document: each has Wales now, and those without East of England are the ones it lost
    moved = explorer("search", "--facet", "pathfinder=ne_essex", "--limit", "0", "--format", "json", data=data)
    regions = {d["doc_id"]: d["regions"] for d in json.loads(moved.stdout)}
    assert set(regions) == {d["doc_id"] for d in docs} and all("Wales" in r for r in regions.values())
    assert lost == len([d for d in docs if "East of England" in d["regions"]
                        and "East of England" not in regions[d["doc_id"]]]) >= 1
