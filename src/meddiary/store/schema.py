"""The diary's schema: its migrations (sqlite-utils' `Migrations`, ledger in `_sqlite_migrations`) and the
names of its tables and columns that travel between diaries.

Append-only: a shipped migration is never edited; a change is a new one, with its name added to
MIGRATION_NAMES (a test checks the two agree). Importing this module is cheap: sqlite-utils is imported only
when a migration is pending in a diary that has tables already. A new diary (a new or empty file) is made
from meddiary.store.fresh, what these migrations make of an empty file, generated from them:

    python -m meddiary.store.schema > src/meddiary/store/fresh.py

(a test checks it is up to date, and a diary made from it is the one the migrations make).
"""

from meddiary.model import REGIMEN_SHAPE

MIGRATION_SET = "meddiary"
# The names of the migrations below, in order, so opening an up-to-date diary needs no sqlite-utils
# import. A test checks this against the registered migrations. Append-only: never edit a shipped one.
MIGRATION_NAMES = ("m001_medications", "m002_regimens", "m003_entries", "m004_retractions", "m005_records",
                   "m006_schedules", "m007_entry_zones", "m008_report_reach", "m009_day_results")
# The JSON fields m008 indexes, for the queries to spell exactly so (SQLite uses an index on an expression
# only for the same expression)
SYMPTOM = "(CASE WHEN json_valid(data) THEN json_extract(data, '$.symptom') END)"
ANSWERED = "(CASE WHEN json_valid(data) THEN json_extract(data, '$.question') END)"
REFILL_QTY = "(CASE WHEN json_valid(data) THEN json_extract(data, '$.qty') END)"
REFILL_DAYS = "(CASE WHEN json_valid(data) THEN json_extract(data, '$.days_supply') END)"


def migrations():
    """sqlite-utils' migration set for the diary (imported only when a migration is pending)."""
    from sqlite_utils.migrations import Migrations

    m = Migrations(MIGRATION_SET)

    @m(name="m001_medications")
    def m001(db):
        db.execute("""
            CREATE TABLE medications (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                as_needed INTEGER NOT NULL DEFAULT 0,
                purpose TEXT,
                note TEXT,
                created_at_utc TEXT NOT NULL,
                created_tz TEXT NOT NULL
            )""")
        db.execute("""
            CREATE TABLE aliases (
                id INTEGER PRIMARY KEY,
                medication_id INTEGER NOT NULL REFERENCES medications(id),
                alias TEXT NOT NULL UNIQUE COLLATE NOCASE,
                created_at_utc TEXT NOT NULL
            )""")

    @m(name="m002_regimens")
    def m002(db):
        db.execute("""
            CREATE TABLE regimens (
                id INTEGER PRIMARY KEY,
                medication_id INTEGER NOT NULL REFERENCES medications(id),
                start_date TEXT NOT NULL,
                kind TEXT NOT NULL,
                dose_amount REAL,
                dose_unit TEXT,
                times_local TEXT,
                weekdays TEXT,
                every_days INTEGER,
                max_per_day INTEGER,
                min_interval_minutes INTEGER,
                reason TEXT,
                created_at_utc TEXT NOT NULL,
                created_tz TEXT NOT NULL
            )""")
        db.execute("CREATE INDEX regimens_by_medication ON regimens(medication_id, start_date)")

    @m(name="m003_entries")
    def m003(db):
        db.execute("""
            CREATE TABLE entries (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                medication_id INTEGER REFERENCES medications(id),
                at_utc TEXT NOT NULL,
                tz TEXT NOT NULL,
                dose_amount REAL,
                dose_unit TEXT,
                reason TEXT,
                note TEXT,
                forced INTEGER NOT NULL DEFAULT 0,
                recorded_at_utc TEXT NOT NULL
            )""")
        db.execute("CREATE INDEX entries_by_time ON entries(at_utc)")
        db.execute("CREATE INDEX entries_by_medication ON entries(medication_id, at_utc)")

    @m(name="m004_retractions")
    def m004(db):
        db.execute("""
            CREATE TABLE retractions (
                id INTEGER PRIMARY KEY,
                entry_id INTEGER UNIQUE REFERENCES entries(id),
                regimen_id INTEGER UNIQUE REFERENCES regimens(id),
                at_utc TEXT NOT NULL,
                tz TEXT NOT NULL,
                reason TEXT
            )""")

    @m(name="m005_records")
    def m005(db):
        # Stable ids (for export, import and merging two diaries), the kind-specific fields of the further
        # entry kinds (mood, side_effect, check, question, answer, visit, refill, count) as a JSON object,
        # supply facts on regimens, settings (a log: the latest value of a key wins) and reminder state.
        for table in ("medications", "aliases", "regimens", "entries", "retractions"):
            db.execute(f"ALTER TABLE {table} ADD COLUMN uid TEXT")
            db.execute(f"UPDATE {table} SET uid = lower(hex(randomblob(16))) WHERE uid IS NULL")
            db.execute(f"CREATE UNIQUE INDEX {table}_by_uid ON {table}(uid)")
        db.execute("ALTER TABLE entries ADD COLUMN data TEXT")
        db.execute("CREATE INDEX entries_by_kind ON entries(kind, at_utc)")
        db.execute("ALTER TABLE regimens ADD COLUMN units_per_dose REAL")
        db.execute("ALTER TABLE regimens ADD COLUMN strength_amount REAL")
        db.execute("ALTER TABLE regimens ADD COLUMN strength_unit TEXT")
        db.execute("""
            CREATE TABLE settings (
                id INTEGER PRIMARY KEY,
                uid TEXT NOT NULL UNIQUE,
                key TEXT NOT NULL,
                value TEXT,
                at_utc TEXT NOT NULL,
                tz TEXT NOT NULL
            )""")
        db.execute("CREATE INDEX settings_by_key ON settings(key, id)")
        db.execute("""
            CREATE TABLE reminders (
                id INTEGER PRIMARY KEY,
                key TEXT NOT NULL,
                at_utc TEXT NOT NULL
            )""")
        db.execute("CREATE INDEX reminders_by_key ON reminders(key, at_utc)")

    @m(name="m006_schedules")
    def m006(db):
        # Schedule kinds as one stored field, a dose per time of day, calendar months, cycles, long-acting
        # injections' windows, as-needed limits by amount and an as-needed part beside a schedule. Regimens
        # made before are given their kind from their fields (the rule of model.schedule_of).
        for column, kind in (("schedule", "TEXT"), ("doses_local", "TEXT"), ("every_months", "INTEGER"),
                             ("cycle_on", "INTEGER"), ("cycle_off", "INTEGER"), ("anchor_date", "TEXT"),
                             ("window_days", "INTEGER"), ("max_amount", "REAL"), ("prn_amount", "REAL")):
            db.execute(f"ALTER TABLE regimens ADD COLUMN {column} {kind}")
        db.execute("""
            UPDATE regimens SET schedule = CASE
                WHEN kind = 'stop' THEN NULL
                WHEN times_local IS NULL OR times_local = '' THEN 'as_needed'
                WHEN weekdays IS NOT NULL AND weekdays != '' THEN 'weekdays'
                WHEN every_days > 1 THEN 'every'
                ELSE 'daily' END""")

    @m(name="m007_entry_zones")
    def m007(db):
        # Each day is judged in the zone its entries were recorded in (meddiary.travel): whether a diary
        # holds any zone but the person's current one is one look-up in this index.
        db.execute("CREATE INDEX entries_by_tz ON entries(tz)")

    @m(name="m008_report_reach")
    def m008(db):
        # What a report reads from outside its period, through an index instead of every row of the kind
        # (meddiary.store.diary: side_effects_reaching, open_questions, refill_amounts): a symptom's logs by
        # its spelling, answers by the question they answer, a medication's refills in time order with their
        # quantity and days' supply (taken from the index: not each refill's JSON parsed, over decades of
        # them; `id` orders refills at the same instant, which SQLite would otherwise sort afterwards).
        # The JSON fields are read only from valid JSON, so a damaged row cannot stop the migration.
        db.execute(f"CREATE INDEX entries_by_symptom ON entries({SYMPTOM}, at_utc) WHERE kind = 'side_effect'")
        db.execute(f"CREATE INDEX entries_by_question ON entries({ANSWERED}) WHERE kind = 'answer'")
        db.execute(f"CREATE INDEX entries_by_refill ON entries(medication_id, at_utc, id, {REFILL_QTY}, {REFILL_DAYS})"
                   " WHERE kind = 'refill'")

    @m(name="m009_day_results")
    def m009(db):
        # Derived, never exported: each medication's counted doses per closed local day (meddiary.dayresults),
        # so a report over years reads days, not doses. Triggers forget what a write may change: every day from
        # a changed or retracted entry's (less twice the widest injection window and a margin) onwards, a
        # medication's days when it or its regimens change, and everything when a setting does. Forgotten
        # days are counted again by the next long report. A new entry is forgotten from by the Store's two
        # writers of entries (Store.forget_days_from): a trigger on inserting entries would give every row of
        # an import a statement journal (0.7 s more for ten years).
        db.execute("""
            CREATE TABLE day_results (
                day TEXT NOT NULL,
                medication_id INTEGER NOT NULL,
                zone TEXT NOT NULL,
                window_s INTEGER NOT NULL,
                rules INTEGER NOT NULL,
                slots INTEGER NOT NULL,
                taken INTEGER NOT NULL,
                on_time INTEGER NOT NULL,
                skipped INTEGER NOT NULL,
                missed INTEGER NOT NULL,
                extras INTEGER NOT NULL,
                took INTEGER NOT NULL,
                recorded INTEGER NOT NULL,
                uses INTEGER NOT NULL,
                most_amount REAL,
                most_uses INTEGER,
                detail TEXT,
                PRIMARY KEY (day, medication_id)
            )""")
        # An entry may change its day and the two before (a dose it names with --for, a zone's day boundary), and
        # an injection the day of the dose it fills, up to its window earlier, and of one it takes over from an
        # earlier injection, a window earlier again.
        since = ("day >= date({at}, '-' || (SELECT 3 + 2 * coalesce(max(window_days), 0) FROM regimens) || ' days')")
        when = "WHEN EXISTS (SELECT 1 FROM day_results)"
        forget = {
            "entries_changed AFTER UPDATE ON entries": since.format(at="min(OLD.at_utc, NEW.at_utc)"),
            "entries_removed AFTER DELETE ON entries": since.format(at="OLD.at_utc"),
            "retracted AFTER INSERT ON retractions":
                since.format(at="(SELECT at_utc FROM entries WHERE id = NEW.entry_id)")
                + " OR medication_id = (SELECT medication_id FROM regimens WHERE id = NEW.regimen_id)",
            "unretracted AFTER DELETE ON retractions":
                since.format(at="(SELECT at_utc FROM entries WHERE id = OLD.entry_id)")
                + " OR medication_id = (SELECT medication_id FROM regimens WHERE id = OLD.regimen_id)",
            "regimens_added AFTER INSERT ON regimens": "medication_id = NEW.medication_id",
            "regimens_changed AFTER UPDATE ON regimens": "medication_id IN (OLD.medication_id, NEW.medication_id)",
            "regimens_removed AFTER DELETE ON regimens": "medication_id = OLD.medication_id",
            "medications_changed AFTER UPDATE ON medications": "medication_id = OLD.id",
            "medications_removed AFTER DELETE ON medications": "medication_id = OLD.id",
            "settings_added AFTER INSERT ON settings": "1",
        }
        for head, where in forget.items():
            name, event = head.split(" ", 1)
            db.execute(f"CREATE TRIGGER day_results_{name} {event} {when} BEGIN"
                       f" DELETE FROM day_results WHERE {where}; END")

    return m


TRAVELLING_TABLES = ("medications", "aliases", "regimens", "entries", "retractions", "settings")
# the regimens table's columns that travel, in order: the one shape of a regimen (model.REGIMEN_SHAPE)
REGIMEN_COLUMNS = tuple(s.column for s in REGIMEN_SHAPE)
ENTRY_COLUMNS = ("kind", "at_utc", "tz", "dose_amount", "dose_unit", "reason", "note", "forced",
                 "recorded_at_utc", "data")


def fresh_statements() -> list[str]:
    """What the migrations make of an empty database, as the statements that make it again: every table,
    index and trigger of sqlite_master (SQLite's own indexes aside), in the order they were made."""
    import sqlite3

    from sqlite_utils import Database

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        migrations().apply(Database(conn, execute_plugins=False))
        return [sql for (sql,) in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")]
    finally:
        conn.close()


def fresh_module() -> str:
    """The text of meddiary.store.fresh."""
    lines = ['"""The schema of a new diary: what the migrations of meddiary.store.schema make of an empty file, made',
             'without importing sqlite-utils. Generated: python -m meddiary.store.schema > src/meddiary/store/fresh.py',
             '"""', "", f"MIGRATED = {MIGRATION_NAMES!r}", "", "STATEMENTS = ("]
    lines += [f"    {sql!r}," for sql in fresh_statements()]
    return "\n".join(lines + [")", ""])


if __name__ == "__main__":
    import sys

    sys.stdout.write(fresh_module())
