"""Makes docs/report.svg, the README's picture: `meddiary demo`'s report exported from Rich.

Run: python docs/screenshot.py (the demo diary goes to a temporary folder; the clock is fixed so the
picture only changes when the report does).
"""

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from rich.console import Console

from meddiary import demo, reporting
from meddiary.render import terminal
from meddiary.store import Store

NOW = datetime(2026, 11, 26, 18, 30, tzinfo=UTC)
TZ = ZoneInfo("Europe/Berlin")


def main() -> None:
    store = Store(Path(tempfile.mkdtemp(prefix="meddiary-shot-")) / "demo.db")
    demo.write(store, NOW, TZ)
    period = reporting.period_from_options("30d", None, None, "2h", NOW.astimezone(TZ).date(), TZ)
    rep = reporting.load(store, period, None, NOW, TZ)
    console = Console(record=True, width=100, force_terminal=True, color_system="truecolor", file=open("/dev/null", "w"))
    console.print(terminal.report(rep))
    out = Path(__file__).with_name("report.svg")
    console.save_svg(str(out), title="meddiary demo")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
