"""The shape of the code (issue 14): the store package is the only door to SQLite."""

import ast
import re
from pathlib import Path

import meddiary

PACKAGE = Path(meddiary.__file__).parent
STORE = PACKAGE / "store"

# Modules that still run SQL of their own, each until the named piece of work moves it into the store.
NOT_YET_THROUGH_THE_STORE: dict[str, str] = {}

# meddiary writes SQL in capitals: a sentence that starts "Select the medication…" is not a statement, nor is
# iCalendar's "BEGIN:VEVENT" (a keyword is followed by a space, a semicolon or the end)
SQL_STATEMENT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|BEGIN|COMMIT|ROLLBACK|ALTER|DROP|ATTACH|DETACH"
                           r"|VACUUM)"
                           r"(\s|;|$)")
DB_CALLS = {"execute", "executemany", "executescript", "iterdump"}


def sql_in(source: str) -> list[str]:
    """What in a module's source talks to SQLite: calls of a connection's methods, `sqlite3.connect`, and
    string constants that are SQL statements (a docstring that mentions SELECT in a sentence is not)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            target = node.func.value
            if name in DB_CALLS:
                found.append(f"line {node.lineno}: .{name}(")
            if name == "connect" and isinstance(target, ast.Name) and target.id in ("sqlite3", "dbapi2"):
                found.append(f"line {node.lineno}: {target.id}.connect(")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if SQL_STATEMENT.match(node.value):
                found.append(f"line {node.lineno}: {node.value.strip()[:40]!r}")
    return found


def modules_outside_the_store() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if STORE not in p.parents)


def test_no_sql_outside_the_store():
    offenders = {}
    for path in modules_outside_the_store():
        name = str(path.relative_to(PACKAGE))
        if name in NOT_YET_THROUGH_THE_STORE:
            continue
        found = sql_in(path.read_text(encoding="utf-8"))
        if found:
            offenders[name] = found
    assert offenders == {}, "SQL outside meddiary.store (move it into a store function): " + repr(offenders)


def test_the_allow_list_names_modules_that_still_need_it():
    """An entry in the allow-list whose module no longer runs SQL is removed, so the list only shrinks."""
    for name in NOT_YET_THROUGH_THE_STORE:
        path = PACKAGE / name
        assert path.exists() and sql_in(path.read_text(encoding="utf-8")), \
            f"{name} runs no SQL any more: take it off NOT_YET_THROUGH_THE_STORE"


def test_the_scan_finds_what_it_looks_for():
    source = '''
import sqlite3
def f(conn):
    """Shows what the SELECT of a report covers: words in a docstring are not SQL."""
    conn.execute("SELECT 1")
    sqlite3.connect("x.db")
    q = f"""
        INSERT INTO entries VALUES (?)"""
    return "PRAGMA journal_mode = WAL"
'''
    found = sql_in(source)
    assert len(found) == 5, found  # execute, its SELECT, connect, the f-string's INSERT, the PRAGMA
    assert sql_in('"""Select the medication you take, then update the note."""\nx = "deleted entries are kept"') == []
    assert sql_in('lines = ["BEGIN:VCALENDAR", "BEGIN:VEVENT"]') == []
    assert len(sql_in('x = "BEGIN IMMEDIATE"\ny = "COMMIT"\nz = "BEGIN"')) == 3


def test_the_scan_covers_every_module():
    names = {str(p.relative_to(PACKAGE)) for p in modules_outside_the_store()}
    assert {"cli.py", "backup.py", "integrity.py", "entry.py", "transfer.py"} <= names
    assert not any(n.startswith("store") for n in names)
