"""Commands: reminders (registered on meddiary.cli.app)."""
