"""A very small SVG writer: elements as escaped text, numbers rounded to 0.1 (the drawings are a page wide).

No library: the chart needs a dozen element kinds, and a dependency imported only by the report would still have
to be installed, kept and trusted. Everything written here is escaped (text and attribute values may hold names
people typed)."""

from html import escape

def num(x: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros ('12', '12.5')."""
    r = round(float(x), 1)
    return str(int(r)) if r.is_integer() else f"{r:.1f}"


def attrs(values: dict) -> str:
    out = []
    for k, v in values.items():
        if v is None or v is False:
            continue
        name = k.rstrip("_").replace("_", "-")
        text = num(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v)
        out.append(f' {name}="{escape(text, quote=True)}"')
    return "".join(out)


def el(tag: str, children: str | list[str] = "", **values) -> str:
    """<tag a="…">children</tag>; `children` is markup already (from `el` or `text`); no children: <tag/>."""
    inner = "".join(children) if isinstance(children, list) else children
    return f"<{tag}{attrs(values)}>{inner}</{tag}>" if inner else f"<{tag}{attrs(values)}/>"


def text(x: float, y: float, content: str, **values) -> str:
    return el("text", escape(content), x=x, y=y, **values)


def title(content: str) -> str:
    """A tooltip and an accessible name for the element it is the first child of."""
    return f"<title>{escape(content)}</title>"


def polyline(points: list[tuple[float, float]], **values) -> str:
    return el("polyline", points=" ".join(f"{num(x)},{num(y)}" for x, y in points), **values)


def document(width: float, height: float, children: list[str], label: str) -> str:
    """An inline <svg> scaled to the width it is given, with a role and a name for screen readers."""
    return el("svg", [title(label), *children], viewBox=f"0 0 {num(width)} {num(height)}",
              width="100%", role="img", class_="overview", font_family="system-ui, sans-serif", font_size=9)
