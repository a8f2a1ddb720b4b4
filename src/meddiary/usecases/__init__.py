"""The use cases: one module per thing a person does (record a take, a skip, a mood; look at today; run
the reminder check; retract an entry). Each owns its load -> decide -> write transaction. The Typer commands
(meddiary.cli) and the Typer-free fast path (meddiary.entry) are thin adapters over the same functions."""
