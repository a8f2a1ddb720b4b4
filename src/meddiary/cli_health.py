"""Commands: health (registered on meddiary.cli.app)."""
