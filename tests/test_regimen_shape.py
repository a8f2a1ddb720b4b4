"""One regimen shape (model.REGIMEN_SHAPE): a row of the regimens table, the Regimen read from it and the
regimen an export carries are the same fields, each converted one way and back without loss."""

from meddiary import model, store
from meddiary.regimens import SCHEDULE_FIELDS, as_dict


def regimen_rows(db_path) -> list[dict]:
    s = store.Store(db_path)
    try:
        return s.rows("regimens")
    finally:
        s.close()


def test_every_kind_of_schedule_goes_row_to_model_to_row_and_to_export_and_back(run, clock, db_path):
    run("add", "lithium", "--at", "08:00=400mg,20:00=600mg", "--start", "2026-10-01", "--strength", "200mg")
    run("add", "methylphenidate", "--dose", "10mg", "--at", "07:00,12:00", "--days", "mon,tue,wed,thu,fri")
    run("add", "paliperidone", "--dose", "100mg", "--at", "10:00", "--every", "4w", "--window", "7d",
        "--start", "2026-10-05")
    run("add", "estradiol", "--dose", "2mg", "--at", "08:00", "--cycle", "21/7", "--start", "2026-10-03")
    run("add", "propranolol", "--as-needed", "--dose", "10mg", "--max-per-day", "4", "--min-interval", "2h",
        "--max-amount", "40mg")
    run("add", "quetiapine", "--dose", "25mg", "--at", "22:00", "--every", "2d", "--start", "2026-10-02")
    run("change", "lithium", "--dose", "20:00=800mg", "--from", "2026-11-01", "--reason", "level 0.5")
    run("stop", "quetiapine", "--on", "2026-11-20")
    rows = regimen_rows(db_path)
    assert len(rows) == 8
    for row in rows:
        r = model.regimen_from_row(row)
        back = model.regimen_columns({s.field: getattr(r, s.field) for s in model.REGIMEN_SHAPE
                                      if s.field not in ("created_at", "created_tz")})
        assert {c: v for c, v in back.items() if c not in ("created_at_utc", "created_tz")} == \
            {c: row[c] for c in back if c not in ("created_at_utc", "created_tz")}
        exported = model.regimen_export(row, None)
        assert [k for k in exported if k not in ("uid", "retracted")] == [s.exported for s in model.REGIMEN_SHAPE]
        for s in model.REGIMEN_SHAPE:
            value = exported[s.exported]
            assert (s.from_export(value) if s.from_export else value) == row[s.column], s.column
        assert set(as_dict(r)) == set(SCHEDULE_FIELDS)


def test_the_stored_columns_are_the_shapes():
    assert store.REGIMEN_COLUMNS == tuple(s.column for s in model.REGIMEN_SHAPE)
    fields = {s.field for s in model.REGIMEN_SHAPE} - {"created_tz"}
    assert fields <= set(model.Regimen.__slots__)
    assert set(model.Regimen.__slots__) - fields == {"id", "medication_id"}
