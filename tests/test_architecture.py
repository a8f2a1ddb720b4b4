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


# -- no import cycle ------------------------------------------------------------------------------------

def module_graph() -> dict[str, set[str]]:
    """meddiary's modules and the meddiary modules each imports, at the top or inside a function (an import
    inside a function is an edge too: it runs whenever that function does)."""
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(("meddiary", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        mods[name] = path
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                graph[name] |= {a.name for a in node.names if a.name in mods}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(parts + ([node.module] if node.module else []))
                for a in node.names:
                    graph[name] |= {f"{base}.{a.name}"} if f"{base}.{a.name}" in mods else ({base} if base in mods else set())
        graph[name].discard(name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_anywhere_in_the_package():
    assert cycles(module_graph()) == []


def test_the_cycle_finder_finds_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    graph = module_graph()
    assert {"meddiary.store.glance", "meddiary.loaders"} <= graph["meddiary.usecases.due"]  # inside functions too


def test_the_entry_module_holds_no_domain_code():
    """One small door: it imports the grammar, the use cases and the Typer CLI, and nothing of the domain."""
    graph = module_graph()
    assert graph["meddiary.entry"] <= {"meddiary.grammar", "meddiary.roothelp", "meddiary.actions", "meddiary.errors",
                                        "meddiary.cli", "meddiary.usecases", "meddiary.usecases.due",
                                        "meddiary.usecases.today", "meddiary.usecases.take", "meddiary.usecases.skip",
                                        "meddiary.usecases.mood", "meddiary.usecases.report", "meddiary.screen"}
    assert len((PACKAGE / "entry.py").read_text().splitlines()) < 150


def test_no_name_is_defined_twice_in_a_class_or_module():
    """A second `def` of a name silently replaces the first (two Store methods once shared a name, and the
    report's call of the first failed at run time)."""
    twice = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Module, ast.ClassDef)):
                seen: set[str] = set()
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                        if item.name in seen and not any(isinstance(d, ast.Attribute) and d.attr in
                                                         ("setter", "deleter", "register") for d in item.decorator_list):
                            twice.append(f"{path.relative_to(PACKAGE)}: {item.name}")
                        seen.add(item.name)
    assert twice == []
