"""A night without shelter: no place to sleep now, sleeping outside, put out today.

Said by the family ("no tenemos dónde dormir", "we're on the street") or reported by
staff in the third person ("a family has been sleeping in their van", "the student is
sleeping at the bus station"). "Now" is tonight, today, a present state or no later day
named; a day after "desde / since / last" is the past, not a later day. Travel, camping
and an eviction notice for a later day are not tonight's crisis.
"""

from __future__ import annotations

from matcher.situations.sentence import Sent

_BEING = {"estamos", "are", "were", "we're", "weare", "im", "i'm"}
_BE_HOMELESS = _BEING | {"somos", "soy", "estoy", "am", "andamos", "ando", "quedamos",
                         "quedaron", "quedo", "is", "esta", "estan", "been", "became"}
_SLEEP_TONIGHT = {"sleep", "stay", "dormir", "quedarnos", "quedarme", "pasar", "crash"}
_ROOF = {"techo", "roof"}
_BED = {"lugar", "place", "bed", "beds", "cama", "camas", "cupo", "cupos", "somewhere"}
_SHELTER = {"shelter", "albergue", "refugio", "motel", "hotel"}


def _later(s: Sent) -> bool:
    """A later day is named ('el viernes', 'next month'); 'desde el sábado' is the past."""
    return any("time_future" in tk.cs and not s.near(k, "past_mark", -2, -1)
               for k, tk in enumerate(s.t))


def _travelling(s: Sent) -> bool:
    """'on the drive to Guadalajara', 'de camino', 'on our trip'."""
    return any("travel" in tk.cs and (tk.norm == "camino" or s.word(k - 1) in {
        "the", "our", "el", "de", "en", "un", "nuestro", "a", "long"})
        for k, tk in enumerate(s.t))


def _no_place(s: Sent, i: int, now: bool) -> bool:
    """'nowhere to go', 'no tenemos dónde dormir', 'no tenemos techo esta noche', 'no beds
    tonight', 'sin techo'."""
    tk = s.t[i]
    if tk.norm == "nowhere" or (tk.norm == "sin" and s.word(i + 1) == "techo"):
        return True
    if "noplace_neg" not in tk.cs:
        return False
    j = s.find(i, "place", 1, 3)
    if j is None:
        return False
    nxt = s.find(j, "to_sleep", 1, 2)
    if nxt is not None and s.word(nxt + 1) not in {"for", "para", "a"}:
        return True
    w = s.word(j)
    if w in {"lugar", "techo", "roof"} and s.near(j, "to_sleep", 1, 3):
        return True
    return now and (w in _ROOF or (w in _BED and (
        s.near(j, "to_sleep", 1, 3) or any(tk.norm in _SHELTER for tk in s.t))))


def _asks_for_a_bed(s: Sent, i: int) -> bool:
    """'ocupamos un lugar para dormir hoy', 'need somewhere to stay tonight' (with now)."""
    j = s.find(i, "place", 1, 3)
    return j is not None and s.word(j) in _BED and s.near(j, "to_sleep", 1, 3)


def _sleeps_outside(s: Sent, i: int, now: bool) -> bool:
    """Sleeping or living in a car, street, park, station now, said by the family or by
    staff about a family ('they've been sleeping in their van')."""
    tk = s.t[i]
    if s.near(i, "until", 1, 6):
        return False
    j = s.find(i, "outside", 1, 4)
    if j is None:
        return False
    if tk.norm in _BEING and not s.has(j, "street") and not (
            now and s.word(j) in {"outside", "afuera"} and s.word(j + 1) not in {
                "the", "of", "de", "la", "el", "my", "our", "at"}
            and ("we" in tk.cs or s.near(i, "we", -2, -1))):
        return False  # "we are at the park": an outing, unless we are outdoors tonight
    gerund_outdoors = tk.norm.endswith(("ing", "ndo")) and not s.has(j, "car")
    third = s.near(i, "family3", -4, -1)
    return "we" in tk.cs or s.near(i, "we", -3, -1) or now or gerund_outdoors or third


def _put_out(s: Sent, i: int, now: bool) -> bool:
    """'nos sacaron hoy', 'we got evicted today', 'got put out', 'me echó y ando en la
    calle'; not 'me corrieron del trabajo' nor a notice for a later day."""
    tk = s.t[i]
    if s.near(i, "evict", -2, -1):
        return False
    obj = tk.norm in {"evicted", "eviction", "lockout", "desalojaron", "desalojo", "put"} or (
        s.word(i - 1) in {"nos", "me"} or s.near(i, "we", -4, -1)
        or s.word(i + 1) in {"us", "me"})
    job = s.near(i, "workplace", 1, 3) or s.near(i, "notice", -3, 2)
    if not obj or job or _thing_taken(s, i):
        return False
    outside_after = any(s.has(k, "street") or s.word(k) in {"outside", "afuera"}
                        for k in range(i + 1, min(s.n, i + 9)))
    return now or outside_after or (s.anywhere("noplace_neg") and s.anywhere("place"))


_DET = {"la", "una", "el", "un", "unas", "unos", "los", "las", "the", "a", "an", "some", "su"}


def _thing_taken(s: Sent, i: int) -> bool:
    """'nos sacaron una foto', 'me echaron la culpa', 'we put out the trash': the verb has a
    thing as its object, not the family out of a home."""
    k = i + 2 if s.word(i + 1) == "out" else i + 1
    return s.word(k) in _DET and not (s.has(k + 1, "home") or s.has(k + 1, "street")
                                      or s.has(k + 1, "outside"))


def detect_homeless(s: Sent, hits) -> None:
    now = s.anywhere("time_now")
    soon_ok = now or not _later(s)
    outdoors_ok = not (s.anywhere("leisure") or _travelling(s))
    for i, tk in enumerate(s.t):
        cs = tk.cs
        noplace = _no_place(s, i, now)
        if "homeless" in cs and (now or s.word(i - 1) in _BE_HOMELESS):
            noplace = True
        if tk.norm == "sin" and s.word(i + 1) in {"casa", "hogar", "vivienda"} and now:
            noplace = True
        if tk.norm in {"where", "donde", "adonde"} and s.near(i, "we", 1, 3):
            j = s.find(i, "to_sleep", 1, 4)
            noplace = noplace or (j is not None and s.word(j) in _SLEEP_TONIGHT)
        if "ask_place" in cs and now and outdoors_ok and _asks_for_a_bed(s, i):
            noplace = True
        if _ran_away(s, i):
            hits("homeless_tonight", s.span(i - 2, i + 3))
        if noplace and soon_ok:
            hits("homeless_tonight", s.span(i, i + 3))
        if "sleep_now" in cs and outdoors_ok:
            wherever = s.near(i, "wherever", 1, 2) and s.near(i, "can", 2, 4)
            if wherever or _sleeps_outside(s, i, now):
                hits("homeless_tonight", s.span(i, i + 4))
        evict = "evict" in cs or (tk.norm == "put" and s.word(i + 1) == "out")
        if evict and soon_ok and _put_out(s, i, now):
            hits("homeless_tonight", s.span(i - 2, i + 1))


def _ran_away(s: Sent, i: int) -> bool:
    """'my teen ran away from home', 'se fue de la casa', 'se escapó de la casa'."""
    w = s.word(i)
    if s.anywhere("pet"):
        return False  # "the dog ran away from home"
    if w in {"ran", "run", "runs", "running"} and s.word(i + 1) == "away":
        nxt = s.word(i + 2)
        return s.has(i + 3, "home") or (nxt != "from" and s.anywhere("child"))
    if "runaway" in s.t[i].cs and w not in {"runaway", "runaways"}:
        return s.near(i, "home", 1, 4)  # "se escapó de clases" is not a runaway
    if w in {"runaway", "runaways"}:
        return s.anywhere("child")
    if w in {"fue", "salio", "largo"} and s.word(i - 1) == "se":
        return s.word(i + 1) in {"de", "del"} and s.near(i, "home", 2, 4) and not _lives_with(s)
    return False


def _lives_with(s: Sent) -> bool:
    """'se fue de la casa de su papá y ahora vive conmigo': gone to someone, not away."""
    return any("lives_with" in tk.cs and s.word(k + 1) in {"con", "with", "conmigo", "me", "us"}
               for k, tk in enumerate(s.t))
