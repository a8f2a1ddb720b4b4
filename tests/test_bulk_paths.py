"""The shortcuts export, import and check take over a whole diary say exactly what the plain way says.

Each shortcut proves something of many rows at once (a column checked in C, a rule worked out once per
distinct value) and falls back to the row-by-row way when it cannot: these tests compare the two on a
sample diary spoiled at random, so a shortcut that skips a check shows up as a difference."""

import copy
import json
import random

import pytest
from fixtures.sample import fill

from meddiary import errors, integrity, store, transfer
from hypothesis import given
from hypothesis import strategies as st

from meddiary.model import EntryRows
from meddiary.store import TRAVELLING_TABLES

STORED = "2026-11-30T08:05:09+00:00"
# the stored form, each character or something near it (another digit, another separator, a digit of
# another script, nothing, two)
NEAR = st.sampled_from(["", "0", "9", "-", "T", ":", "+", " ", "Z", "\u0663", "\u00b2", "a", "00"])


@st.composite
def near_stored(draw):
    chars = list(STORED)
    for _ in range(draw(st.integers(0, 2))):
        chars[draw(st.integers(0, len(chars) - 1))] = draw(NEAR)
    return "".join(chars)


@given(st.lists(near_stored(), min_size=1, max_size=4))
def test_a_column_of_times_is_as_stored_as_each_time_by_its_pattern_would_be(times):
    from meddiary.timeparse import all_as_stored

    assert all_as_stored(times) == all(transfer._STORED_INSTANT.fullmatch(t) is not None for t in times)


@given(st.text(alphabet="0123456789abcdefABCDEFg \u0663\u00e9", max_size=40))
def test_hex_digits_as_the_pattern_says(text):
    import re

    assert integrity.lowercase_hex(text) == (re.fullmatch("[0-9a-f]*", text) is not None)


def test_hidden_characters_are_found_as_a_loop_over_each_character_would(tmp_path):
    def by_loop(text):
        for ch in text:
            if ord(ch) in errors._SHOWN:
                return errors._SHOWN[ord(ch)]
        return None

    def visible_by_translate(text):
        return text if text.isascii() and text.isprintable() else text.translate(errors._SHOWN)

    for c in list(range(0x3000)) + [0xFEFF, 0xFFFD, 0x1F600]:
        for text in (chr(c), f"ab{chr(c)}c"):
            assert errors.hidden_character(text) == by_loop(text), hex(c)
            assert errors.visible(text) == visible_by_translate(text), hex(c)


SPOILERS = [None, "", "x", "\x1b[2J", "a\u202eb", 0, 1, 1.0, True, 2.5, -3, b"\x00", "2026-13-01T00:00:00+00:00",
            "2026-11-26T07:03:00+01:00", "2026-11-26T07:03:00", "2026-11-26 07:03:00+00:00", "Europe/Nowhere", "UTC",
            "ABCDEF0123456789abcdef0123456789", "0" * 32, "mg", "tablet", "take", "mood", "nonsense", '{"score": 11}',
            "not json", "[]", float("inf"), 10**20, "2026-W48-4T07:03:00+00:00"]


@pytest.fixture
def tables(run, clock, db_path):
    fill(run, db_path)
    s = store.Store(db_path)
    try:
        return {t: s.rows(t) for t in TRAVELLING_TABLES}
    finally:
        s.close()


@pytest.mark.parametrize("seed", range(4))
def test_check_says_what_the_row_by_row_checks_say(tables, monkeypatch, seed):
    rnd = random.Random(seed)
    for _ in range(60):
        spoiled = copy.deepcopy(tables)
        for _ in range(rnd.randint(0, 3)):
            rows = spoiled[rnd.choice([t for t in TRAVELLING_TABLES if spoiled[t]])]
            row = rnd.choice(rows)
            column = rnd.choice(list(row))
            row[column] = rnd.choice(rows)[column] if rnd.random() < 0.15 else rnd.choice(SPOILERS)
        fast = said(spoiled)
        as_read = {**spoiled, "entries": store.Tuples(spoiled["entries"][0], [tuple(e.values()) for e in spoiled["entries"]])}
        assert said(as_read) == fast  # entries as check reads them (Store.table)
        with monkeypatch.context() as m:
            m.setattr(integrity, "_rows_clear", lambda rows: False)
            m.setattr(integrity, "_entries_clear", lambda *args: False)
            assert said(spoiled) == fast


# what SQL may hold differently from Python: text with the ',' check joins a column's values by, text that
# is not ASCII (hidden or not), a blob, a NUL, a whole or fractional number where text belongs
SQL_SPOILERS = [*(v for v in SPOILERS if not (isinstance(v, int) and v > 2**63)), "a" * 32 + "," + "b" * 32,
                "2026-11-26T07:03:00+00:00,2026-11-26T07:03:00+00:00", "café", "a\u200bb", "tab\tand\nline", "x\x00y",
                b"0123456789abcdef0123456789abcdef", b"2026-11-26T07:03:00+00:00", 3.5, "2026-11-26T07:03:00.250+00:00",
                "2026-11-26T07:03:00Z", "2099-01-01T00:00:00+00:00", "0000-01-01T00:00:00+00:00", "1"]


@pytest.mark.parametrize("seed", range(4))
def test_check_reads_the_entries_a_column_at_a_time_as_it_would_whole(run, clock, db_path, tmp_path, seed):
    """`check` has SQL show the entries sound a column at a time (`Store.entry_columns`) and reads them whole
    when it cannot: the two ways say the same of a sample diary spoiled at random, in SQL."""
    from datetime import UTC, datetime

    fill(run, db_path)
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    rnd = random.Random(seed)

    def spoil(conn, n, columns):
        for _ in range(rnd.randint(0, 3)):
            column, row = rnd.choice(columns), rnd.randint(1, n)
            if rnd.random() < 0.15:  # another row's value
                conn.execute(f"UPDATE entries SET {column} = (SELECT {column} FROM entries WHERE id = ?) WHERE id = ?",
                             (rnd.randint(1, n), row))
            else:
                conn.execute(f"UPDATE entries SET {column} = ? WHERE id = ?", (rnd.choice(SQL_SPOILERS), row))

    for path in spoiled_copies(db_path, tmp_path, 25, spoil):
        assert checked(path, now) == checked(path, now, whole=True)


def spoiled_copies(db_path, tmp_path, count, spoil):
    """`count` copies of the diary at `db_path`, one after another, each spoiled in SQL by `spoil(conn, n,
    columns)` (n: the entries' largest id; columns: theirs but id), with no index of stable ids (a uid twice
    is for check to name); a change the table refuses (NOT NULL, a retraction twice) is left out."""
    import shutil
    import sqlite3

    columns = [c for c, _, _ in store.diary.ENTRY_TABLE if c != "id"]
    for i in range(count):
        path = tmp_path / f"spoiled{i}.db"
        shutil.copyfile(db_path, path)
        conn = sqlite3.connect(path, isolation_level=None)
        try:
            conn.execute("DROP INDEX entries_by_uid")
            spoil(conn, conn.execute("SELECT max(id) FROM entries").fetchone()[0], columns)
        except sqlite3.IntegrityError:
            pass
        finally:
            conn.close()
        yield path


def checked(path, now, whole=False):
    """integrity.check's answer (or the error it ends with); `whole`: with the entries read whole."""
    s = store.Store(path)
    try:
        if whole:
            s.entry_columns = lambda: None
        return integrity.check(s, now)
    except Exception as e:  # noqa: BLE001 - compared, not hidden
        return type(e).__name__, str(e)
    finally:
        s.close()


def said(tables):
    """consistency's lines, or the error it ends with (a value no rule foresaw, as bytes: the same either way)."""
    try:
        return integrity.consistency(copy.deepcopy(tables))
    except Exception as e:  # noqa: BLE001 - compared, not hidden
        return type(e).__name__


def test_the_compact_export_holds_what_the_indented_one_does(tables, clock):
    from datetime import UTC, datetime

    tables["entries"] = [tuple(e[c] for c in transfer.ENTRY_FIELDS) for e in tables["entries"]]
    doc = transfer.document(tables, datetime(2026, 11, 30, tzinfo=UTC), "0", "m")
    compact = transfer.dumps(doc, indented=False)
    assert compact.count("\n") == 1 and compact.endswith("\n")
    assert json.loads(compact) == json.loads(transfer.dumps(doc)) == doc


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_the_compact_export_of_a_few_entries_is_what_dumps_makes(tables, n):
    from datetime import UTC, datetime

    tables["entries"] = [tuple(e[c] for c in transfer.ENTRY_FIELDS) for e in tables["entries"][:n]]
    when = datetime(2026, 11, 30, tzinfo=UTC)
    assert transfer.compact_text(tables, when, "0", "m") == \
        transfer.dumps(transfer.document(tables, when, "0", "m"), indented=False)


@pytest.mark.parametrize("seed", range(4))
def test_the_export_written_row_by_row_is_what_dumps_makes_of_the_document(tables, seed):
    from datetime import UTC, datetime

    rnd = random.Random(seed)
    tables["entries"] = [tuple(e[c] for c in transfer.ENTRY_FIELDS) for e in tables["entries"]]
    values = SPOILERS[:11] + SPOILERS[14:] + ["a \"quoted\" \\ note\n\tline", "é ✓ \u2028", "\x7f\x9b", 1e16, 0.1,
                                              '{"b": [1, 2.50], "a": "é"}', float("nan"), -0.0]
    values = [v for v in values if not isinstance(v, bytes)]  # a blob is no more JSON one way than the other
    when = datetime(2026, 11, 30, tzinfo=UTC)
    for _ in range(40):
        spoiled = copy.deepcopy(tables)
        for _ in range(rnd.randint(0, 4)):
            i = rnd.randrange(len(spoiled["entries"]))
            row = list(spoiled["entries"][i])
            column = rnd.randrange(1, len(row))
            row[column] = rnd.choice(values)
            spoiled["entries"][i] = tuple(row)
        try:
            expected = transfer.dumps(transfer.document(spoiled, when, "0", "m"), indented=False)
        except (ValueError, TypeError) as e:  # data that is not JSON: the same error either way
            with pytest.raises(type(e)):
                transfer.compact_text(spoiled, when, "0", "m")
            continue
        assert transfer.compact_text(spoiled, when, "0", "m") == expected


@pytest.mark.parametrize("seed", range(3))
def test_export_writes_stored_ids_and_times_as_they_are_as_json_would(run, clock, db_path, monkeypatch, tmp_path,
                                                                      seed):
    """Stable ids and times as the store writes them go into the export as they are
    (`transfer._entry_texts_as_stored`): the same text as json's encoder makes of each, on a sample diary
    spoiled at random in SQL."""
    from datetime import UTC, datetime

    fill(run, db_path)
    when = datetime(2026, 11, 30, tzinfo=UTC)
    rnd = random.Random(seed)

    def spoil(conn, n, columns):
        # an entry retracted: often a take with no reason, note or data
        conn.execute("UPDATE retractions SET entry_id = ? WHERE id = (SELECT min(id) FROM retractions"
                     " WHERE entry_id IS NOT NULL)", (rnd.randint(1, n),))
        for _ in range(rnd.randint(0, 4)):
            column, row = rnd.choice(columns), rnd.randint(1, n)
            conn.execute(f"UPDATE entries SET {column} = ? WHERE id = ?", (rnd.choice(SQL_SPOILERS), row))

    for path in spoiled_copies(db_path, tmp_path, 20, spoil):
        s = store.Store(path)
        try:
            tables = {t: s.rows(t) for t in TRAVELLING_TABLES if t != "entries"}
            tables["entries"] = s.row_tuples("entries", transfer.ENTRY_FIELDS)
        finally:
            s.close()
        made = written(lambda: transfer.compact_text(tables, when, "0", "m"))
        with monkeypatch.context() as m:
            m.setattr(transfer, "_entry_texts_as_stored", transfer._entry_texts)
            assert written(lambda: transfer.compact_text(tables, when, "0", "m")) == made


def written(make):
    """The text made, or the error it ends with."""
    try:
        return make()
    except Exception as e:  # noqa: BLE001 - compared, not hidden
        return type(e).__name__, str(e)


def read_or_refusal(text, doc, now):
    try:
        return transfer.read_document(text, "d.json", frozenset(), now, doc)
    except errors.UsageError as e:
        return str(e)


@pytest.mark.parametrize("seed", range(4))
def test_import_reads_entries_at_once_as_one_by_one_would(tables, monkeypatch, seed):
    from datetime import UTC, datetime

    rnd = random.Random(seed)
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    tables["entries"] = [tuple(e[c] for c in transfer.ENTRY_FIELDS) for e in tables["entries"]]
    text = transfer.dumps(transfer.document(tables, now, "0", "m"), indented=False)
    base = json.loads(text)
    entries = base["entries"]
    others = ["0" * 32, entries[0]["uid"], base["medications"][0]["uid"], "2026-11-30T13:00:00+00:00", "2199-12-31T23:59:59+00:00",
              "2026-11-26T07:03:00.5+00:00", "2026-11-26T07:03:00Z", {"uid": "1" * 32, "at_utc": "2026-11-26T07:03:00+00:00",
                                                                     "tz": "UTC", "reason": None},
              {"score": 5}, {}, [], 1.0, 50, 50.0, False, 10**13, "  ", "Zoloft"]
    for _ in range(30):
        doc = copy.deepcopy(base)
        for _ in range(rnd.randint(0, 3)):
            e = rnd.choice(doc["entries"])
            key = rnd.choice(transfer._ENTRY_KEYS)
            if rnd.random() < 0.05:
                del e[key]
            else:
                e[key] = rnd.choice(entries)[key] if rnd.random() < 0.3 else rnd.choice(SPOILERS[:-3] + others)
        if rnd.random() < 0.1:
            doc["entries"].append(rnd.choice(doc["entries"]))
        at_once = read_or_refusal(text, doc, now)
        with monkeypatch.context() as m:
            m.setattr(transfer, "_entries_at_once", lambda *args: None)
            assert read_or_refusal(text, copy.deepcopy(doc), now) == at_once


def read_in_pieces(text, doc, now, piece, monkeypatch):
    """read_document sending its entries in pieces: (records, the rows of the pieces sent), a refusal's
    words, or "not at once"."""
    sent = []
    with monkeypatch.context() as m:
        m.setattr(transfer, "PIECE", piece)
        try:
            records = transfer.read_document(text, "d.json", frozenset(), now, doc, send=lambda r, p: sent.append(p))
        except errors.UsageError as e:
            return str(e)
        except transfer.NotAtOnce:
            return "not at once"
    return records, [row for p in sent for row in p]


@pytest.mark.parametrize("seed", range(4))
def test_entries_read_in_pieces_are_read_as_all_at_once(tables, monkeypatch, seed):
    """A restore into a new diary checks the entries a few thousand at a time and writes each piece while
    the next is checked: what holds across pieces (each stable id once, one kind of number in a column, an
    answer's question anywhere in the document) must hold as it does over all of them at once."""
    from datetime import UTC, datetime

    rnd = random.Random(seed)
    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    tables["entries"] = [tuple(e[c] for c in transfer.ENTRY_FIELDS) for e in tables["entries"]]
    base = json.loads(transfer.dumps(transfer.document(tables, now, "0", "m"), indented=False))
    entries = base["entries"]
    for _ in range(30):
        doc = copy.deepcopy(base)
        for _ in range(rnd.randint(0, 2)):
            e = rnd.choice(doc["entries"])
            key = rnd.choice(transfer._ENTRY_KEYS)
            e[key] = rnd.choice(entries)[key] if rnd.random() < 0.5 else rnd.choice(SPOILERS[:-3] + [50, 50.0, True])
        if rnd.random() < 0.2:
            doc["entries"].append(copy.deepcopy(rnd.choice(doc["entries"])))  # a stable id twice, far apart
        if rnd.random() < 0.3:
            doc["entries"].reverse()  # answers before their questions
        whole = read_in_pieces("", copy.deepcopy(doc), now, 10**6, monkeypatch)
        pieces = read_in_pieces("", copy.deepcopy(doc), now, rnd.choice([1, 3, 7]), monkeypatch)
        assert (pieces[0] if isinstance(pieces, tuple) else pieces) == (whole[0] if isinstance(whole, tuple) else whole)
        if isinstance(pieces, tuple):
            assert pieces[1] == list(pieces[0]["entries"])  # the pieces sent are the entries, in order
            assert pieces[0] == read_or_refusal("", copy.deepcopy(doc), now)  # as the usual way reads them


def test_an_import_that_fails_into_an_empty_diary_leaves_it_as_it_was_index_included(tables, tmp_path):
    import sqlite3
    from datetime import UTC, datetime

    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    tables["entries"] = [tuple(e[c] for c in transfer.ENTRY_FIELDS) for e in tables["entries"]]
    text = transfer.dumps(transfer.document(tables, now, "0", "m"), indented=False)
    records = transfer.read_document(text, "d.json", frozenset(), now)
    rows = list(records["entries"])
    rows[-1]["kind"] = None  # refused by the table (NOT NULL) after the rows before it went in
    records["entries"] = EntryRows.of(rows)
    s = store.Store(tmp_path / "new.db")
    try:
        before = s.dump()
        with pytest.raises(sqlite3.IntegrityError):
            s.merge(records, now, "UTC")
        assert s.dump() == before
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert "CREATE UNIQUE INDEX entries_by_uid ON entries(uid)" in before
        assert "CREATE INDEX entries_by_kind ON entries(kind, at_utc)" in before
    finally:
        s.close()


@pytest.mark.parametrize("odd", [None, "at_utc", "uid"])
def test_entries_go_in_as_one_statement_as_they_would_one_by_one(tables, tmp_path, odd):
    """The entries' own values go in as fixed-width columns in one statement; a column of another width or
    not ASCII (never so in a document that passed the checks) goes in a statement per entry."""
    from datetime import UTC, datetime

    now = datetime(2026, 11, 30, 12, tzinfo=UTC)
    tables["entries"] = [tuple(e[c] for c in transfer.ENTRY_FIELDS) for e in tables["entries"]]
    text = transfer.dumps(transfer.document(tables, now, "0", "m"), indented=False)
    rows = list(transfer.read_document(text, "d.json", frozenset(), now)["entries"])
    if odd == "at_utc":
        rows[3]["at_utc"] = rows[3]["at_utc"].replace("+00:00", ".5+00:00")
    elif odd == "uid":
        rows[3]["uid"] = rows[3]["uid"][:-1] + "é"
    records = transfer.read_document(text, "d.json", frozenset(), now)
    records["entries"] = EntryRows.of(rows)
    s = store.Store(tmp_path / "new.db")
    try:
        s.merge(records, now, "UTC")
        columns = ("uid", "at_utc", "recorded_at_utc", "kind", "tz", "dose_amount", "dose_unit", "reason", "note",
                   "forced", "data")
        stored = s.conn.execute(f"SELECT {', '.join(columns)}, (SELECT uid FROM medications m WHERE m.id ="
                                " medication_id) FROM entries ORDER BY id").fetchall()
    finally:
        s.close()
    assert [tuple(r) for r in stored] == [(*(r[c] for c in columns), r["medication_uid"]) for r in rows]
    assert len(rows) > 30 and rows[3]["uid"] == stored[3][0] and rows[3]["at_utc"] == stored[3][1]
