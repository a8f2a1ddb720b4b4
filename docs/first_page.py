"""Makes docs/first-page.png, the README's picture of the report's first page: `meddiary demo`'s HTML report,
first page only, as it prints on A4 (the print styles applied), photographed by headless Chromium.

Run: python docs/first_page.py (needs Chromium: apt-get install chromium). The demo diary goes to a temporary
folder and the clock is fixed, so the picture only changes when the report does.
"""

import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from meddiary import demo, reporting
from meddiary.render import html
from meddiary.store import Store

NOW = datetime(2026, 11, 26, 18, 30, tzinfo=UTC)
TZ = ZoneInfo("Europe/London")
A4_PX = (794, 1123)  # 210 mm x 297 mm at 96 px per inch


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="meddiary-page-"))
    store = Store(folder / "demo.db")
    demo.write(store, NOW, TZ)
    period = reporting.period_from_options("30d", None, None, "2h", NOW.astimezone(TZ).date(), TZ)
    page = html.render_first_page(reporting.load(store, period, None, NOW, TZ))
    # the print styles on screen, inside an A4 sheet's margins (@page: 14 mm 12 mm)
    page = page.replace("@media print {", "@media all {").replace(
        "</style>", "body { padding: 14mm 12mm !important; background: #fff; }</style>")
    source = folder / "first-page.html"
    source.write_text(page, encoding="utf-8")
    out = Path(__file__).with_name("first-page.png")
    chromium = next(p for p in (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")) if p)
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--window-size={A4_PX[0]},{A4_PX[1]}", f"--screenshot={out}", source.as_uri()],
                   check=True, capture_output=True, timeout=120)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
