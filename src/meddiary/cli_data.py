"""Commands: data (registered on meddiary.cli.app)."""
