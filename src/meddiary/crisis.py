"""The crisis line the PHQ-9 item-9 message names: the one set with `meddiary config crisis_line`, else a
published national line for the country of the diary's zone, else none — and then the message names local
emergency services and a local crisis line in general words. Never the US number outside the US.

Only national, free, 24-hour lines that the countries' own services publish are listed (checked 2026-12):
988 (US: Suicide & Crisis Lifeline since July 2022; Canada: 9-8-8 Suicide Crisis Helpline since November 2023),
Samaritans 116 123 (UK and Ireland), TelefonSeelsorge 0800 111 0 111 / 0800 111 0 222 (Germany), TelefonSeelsorge
142 (Austria), Die Dargebotene Hand 143 (Switzerland), 3114 (France, numéro national de prévention du suicide),
113 Zelfmoordpreventie 0800 0113 (Netherlands), Lifeline 13 11 14 (Australia), 1737 (New Zealand).
A zone that names no single country (Europe/Berlin is Germany's; Europe/Copenhagen is kept as typed) or is not
listed gets no default. Pure: a zone name in, text out.
"""

US_LINE = "988 (Suicide & Crisis Lifeline, US: call or text)"

_LINES = {
    "US": US_LINE,
    "CA": "988 (Suicide Crisis Helpline, Canada: call or text)",
    "GB": "Samaritans 116 123 (free, 24 hours)",
    "IE": "Samaritans 116 123 (free, 24 hours)",
    "DE": "TelefonSeelsorge 0800 111 0 111 or 0800 111 0 222 (free, 24 hours)",
    "AT": "TelefonSeelsorge 142 (free, 24 hours)",
    "CH": "Die Dargebotene Hand 143 (24 hours)",
    "FR": "3114 (numéro national de prévention du suicide, free, 24 hours)",
    "NL": "113 Zelfmoordpreventie 0800 0113 (free, 24 hours)",
    "AU": "Lifeline 13 11 14 (24 hours)",
    "NZ": "1737 (Need to talk? call or text, free, 24 hours)",
}

_ZONES = {
    "Europe/London": "GB", "Europe/Belfast": "GB", "GB": "GB", "GB-Eire": "GB", "Europe/Jersey": "GB",
    "Europe/Guernsey": "GB", "Europe/Isle_of_Man": "GB",
    "Europe/Dublin": "IE", "Eire": "IE",
    "Europe/Berlin": "DE", "Europe/Busingen": "DE",
    "Europe/Vienna": "AT", "Europe/Zurich": "CH", "Europe/Paris": "FR", "Europe/Amsterdam": "NL",
    "Pacific/Auckland": "NZ", "Pacific/Chatham": "NZ", "NZ": "NZ", "NZ-CHAT": "NZ",
    "Pacific/Honolulu": "US", "US/Hawaii": "US", "Navajo": "US",
}
_US = ("New_York", "Detroit", "Chicago", "Denver", "Boise", "Phoenix", "Los_Angeles", "Anchorage", "Juneau", "Sitka",
       "Metlakatla", "Yakutat", "Nome", "Adak", "Menominee", "Indianapolis", "Louisville", "Fort_Wayne", "Atka",
       "Shiprock")
_CA = ("Toronto", "Montreal", "Vancouver", "Edmonton", "Winnipeg", "Halifax", "St_Johns", "Regina", "Swift_Current",
       "Moncton", "Glace_Bay", "Goose_Bay", "Whitehorse", "Dawson", "Dawson_Creek", "Fort_Nelson", "Creston",
       "Cambridge_Bay", "Rankin_Inlet", "Resolute", "Iqaluit", "Inuvik", "Atikokan", "Blanc-Sablon", "Nipigon",
       "Thunder_Bay", "Rainy_River", "Pangnirtung", "Yellowknife")
_ZONES.update({f"America/{c}": "US" for c in _US})
_ZONES.update({f"America/{c}": "CA" for c in _CA})
_PREFIXES = (("America/Indiana/", "US"), ("America/Kentucky/", "US"), ("America/North_Dakota/", "US"), ("US/", "US"),
             ("Canada/", "CA"), ("Australia/", "AU"))


def country(zone: str | None) -> str | None:
    """The ISO country code of an IANA zone name when it names one of the listed countries, else None."""
    if not zone:
        return None
    if zone in _ZONES:
        return _ZONES[zone]
    return next((c for prefix, c in _PREFIXES if zone.startswith(prefix)), None)


def default_line(zone: str | None) -> str | None:
    """The national crisis line for the zone's country, or None (no published line listed for it)."""
    c = country(zone)
    return _LINES.get(c) if c else None


GENERIC = "a local crisis line (set one with: meddiary config crisis_line \"NAME NUMBER\")"


def line_for(setting: str | None, zone: str | None) -> str | None:
    """The line to show: the person's setting, else the zone's default, else None (the generic wording)."""
    return setting or default_line(zone)
