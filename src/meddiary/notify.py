"""Desktop notifications (`due --notify`): a use case's lines sent to the desktop with notify-send, beside
what is printed. Found even from cron, whose environment has no session bus address."""

import os
import sys

RUN_USER = "/run/user"  # where the user's session bus lives (tests point it elsewhere)


def session_bus() -> tuple[str | None, str | None]:
    """(the desktop session bus address notify-send needs, why there is none). cron's environment has no
    DBUS_SESSION_BUS_ADDRESS; the user's bus is then found at $XDG_RUNTIME_DIR/bus or /run/user/UID/bus."""
    address = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "").strip()
    if address:
        return address, None
    folders = [os.environ.get("XDG_RUNTIME_DIR", "").strip(), f"{RUN_USER}/{os.getuid()}"]
    for folder in filter(None, folders):
        bus = os.path.join(folder, "bus")
        if os.path.exists(bus):
            return f"unix:path={bus}", None
    return None, (f"no desktop session bus: DBUS_SESSION_BUS_ADDRESS is not set and there is no {folders[-1]}/bus"
                  " (no one logged in to a desktop, or cron runs as another user)")


def send(lines: list[str]) -> None:
    """A desktop notification per line through notify-send, on the session bus found even from cron.
    When none can be sent: one line on stderr saying why (the lines are printed anyway)."""
    import shutil
    import subprocess

    def cannot(why: str) -> None:
        sys.stderr.write(f"meddiary: cannot notify: {why}; the reminders are printed only\n")

    tool = shutil.which("notify-send")
    if tool is None:
        cannot("notify-send is not available here (on Debian/Ubuntu: apt install libnotify-bin)")
        return
    address, why = session_bus()
    if address is None:
        cannot(why)
        return
    child_env = {**os.environ, "DBUS_SESSION_BUS_ADDRESS": address}
    for line in lines:
        try:
            done = subprocess.run([tool, "--app-name=meddiary", "meddiary", line], timeout=10, env=child_env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
        except (OSError, subprocess.SubprocessError) as err:
            cannot(f"notify-send failed ({err})")
            return
        if done.returncode != 0:
            said = " ".join((done.stderr or "").split())[:200] or f"exit status {done.returncode}"
            cannot(f"notify-send failed on {address}: {said}")
            return
