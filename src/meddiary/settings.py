"""The settings a diary keeps (`meddiary config`), each declared once: its key, what it means and what
values it accepts. `config`, import and `check` read this registry; nothing else names a key's rules."""

import functools

HOME_TZ_SETTING = "timezone"
CRISIS_LINE_SETTING = "crisis_line"
CRISIS_LINE_MAX = 200


class Setting:
    __slots__ = ("key", "description", "forms", "valid")

    def __init__(self, key: str, description: str, forms: str, valid):
        self.key, self.description, self.forms, self.valid = key, description, forms, valid


def zone_ok(name) -> bool:
    """An IANA zone name the zone database knows."""
    if not isinstance(name, str) or not name.strip():
        return False
    return _known_zone(name)


@functools.lru_cache(maxsize=256)  # import and check read one zone name per row
def _known_zone(name: str) -> bool:
    from meddiary.timeparse import known_zone  # here: the hot path imports this module, not the time grammar

    return known_zone(name)


def _line_ok(value) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= CRISIS_LINE_MAX


REGISTRY = {s.key: s for s in (
    Setting(HOME_TZ_SETTING, "the home zone dose times are kept in (an IANA name, e.g. Europe/Berlin)",
            "an IANA time zone name such as Europe/Berlin, or null (unset)", zone_ok),
    Setting(CRISIS_LINE_SETTING, "the crisis line the PHQ-9 item-9 message names, e.g. 'Samaritans 116 123'",
            f"the crisis line's number and name (1-{CRISIS_LINE_MAX} characters), or null (unset)", _line_ok),
)}
KEYS = tuple(REGISTRY)


def problem(key, value) -> tuple[str, object, str] | None:
    """(field, value, the accepted forms) when `key`/`value` (None: unset) is not a setting meddiary reads."""
    setting = REGISTRY.get(key) if isinstance(key, str) else None
    if setting is None:
        return "key", key, f"one of {', '.join(KEYS)}"
    if value is not None and not setting.valid(value):
        return "value", value, setting.forms
    return None
