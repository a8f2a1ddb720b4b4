"""The schema of a new diary: what the migrations of meddiary.store.schema make of an empty file, made
without importing sqlite-utils. Generated: python -m meddiary.store.schema > src/meddiary/store/fresh.py
"""

MIGRATED = ('m001_medications', 'm002_regimens', 'm003_entries', 'm004_retractions', 'm005_records', 'm006_schedules', 'm007_entry_zones', 'm008_report_reach', 'm009_day_results')

STATEMENTS = (
    'CREATE TABLE "_sqlite_migrations" (\n   "id" INTEGER PRIMARY KEY,\n   "migration_set" TEXT,\n   "name" TEXT,\n   "applied_at" TEXT\n)',
    'CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"\n    ON "_sqlite_migrations" ("migration_set", "name")',
    'CREATE TABLE medications (\n                id INTEGER PRIMARY KEY,\n                name TEXT NOT NULL UNIQUE COLLATE NOCASE,\n                as_needed INTEGER NOT NULL DEFAULT 0,\n                purpose TEXT,\n                note TEXT,\n                created_at_utc TEXT NOT NULL,\n                created_tz TEXT NOT NULL\n            , uid TEXT)',
    'CREATE TABLE aliases (\n                id INTEGER PRIMARY KEY,\n                medication_id INTEGER NOT NULL REFERENCES medications(id),\n                alias TEXT NOT NULL UNIQUE COLLATE NOCASE,\n                created_at_utc TEXT NOT NULL\n            , uid TEXT)',
    'CREATE TABLE regimens (\n                id INTEGER PRIMARY KEY,\n                medication_id INTEGER NOT NULL REFERENCES medications(id),\n                start_date TEXT NOT NULL,\n                kind TEXT NOT NULL,\n                dose_amount REAL,\n                dose_unit TEXT,\n                times_local TEXT,\n                weekdays TEXT,\n                every_days INTEGER,\n                max_per_day INTEGER,\n                min_interval_minutes INTEGER,\n                reason TEXT,\n                created_at_utc TEXT NOT NULL,\n                created_tz TEXT NOT NULL\n            , uid TEXT, units_per_dose REAL, strength_amount REAL, strength_unit TEXT, schedule TEXT, doses_local TEXT, every_months INTEGER, cycle_on INTEGER, cycle_off INTEGER, anchor_date TEXT, window_days INTEGER, max_amount REAL, prn_amount REAL)',
    'CREATE INDEX regimens_by_medication ON regimens(medication_id, start_date)',
    'CREATE TABLE entries (\n                id INTEGER PRIMARY KEY,\n                kind TEXT NOT NULL,\n                medication_id INTEGER REFERENCES medications(id),\n                at_utc TEXT NOT NULL,\n                tz TEXT NOT NULL,\n                dose_amount REAL,\n                dose_unit TEXT,\n                reason TEXT,\n                note TEXT,\n                forced INTEGER NOT NULL DEFAULT 0,\n                recorded_at_utc TEXT NOT NULL\n            , uid TEXT, data TEXT)',
    'CREATE INDEX entries_by_time ON entries(at_utc)',
    'CREATE INDEX entries_by_medication ON entries(medication_id, at_utc)',
    'CREATE TABLE retractions (\n                id INTEGER PRIMARY KEY,\n                entry_id INTEGER UNIQUE REFERENCES entries(id),\n                regimen_id INTEGER UNIQUE REFERENCES regimens(id),\n                at_utc TEXT NOT NULL,\n                tz TEXT NOT NULL,\n                reason TEXT\n            , uid TEXT)',
    'CREATE UNIQUE INDEX medications_by_uid ON medications(uid)',
    'CREATE UNIQUE INDEX aliases_by_uid ON aliases(uid)',
    'CREATE UNIQUE INDEX regimens_by_uid ON regimens(uid)',
    'CREATE UNIQUE INDEX entries_by_uid ON entries(uid)',
    'CREATE UNIQUE INDEX retractions_by_uid ON retractions(uid)',
    'CREATE INDEX entries_by_kind ON entries(kind, at_utc)',
    'CREATE TABLE settings (\n                id INTEGER PRIMARY KEY,\n                uid TEXT NOT NULL UNIQUE,\n                key TEXT NOT NULL,\n                value TEXT,\n                at_utc TEXT NOT NULL,\n                tz TEXT NOT NULL\n            )',
    'CREATE INDEX settings_by_key ON settings(key, id)',
    'CREATE TABLE reminders (\n                id INTEGER PRIMARY KEY,\n                key TEXT NOT NULL,\n                at_utc TEXT NOT NULL\n            )',
    'CREATE INDEX reminders_by_key ON reminders(key, at_utc)',
    'CREATE INDEX entries_by_tz ON entries(tz)',
    "CREATE INDEX entries_by_symptom ON entries((CASE WHEN json_valid(data) THEN json_extract(data, '$.symptom') END), at_utc) WHERE kind = 'side_effect'",
    "CREATE INDEX entries_by_question ON entries((CASE WHEN json_valid(data) THEN json_extract(data, '$.question') END)) WHERE kind = 'answer'",
    "CREATE INDEX entries_by_refill ON entries(medication_id, at_utc, id, (CASE WHEN json_valid(data) THEN json_extract(data, '$.qty') END), (CASE WHEN json_valid(data) THEN json_extract(data, '$.days_supply') END)) WHERE kind = 'refill'",
    'CREATE TABLE day_results (\n                day TEXT NOT NULL,\n                medication_id INTEGER NOT NULL,\n                zone TEXT NOT NULL,\n                window_s INTEGER NOT NULL,\n                rules INTEGER NOT NULL,\n                slots INTEGER NOT NULL,\n                taken INTEGER NOT NULL,\n                on_time INTEGER NOT NULL,\n                skipped INTEGER NOT NULL,\n                missed INTEGER NOT NULL,\n                extras INTEGER NOT NULL,\n                took INTEGER NOT NULL,\n                recorded INTEGER NOT NULL,\n                uses INTEGER NOT NULL,\n                most_amount REAL,\n                most_uses INTEGER,\n                detail TEXT,\n                PRIMARY KEY (day, medication_id)\n            )',
    "CREATE TRIGGER day_results_entries_changed AFTER UPDATE ON entries WHEN EXISTS (SELECT 1 FROM day_results) BEGIN DELETE FROM day_results WHERE day >= date(min(OLD.at_utc, NEW.at_utc), '-' || (SELECT 3 + 2 * coalesce(max(window_days), 0) FROM regimens) || ' days'); END",
    "CREATE TRIGGER day_results_entries_removed AFTER DELETE ON entries WHEN EXISTS (SELECT 1 FROM day_results) BEGIN DELETE FROM day_results WHERE day >= date(OLD.at_utc, '-' || (SELECT 3 + 2 * coalesce(max(window_days), 0) FROM regimens) || ' days'); END",
    "CREATE TRIGGER day_results_retracted AFTER INSERT ON retractions WHEN EXISTS (SELECT 1 FROM day_results) BEGIN DELETE FROM day_results WHERE day >= date((SELECT at_utc FROM entries WHERE id = NEW.entry_id), '-' || (SELECT 3 + 2 * coalesce(max(window_days), 0) FROM regimens) || ' days') OR medication_id = (SELECT medication_id FROM regimens WHERE id = NEW.regimen_id); END",
    "CREATE TRIGGER day_results_unretracted AFTER DELETE ON retractions WHEN EXISTS (SELECT 1 FROM day_results) BEGIN DELETE FROM day_results WHERE day >= date((SELECT at_utc FROM entries WHERE id = OLD.entry_id), '-' || (SELECT 3 + 2 * coalesce(max(window_days), 0) FROM regimens) || ' days') OR medication_id = (SELECT medication_id FROM regimens WHERE id = OLD.regimen_id); END",
    'CREATE TRIGGER day_results_regimens_added AFTER INSERT ON regimens WHEN EXISTS (SELECT 1 FROM day_results) BEGIN DELETE FROM day_results WHERE medication_id = NEW.medication_id; END',
    'CREATE TRIGGER day_results_regimens_changed AFTER UPDATE ON regimens WHEN EXISTS (SELECT 1 FROM day_results) BEGIN DELETE FROM day_results WHERE medication_id IN (OLD.medication_id, NEW.medication_id); END',
    'CREATE TRIGGER day_results_regimens_removed AFTER DELETE ON regimens WHEN EXISTS (SELECT 1 FROM day_results) BEGIN DELETE FROM day_results WHERE medication_id = OLD.medication_id; END',
    'CREATE TRIGGER day_results_medications_changed AFTER UPDATE ON medications WHEN EXISTS (SELECT 1 FROM day_results) BEGIN DELETE FROM day_results WHERE medication_id = OLD.id; END',
    'CREATE TRIGGER day_results_medications_removed AFTER DELETE ON medications WHEN EXISTS (SELECT 1 FROM day_results) BEGIN DELETE FROM day_results WHERE medication_id = OLD.id; END',
    'CREATE TRIGGER day_results_settings_added AFTER INSERT ON settings WHEN EXISTS (SELECT 1 FROM day_results) BEGIN DELETE FROM day_results WHERE 1; END',
)
