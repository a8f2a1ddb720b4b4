"""Renderings of the report model: terminal (Rich), Markdown, HTML and JSON. Each section is one small
function of one part of the model; `common` holds what they share (state symbols, number formats)."""
