"""Renderings of the report model: terminal (Rich), Markdown and HTML, whose sections are written once in
`sections` over each format's few primitives, and JSON. `common` holds the symbols, labels and number formats."""
