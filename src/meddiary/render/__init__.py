"""Renderings of the report model: terminal (Rich), Markdown and HTML, whose sections are written once in
`sections` over each format's few primitives, and JSON. `common` holds the symbols, labels and number formats."""

FORMATS = ("terminal", "markdown", "html", "json")


def format_name(fmt: str, formats: tuple[str, ...] = FORMATS) -> str:
    """A --format value, case and spaces aside, checked against the command's formats."""
    from meddiary.errors import UsageError

    name = fmt.strip().lower()
    if name not in formats:
        raise UsageError(f"bad --format {fmt!r}: use one of {', '.join(formats)}")
    return name
