#!/usr/bin/env python3
"""
Provenance of the Chinese lunisolar calendar table, lunar years 1899..=2101.

Builds the month structure (month 1..12, leap flag, first civil day, length 29/30) of
every lunar year from several references, compares them month by month, and writes
(next to this script):

  refs/<name>.json  {"1899": [{"month": 1, "leap": false, "first": "1899-02-10", "days": 30}, ...], ...}
                    one line per lunar year; a year is absent if the reference lacks it
  compare.txt       coverage, every (year, month, leap) on which two references disagree,
                    the pre-1929 time-zone question, spot checks, near-midnight watch list
  table.txt         one line per lunar year:
                      YYYY new_year=MM-DD leap=N lengths=<0/1 per month incl. leap, 1 = 30 days>
                    = the reading shared by the majority of PRIMARY =
                    (lunarcalendar, sxtwl, ephem_lmt1929); " # disagreement: ..." says who
                    says what wherever those three are not unanimous

Run:  python3 generate.py      (a few seconds; needs only the PyPI packages below, no downloads)

References
----------
lunarcalendar   PyPI "LunarCalendar" 0.0.9 (wolfhong): packed table, lunar years 1887..2110.
                Its README does NOT cite the Hong Kong Observatory: it says the data are
                "synchronized with Microsoft's ChineseLunisolarCalendar class", and the table
                generator in its repository (generate.html) is the 寿星万年历 (sxwnl) JavaScript.
                So it is not an HKO copy and not independent of sxtwl.  In 2057, 2089 and
                2097 it differs from every other reference (one-day shifts, see compare.txt).
sxtwl           PyPI "sxtwl" 2.0.7, C++ port of 寿星天文历 (许剑伟).  From 1960-01-01 on it
                computes new moons and terms with its own VSOP87/ELP series and ΔT model, in
                UTC+8.  Before 1960 (src/SSQ.cpp: f3 = JD 2436935) it uses a low-precision
                formula plus a compiled correction table (定朔/定气修正表), i.e. it reproduces
                the historical record rather than a modern computation.  Read here by
                converting every civil day 1899-01-01..2103-02-28 to a lunar date.
lunardate       PyPI "lunardate" 0.3.0, classic lunarInfo table (from the 'lunar' C program of
                Fung F. Lee & Ricky Yeung), lunar years 1900..2099.  Secondary.
zhdate          PyPI "zhdate" 0.1, lunarInfo-style table + new-year dates, 1900..2100.  Secondary.
ephem_utc8      Own computation with PyPI "ephem" 4.2.1 (PyEphem/libastro: VSOP87 Sun,
ephem_lmt1929   ELP2000-82 Moon, its own ΔT), modern rules (1645 时宪 rules as used by the
                Purple Mountain Observatory; GB/T 33661-2017 《农历的编算和颁行》):
                  * new moon (朔): instant when the apparent geocentric ecliptic longitudes of
                    Sun and Moon are equal (ephem.next_new_moon);
                  * principal terms (中气): instants when the Sun's apparent geocentric
                    longitude on the true ecliptic/equinox of date is a multiple of 30°,
                    solved to 0.1 s with ephem.newton.  The longitude is computed exactly as
                    ephem's moon-phase code does, eq_ecl(date, sun.g_ra, sun.g_dec).
                    (ephem.Ecliptic(ephem.Sun(d)).lon is the astrometric J2000 longitude --
                    off by precession, ~1.4° or ~1.4 days around 1900 -- and is not used.)
                  * a month begins on the civil day containing its new moon;
                  * the month containing the winter solstice (270°) is month 11;
                  * if 13 months lie between one month 11 (inclusive) and the next
                    (exclusive), the first of them with no principal term is the leap
                    month and repeats the number of the month before it;
                  * month 1 (正月) starts the lunar year, named by the Gregorian year of its
                    first day.
                Civil days: ephem_utc8 uses UTC+8 throughout; ephem_lmt1929 uses Beijing local
                mean time (UTC+7:45:40, 116°25'E) for instants before 1929-01-01 00:00 UTC+8
                and UTC+8 afterwards.
astronomy_lmt1929  Cross-check only: the same rules and time zones with events from PyPI
                "astronomy-engine" 2.1.19 (independent theory, Espenak-Meeus ΔT).  Its
                SearchMoonPhase uses the geometric Sun, so each new moon is refined here with
                apparent longitudes of both bodies (see astronomy_events).

Findings (details in compare.txt): the references all agree on every leap month; all
disagreements are single-day shifts of a month start at new moons within a few minutes of
midnight: 1906, 1914, 1916, 1920 (time zone before 1929), 1933, 1954, 1978 (lunardate's
known table errors) and 2057, 2089, 2097 (lunarcalendar against all computations; these
are exactly the three new moons HKO flags as uncertain, and they depend on the assumed ΔT).

Environment that produced the committed outputs (pip freeze):
    astronomy-engine==2.1.19
    ephem==4.2.1
    LunarCalendar==0.0.9
    lunardate==0.3.0
    python-dateutil==4.0.0        (dependency of LunarCalendar)
    pytz==2026.6                  (dependency of LunarCalendar)
    sxtwl==2.0.7
    tzdata==2026.6
    zhdate==0.1
    Python 3.11.7
"""
import bisect
import datetime as dt
import json
import math
import sys
from collections import Counter, OrderedDict
from pathlib import Path

import ephem
from ephem import _libastro

OUT = Path(__file__).resolve().parent
FIRST_YEAR, LAST_YEAR = 1899, 2101
YEARS = range(FIRST_YEAR, LAST_YEAR + 1)

# Month record used everywhere: (lunar_year, month, leap, first_date, days)


def check_structure(name, months):
    """Sanity checks: contiguity, lengths, month sequence inside each year."""
    for a, b in zip(months, months[1:]):
        if a[0] == b[0] or (b[0] == a[0] + 1 and b[1] == 1 and not b[2]):
            assert a[3] + dt.timedelta(days=a[4]) == b[3], (name, a, b)
    for (y, m, leap, first, days) in months:
        assert days in (29, 30), (name, y, m, leap, days)
    by_year = {}
    for rec in months:
        by_year.setdefault(rec[0], []).append(rec)
    for y, recs in by_year.items():
        seq = [(r[1], r[2]) for r in recs]
        plain = [m for m, l in seq if not l]
        assert plain == list(range(1, 13)), (name, y, seq)
        leaps = [m for m, l in seq if l]
        assert len(leaps) <= 1, (name, y, seq)
        if leaps:
            i = seq.index((leaps[0], True))
            assert seq[i - 1] == (leaps[0], False), (name, y, seq)


# ---------------------------------------------------------------------------
# Table-based libraries: read the structure through each library's own API,
# then verify it against the library's solar->lunar conversion, day by day.
# ---------------------------------------------------------------------------

def ref_lunarcalendar():
    from lunarcalendar import Converter, Lunar, Solar, DateNotExist
    first_y = Converter.lunar_month_days[0]
    last_y = first_y + len(Converter.lunar_month_days) - 2

    def start(y, m, leap):
        return Converter.Lunar2Solar(Lunar(y, m, 1, leap, check=False)).to_date()

    def leap_month(y):
        for m in range(1, 13):
            try:
                Lunar(y, m, 1, isleap=True)   # check=True raises if absent
                return m
            except DateNotExist:
                pass
        return 0

    seq = []
    for y in range(FIRST_YEAR, min(LAST_YEAR + 1, last_y) + 1):
        lm = leap_month(y)
        for m in range(1, 13):
            seq.append((y, m, False, start(y, m, False)))
            if m == lm:
                seq.append((y, m, True, start(y, m, True)))
    months = [(y, m, l, f, (seq[i + 1][3] - f).days)
              for i, (y, m, l, f) in enumerate(seq[:-1])]
    # verify against Solar2Lunar for every day
    for (y, m, l, f, n) in months:
        for k in range(n):
            d = f + dt.timedelta(days=k)
            r = Converter.Solar2Lunar(Solar(d.year, d.month, d.day))
            assert (r.year, r.month, r.day, r.isleap) == (y, m, k + 1, l), (d, r)
    return months, f"lunar years {first_y}..{last_y} in the package table"


def ref_lunardate():
    import lunardate
    from lunardate import LunarDate
    first_y = 1900
    last_y = 1900 + len(lunardate.YEAR_INFOS) - 1
    months = []
    for y in range(max(first_y, FIRST_YEAR), min(last_y, LAST_YEAR) + 1):
        info = lunardate.YEAR_INFOS[y - 1900]
        # _enum_month is the package's own decoder of a year entry: (month, days, leap)
        for m, days, is_leap in LunarDate._enum_month(info):
            f = LunarDate(y, m, 1, bool(is_leap)).to_solar_date()
            months.append((y, m, bool(is_leap), f, days))
    for (y, m, l, f, n) in months:
        for k in range(n):
            d = f + dt.timedelta(days=k)
            r = LunarDate.from_solar_date(d.year, d.month, d.day)
            assert (r.year, r.month, r.day, bool(r.isLeapMonth)) == (y, m, k + 1, l), (d, r)
    return months, f"lunar years {first_y}..{last_y}"


def ref_zhdate():
    import zhdate
    from zhdate import ZhDate
    first_y = 1900
    last_y = 1900 + len(zhdate.CHINESEYEARCODE) - 1
    months = []
    for y in range(max(first_y, FIRST_YEAR), min(last_y, LAST_YEAR) + 1):
        lens = ZhDate.month_days(y)
        leap = [m for m in range(1, 13) if ZhDate.validate(y, m, 1, True)]
        assert len(leap) <= 1 and (len(lens) == 13) == bool(leap)
        order = []
        for m in range(1, 13):
            order.append((m, False))
            if leap and m == leap[0]:
                order.append((m, True))
        for (m, l), n in zip(order, lens):
            f = ZhDate(y, m, 1, l).to_datetime().date()
            months.append((y, m, l, f, n))
    for (y, m, l, f, n) in months:
        for k in range(n):
            d = f + dt.timedelta(days=k)
            if d.year > last_y:          # from_datetime indexes by solar year
                continue
            r = ZhDate.from_datetime(dt.datetime(d.year, d.month, d.day))
            assert (r.lunar_year, r.lunar_month, r.lunar_day, r.leap_month) == (y, m, k + 1, l), (d, r)
    return months, f"lunar years {first_y}..{last_y}"


def ref_sxtwl():
    import sxtwl
    day = sxtwl.fromSolar(1899, 1, 1)
    end = dt.date(2103, 3, 1)
    d = dt.date(1899, 1, 1)
    months, cur = [], None
    while d < end:
        assert (day.getSolarYear(), day.getSolarMonth(), day.getSolarDay()) == (d.year, d.month, d.day)
        key = (day.getLunarYear(), day.getLunarMonth(), bool(day.isLunarLeap()))
        ld = day.getLunarDay()
        if ld == 1:
            if cur is not None:
                months.append(cur)
            cur = [*key, d, 1]
        elif cur is not None:
            assert tuple(cur[:3]) == key and cur[4] + 1 == ld, (d, cur, key, ld)
            cur[4] += 1
        day = day.after(1)
        d += dt.timedelta(days=1)
    months = [tuple(x) for x in months if FIRST_YEAR <= x[0] <= LAST_YEAR]
    return months, "no range limit; read by daily conversion 1899-01-01..2103-02-28"


# ---------------------------------------------------------------------------
# Own astronomical computation with PyEphem
# ---------------------------------------------------------------------------

SUN = ephem.Sun()
TAU = 2 * math.pi
CST = 8 / 24                                   # UTC+8, in days
LMT = (7 + 45 / 60 + 40 / 3600) / 24           # Beijing LMT, 116°25'E
SWITCH_1929 = ephem.Date('1928/12/31 16:00:00')  # 1929-01-01 00:00 UTC+8
EPOCH = dt.date(1899, 12, 31)                  # ephem.Date(0) = 1899-12-31 12:00 UT


def sun_lon(d):
    """Sun's apparent geocentric ecliptic longitude of date (radians)."""
    SUN.compute(d)
    return _libastro.eq_ecl(d, SUN.g_ra, SUN.g_dec)[0]


def principal_terms(start, end):
    """[(instant UT as float, longitude in degrees)] for multiples of 30°."""
    out = []
    d = float(ephem.Date(start))
    while d < end:
        lon = math.degrees(sun_lon(d))
        target = (math.floor(lon / 30) + 1) * 30 % 360
        tr = math.radians(target)

        def f(x):
            return (sun_lon(x) - tr + math.pi) % TAU - math.pi
        guess = d + ((target - lon) % 360) / 360 * 365.2422
        t = float(ephem.newton(f, guess, guess + 1 / 24))
        out.append((t, target))
        d = t + 1
    return out


def new_moons(start, end):
    out = []
    d = ephem.Date(start)
    while d < end:
        d = ephem.next_new_moon(d)
        out.append(float(d))
        d = ephem.Date(d + 1)
    return out


def offset_utc8(t):
    return CST


def offset_lmt1929(t):
    return LMT if t < SWITCH_1929 else CST


def civil(t, off):
    """(date, minutes after local midnight) of a UT instant."""
    x = t + 0.5 + off(t)
    n = math.floor(x)
    return EPOCH + dt.timedelta(days=n), (x - n) * 1440


def fmt_instant(t, off):
    d, mins = civil(t, off)
    h, m = divmod(mins, 60)
    s = (m - int(m)) * 60
    return f"{d.isoformat()} {int(h):02d}:{int(m):02d}:{s:04.1f}"


def ephem_events():
    """New moons and principal terms from PyEphem, as ephem.Date floats (UT)."""
    nm = new_moons('1897/09/01', ephem.Date('2103/04/01'))
    zq = principal_terms('1897/06/01', ephem.Date('2103/03/01'))
    return nm, zq


J2000_TO_EPHEM = 36525.0     # astronomy-engine counts UT days from JD 2451545.0


def astronomy_events():
    """Same events from PyPI astronomy-engine (independent theory and ΔT model),
    converted to ephem.Date floats (UT).

    astronomy.SearchMoonPhase measures the Moon-Sun longitude difference with the
    *geometric* Sun (no aberration), which makes its new moons ~40 s later than the
    apparent-longitude definition.  So it is only used as a first guess; the instant is
    then refined with apparent longitudes of both bodies on the true ecliptic of date,
    the same definition as PyEphem and the Chinese rules use."""
    import astronomy

    def elong(ut):                      # apparent Moon minus apparent Sun longitude, degrees
        t = astronomy.Time(ut)
        rot = astronomy.Rotation_EQJ_ECT(t)
        m = astronomy.RotateVector(rot, astronomy.GeoMoon(t))
        s = astronomy.RotateVector(rot, astronomy.GeoVector(astronomy.Body.Sun, t, True))
        d = math.degrees(math.atan2(m.y, m.x) - math.atan2(s.y, s.x))
        return (d + 180) % 360 - 180

    def secant(f, x0, x1):
        f0, f1 = f(x0), f(x1)
        while abs(x1 - x0) > 0.05 / 86400 and f1 != f0:
            x0, x1, f0 = x1, x1 - f1 * (x1 - x0) / (f1 - f0), f1
            f1 = f(x1)
        return x1

    nm = []
    t = astronomy.Time.Make(1897, 9, 1, 0, 0, 0)
    while t.ut + J2000_TO_EPHEM < ephem.Date('2103/04/01'):
        t = astronomy.SearchMoonPhase(0, t, 40)
        nm.append(secant(elong, t.ut, t.ut - 1 / 1440) + J2000_TO_EPHEM)
        t = t.AddDays(1)
    zq = []
    t = astronomy.Time.Make(1897, 6, 1, 0, 0, 0)
    lon = math.degrees(sun_lon(t.ut + J2000_TO_EPHEM))
    target = (math.floor(lon / 30) + 1) * 30 % 360
    while t.ut + J2000_TO_EPHEM < ephem.Date('2103/03/01'):
        t = astronomy.SearchSunLongitude(target, t, 40)   # apparent longitude of date
        zq.append((t.ut + J2000_TO_EPHEM, target))
        t = t.AddDays(1)
        target = (target + 30) % 360
    return nm, zq


def build_calendar(events, off):
    """Apply the modern rules to (new moons, principal terms) with time zone rule off."""
    nm, zq = events
    starts = [civil(t, off)[0] for t in nm]
    zq_days = [(civil(t, off)[0], lon) for t, lon in zq]

    def month_of(day):
        return bisect.bisect_right(starts, day) - 1

    has_zq = [False] * len(starts)
    for day, lon in zq_days:
        i = month_of(day)
        if 0 <= i < len(starts):
            has_zq[i] = True
    m11 = [month_of(day) for day, lon in zq_days if lon == 270]
    label = {}
    for a, b in zip(m11, m11[1:]):
        n = b - a
        assert n in (12, 13), (starts[a], starts[b], n)
        leap_i = None
        if n == 13:
            leap_i = next(i for i in range(a + 1, b) if not has_zq[i])
        cur = 11
        label[a] = (11, False)
        for i in range(a + 1, b):
            if i == leap_i:
                label[i] = (cur, True)
            else:
                cur = cur % 12 + 1
                label[i] = (cur, False)
    months, year = [], None
    for i in sorted(label)[:-1]:
        m, l = label[i]
        if (m, l) == (1, False):
            year = starts[i].year
        if year is None:
            continue
        months.append((year, m, l, starts[i], (starts[i + 1] - starts[i]).days))
    return [x for x in months if FIRST_YEAR <= x[0] <= LAST_YEAR]


# ---------------------------------------------------------------------------
# Comparison and output
# ---------------------------------------------------------------------------

PRIMARY = ('lunarcalendar', 'sxtwl', 'ephem_lmt1929')   # majority vote for table.txt


def year_struct(months, y):
    recs = [r for r in months if r[0] == y]
    if not recs:
        return None
    leap = next((r[1] for r in recs if r[2]), 0)
    lengths = ''.join('1' if r[4] == 30 else '0' for r in recs)
    return (recs[0][3].strftime('%m-%d'), leap, lengths)


def month_name(key):
    y, m, leap = key
    return f"{y} {'leap ' if leap else ''}month {m}"


def write_json(path, months):
    by_year = OrderedDict()
    for (y, m, l, f, n) in months:
        by_year.setdefault(y, []).append(
            json.dumps(OrderedDict(month=m, leap=l, first=f.isoformat(), days=n)))
    lines = [f'"{y}": [' + ', '.join(ms) + ']' for y, ms in by_year.items()]
    path.write_text('{\n' + ',\n'.join(lines) + '\n}\n')


def compress(ys):
    out = []
    for y in ys:
        if out and out[-1][1] == y - 1:
            out[-1][1] = y
        else:
            out.append([y, y])
    return ', '.join(f'{a}' if a == b else f'{a}..{b}' for a, b in out)


def nearest(ts, t):
    i = bisect.bisect_left(ts, t)
    return min(ts[max(i - 1, 0):i + 1], key=lambda x: abs(x - t))


def main():
    refs, coverage = OrderedDict(), OrderedDict()
    for name, fn in [('lunarcalendar', ref_lunarcalendar), ('sxtwl', ref_sxtwl),
                     ('lunardate', ref_lunardate), ('zhdate', ref_zhdate)]:
        months, cov = fn()
        refs[name] = [r for r in months if FIRST_YEAR <= r[0] <= LAST_YEAR]
        coverage[name] = cov
        print(name, 'done', file=sys.stderr)
    ev_e = ephem_events()
    refs['ephem_utc8'] = build_calendar(ev_e, offset_utc8)
    coverage['ephem_utc8'] = 'own computation, PyEphem, UTC+8 throughout'
    refs['ephem_lmt1929'] = build_calendar(ev_e, offset_lmt1929)
    coverage['ephem_lmt1929'] = 'own computation, PyEphem, Beijing LMT before 1929, UTC+8 after'
    ev_a = astronomy_events()
    refs['astronomy_lmt1929'] = build_calendar(ev_a, offset_lmt1929)
    coverage['astronomy_lmt1929'] = ('same rules with PyPI astronomy-engine events '
                                     '(cross-check only), LMT before 1929')
    print('astronomical computations done', file=sys.stderr)

    (OUT / 'refs').mkdir(exist_ok=True)
    for name, months in refs.items():
        check_structure(name, months)
        write_json(OUT / 'refs' / f'{name}.json', months)

    names = list(refs)
    idx = {n: {(y, m, l): (f, d) for (y, m, l, f, d) in ms} for n, ms in refs.items()}
    years_of = {n: {r[0] for r in ms} for n, ms in refs.items()}
    nm_e, zq_e = ev_e
    nm_a, zq_a = ev_a

    import importlib.metadata as md
    versions = ', '.join(f'{p}=={md.version(p)}' for p in
                         ('LunarCalendar', 'sxtwl', 'lunardate', 'zhdate', 'ephem', 'astronomy-engine'))
    L = ['Chinese lunisolar calendar, lunar years 1899..2101: comparison of references',
         f'Packages: {versions}; Python {sys.version.split()[0]}',
         'Generated by generate.py. Month keys are (lunar year, month, leap); a reading is',
         'first-civil-day/length-in-days. "absent" = the reference has no such month that year.',
         '']
    L.append('Coverage:')
    for n in names:
        ys = sorted(years_of[n])
        lacks = [y for y in YEARS if y not in years_of[n]]
        L.append(f'  {n:18s} {ys[0]}..{ys[-1]}' + (f', lacks {compress(lacks)}' if lacks else ', complete')
                 + f'  [{coverage[n]}]')
    L.append('')

    # --- every disagreeing month key
    L.append('Disagreements: every month key where two references covering that year differ')
    L.append('(first day, length, or existence/leap status):')
    all_keys = sorted({k for ix in idx.values() for k in ix})
    dis_keys = []
    existence_disputes = []
    for key in all_keys:
        readings = OrderedDict()
        for n in names:
            if key[0] in years_of[n]:
                v = idx[n].get(key)
                readings[n] = f'{v[0].isoformat()}/{v[1]}' if v else 'absent'
        if len(set(readings.values())) > 1:
            dis_keys.append(key)
            if 'absent' in readings.values():
                existence_disputes.append(key)
            L.append(f'  {month_name(key)}:')
            groups = OrderedDict()
            for n, v in readings.items():
                groups.setdefault(v, []).append(n)
            for v, ns in groups.items():
                L.append(f'      {v:14s} {", ".join(ns)}')
    dis_years = sorted({k[0] for k in dis_keys})
    L.append(f'  ({len(dis_keys)} month keys in {len(dis_years)} lunar years: {dis_years})')
    if existence_disputes:
        L.append('  Month keys present in some references and absent in others (leap placement '
                 'disputes): ' + ', '.join(month_name(k) for k in existence_disputes))
    else:
        L.append('  All references agree on which month is leap in every year; the disagreements')
        L.append('  above are all one-day shifts of a month start (moving a day between two months).')
    L.append('')

    L.append('Pairwise: lunar years whose structure (new year, leap, month lengths) differs:')
    pairs = [('lunarcalendar', 'sxtwl'), ('lunarcalendar', 'ephem_lmt1929'), ('sxtwl', 'ephem_lmt1929'),
             ('sxtwl', 'ephem_utc8'), ('ephem_utc8', 'ephem_lmt1929'),
             ('ephem_lmt1929', 'astronomy_lmt1929'),
             ('lunarcalendar', 'lunardate'), ('lunarcalendar', 'zhdate'), ('lunardate', 'zhdate'),
             ('sxtwl', 'lunardate'), ('sxtwl', 'zhdate')]
    for a, b in pairs:
        ys = [y for y in YEARS if y in years_of[a] and y in years_of[b]
              and year_struct(refs[a], y) != year_struct(refs[b], y)]
        L.append(f'  {a:14s} vs {b:18s}: {ys if ys else "identical"}')
    L.append('')

    # --- which time zone before 1929
    L.append('Time zone before 1929: month starts 1899..1928 where ephem_utc8 and ephem_lmt1929')
    L.append('differ, and what the table references say:')
    for key in dis_keys:
        if key[0] > 1928:
            continue
        a, b = idx['ephem_utc8'].get(key), idx['ephem_lmt1929'].get(key)
        if a and b and a[0] != b[0]:
            t = nearest(nm_e, float(ephem.Date(a[0].strftime('%Y/%m/%d'))) - 0.5)
            said = {n: idx[n][key][0].isoformat() for n in ('lunarcalendar', 'sxtwl', 'lunardate', 'zhdate')
                    if key in idx[n]}
            agree = 'UTC+8' if all(v == a[0].isoformat() for v in said.values()) else (
                'LMT' if all(v == b[0].isoformat() for v in said.values()) else 'mixed')
            L.append(f'  {month_name(key)}: new moon {fmt_instant(t, offset_utc8)} UTC+8 = '
                     f'{fmt_instant(t, lambda x: LMT)} LMT; UTC+8 gives {a[0]}, LMT gives {b[0]}; '
                     f'references say {sorted(set(said.values()))} -> agree with {agree}')
    # Which single fixed offset from UT would reproduce sxtwl's month starts before 1929?
    lo, hi = -1.0, 2.0
    sx_starts = sorted(r[3] for r in refs['sxtwl'] if r[3] < dt.date(1929, 1, 1))
    for t in nm_e:
        d0 = civil(t, offset_utc8)[0]
        ref = min(sx_starts, key=lambda x: abs((x - d0).days)) if sx_starts else None
        if ref is None or abs((ref - d0).days) > 1:
            continue
        midnight = (ref - EPOCH).days - 0.5          # ephem.Date of local midnight minus offset
        lo, hi = max(lo, midnight - t), min(hi, midnight + 1 - t)
    hms = lambda x: f"UTC+{int(x * 24)}:{int(x * 1440) % 60:02d}:{x * 86400 % 60:04.1f}"
    L.append(f'  With ephem new moons, the fixed offsets that reproduce every sxtwl month start '
             f'1899..1928 lie in [{hms(lo)}, {hms(hi)}) -- neither UTC+8 nor LMT (UTC+7:45:40).')
    L.append('  Before 1960 sxtwl dates new moons with a low-precision formula plus a compiled correction')
    L.append('  table (src/SSQ.cpp), i.e. it follows the historical record. The 1906 month (Qing era,')
    L.append('  before the 1912 switch to the Gregorian-based Republic calendar) is the one that breaks the')
    L.append('  LMT rule; presumably it reflects the Qing 时宪历 computation, not a time-zone choice.')
    L.append('')

    # --- spot checks
    L.append('Spot checks:')
    for n in names:
        v = idx[n].get((1954, 1, False))
        L.append(f'  1954 Spring Festival (正月初一) per {n:18s}: {v[0].isoformat() if v else "n/a"}'
                 f'  {"OK" if v and v[0] == dt.date(1954, 2, 3) else "MISMATCH"}')
    for n in names:
        v9, v8 = idx[n].get((2057, 9, False)), idx[n].get((2057, 8, False))
        L.append(f'  2057 month 9 per {n:18s}: first {v9[0]} ({v9[1]} days); month 8 {v8[0]} ({v8[1]} days)'
                 if v9 else f'  2057 month 9 per {n:18s}: n/a')
    L.append('')

    # --- HKO's own near-midnight caveat
    L.append("HKO's conversion-table page warns (as quoted in public repositories; not fetched here) that, because")
    L.append('of minute-level uncertainty decades ahead, its table may be one day off for the new moons')
    L.append('of 2057-09-28, 2089-09-04 and 2097-08-07 and for the 2021 winter solstice, 2051 and 2084')
    L.append("March equinoxes and the 2083 立春.  Those events here (ΔT = TT-UT of each model):")
    for label, t0 in (('new moon', '2057/9/28 16:00'), ('new moon', '2089/9/4 16:00'),
                      ('new moon', '2097/8/7 16:00')):
        te = nearest(nm_e, float(ephem.Date(t0)))
        ta = nearest(nm_a, float(ephem.Date(t0)))
        dte = ephem.delta_t(ephem.Date(te))
        margin = (math.floor(te + 0.5 + CST) + 1 - (te + 0.5 + CST)) * 86400
        L.append(f'  {label}: ephem {fmt_instant(te, offset_utc8)} UTC+8 (ΔT {dte:.1f} s);'
                 f' astronomy-engine {fmt_instant(ta, offset_utc8)} UTC+8;'
                 f' with ephem\'s ephemeris the day flips if ΔT < {dte - margin:.1f} s')
    for label, lon, t0 in (('winter solstice 270°', 270, '2021/12/21 16:00'),
                           ('March equinox 0°', 0, '2051/3/20 16:00'),
                           ('March equinox 0°', 0, '2084/3/19 16:00')):
        te = min((z for z in zq_e if z[1] == lon), key=lambda z: abs(z[0] - ephem.Date(t0)))[0]
        ta = min((z for z in zq_a if z[1] == lon), key=lambda z: abs(z[0] - ephem.Date(t0)))[0]
        d = civil(te, offset_utc8)[0]
        starts = {r[3] for r in refs['ephem_lmt1929']}
        edge = d in starts or d + dt.timedelta(days=1) in starts
        L.append(f'  {label}: ephem {fmt_instant(te, offset_utc8)}; astronomy-engine '
                 f'{fmt_instant(ta, offset_utc8)} UTC+8; '
                 + ('ON A MONTH EDGE: a one-day shift would change the month containing it'
                    if edge else 'not on the first/last day of a month, so a one-day shift '
                    'cannot change month numbering'))
    L.append('  (立春 is a minor term, 315°; it plays no part in month numbering.)')
    L.append('')

    # --- watch list
    L.append('Watch list: new moons within 20 minutes of local midnight (UTC+8; and Beijing LMT for')
    L.append('instants before 1929), ephem vs astronomy-engine.  A one-minute change flips these days:')
    for t in nm_e:
        ta = nearest(nm_a, t)
        for lab, off in (('UTC+8', offset_utc8), ('LMT  ', lambda x: LMT)):
            if lab.startswith('LMT') and t >= SWITCH_1929:
                continue
            d, mins = civil(t, off)
            if mins < 20 or mins > 1420:
                flag = '' if civil(ta, off)[0] == d else '   <- the two ephemerides give different days'
                L.append(f'  {lab} ephem {fmt_instant(t, off)}  astronomy-engine {fmt_instant(ta, off)}{flag}')
    L.append('')
    L.append('Principal terms within 20 minutes of local midnight on the first or last day of a month')
    L.append('(ephem_lmt1929 calendar; a one-minute change could move the term to the adjacent month):')
    starts = {r[3] for r in refs['ephem_lmt1929']}
    for t, lon in zq_e:
        d, mins = civil(t, offset_lmt1929)
        if (mins < 20 or mins > 1420) and (d in starts or d + dt.timedelta(days=1) in starts):
            L.append(f'  {lon:3d}° at {fmt_instant(t, offset_lmt1929)} ({"LMT" if t < SWITCH_1929 else "UTC+8"})')
    L.append('')

    # --- ephem vs sxtwl and astronomy-engine instants
    import sxtwl
    diffs = []
    zq_e_by = {}
    for t, lon in zq_e:
        zq_e_by.setdefault(lon, []).append(t)
    for y in range(1899, 2103):
        for j in sxtwl.getJieQiByYear(y):
            if j.jqIndex % 2 == 0:
                lon = (270 + 15 * j.jqIndex) % 360
                t_sx = j.jd - 2415020.0 - CST        # sxtwl JD is Beijing time (UTC+8)
                diffs.append(((nearest(zq_e_by[lon], t_sx) - t_sx) * 86400, y, lon))
    diffs.sort()
    L.append(f'Principal-term instants, ephem minus sxtwl (1899..2102, {len(diffs)} terms): '
             f'min {diffs[0][0]:+.1f} s ({diffs[0][1]}, {diffs[0][2]}°), max {diffs[-1][0]:+.1f} s '
             f'({diffs[-1][1]}, {diffs[-1][2]}°), median {diffs[len(diffs) // 2][0]:+.1f} s')
    d2 = sorted((nearest(nm_a, t) - t) * 86400 for t in nm_e)
    L.append(f'New-moon instants, astronomy-engine minus ephem ({len(d2)} new moons): '
             f'min {d2[0]:+.1f} s, max {d2[-1]:+.1f} s, median {d2[len(d2) // 2]:+.1f} s '
             f'(includes their different ΔT models)')
    L.append('')
    (OUT / 'compare.txt').write_text('\n'.join(L) + '\n')

    # --- table.txt
    T = []
    for y in YEARS:
        st = {n: year_struct(refs[n], y) for n in PRIMARY}
        c = Counter(v for v in st.values() if v is not None)
        best, votes = c.most_common(1)[0]
        line = f'{y} new_year={best[0]} leap={best[1]} lengths={best[2]}'
        if len(c) > 1 or votes < len(PRIMARY):
            parts = []
            for key in [k for k in dis_keys if k[0] == y]:
                groups = OrderedDict()
                for n in names:
                    if y in years_of[n]:
                        v = idx[n].get(key)
                        groups.setdefault(f'{v[0].isoformat()}/{v[1]}d' if v else 'absent', []).append(n)
                if len({str(idx[n].get(key)) for n in PRIMARY}) > 1:
                    parts.append(f'{month_name(key)}: ' + ' vs '.join(
                        f'{v} ({", ".join(ns)})' for v, ns in groups.items()))
            line += ' # disagreement: ' + '; '.join(parts)
            line += ' -- following ' + ', '.join(n for n in PRIMARY if st[n] == best)
            if votes < 2:
                line += ' (NO MAJORITY)'
        T.append(line)
    (OUT / 'table.txt').write_text('\n'.join(T) + '\n')
    write_rust_table(T)
    print('written', file=sys.stderr)


RUST_HEADER = """//! The lunar months of 1899–2101, as data: for each lunar year, the solar day of 正月初一,
//! the leap month (0: none) and each month's length in order (the leap month after the month
//! it repeats), `1` for 30 days and `0` for 29.
//!
//! Built by `docs/lunar/generate.py` from references that were compared month by month (see
//! `docs/lunar/compare.txt`): 寿星天文历 (`sxtwl`, which follows the historical record before
//! 1960), an astronomical computation with PyEphem under the modern rules (GB/T 33661-2017;
//! Beijing mean time before 1929, UTC+8 after), and the packed table of `LunarCalendar`. The
//! table takes the reading at least two of the three share; [`super::DISAGREEMENTS`] lists
//! every month where references differ and which reading is kept.

/// (lunar year, month and day of 正月初一, leap month or 0, month lengths)
"""


def write_rust_table(lines):
    """src/domain/lunar/table.rs in the repository, from the lines of table.txt."""
    rows = []
    for line in lines:
        y, new_year, leap, lengths = line.split('#')[0].split()
        mm, dd = new_year.split('=')[1].split('-')
        rows.append(f'    ({y}, {int(mm)}, {int(dd)}, {leap.split("=")[1]}, "{lengths.split("=")[1]}"),')
    text = (RUST_HEADER + f'pub(super) const YEARS: [(i32, u8, u8, u8, &str); {len(rows)}] = [\n'
            + '\n'.join(rows) + '\n];\n')
    target = OUT.parent.parent / 'src' / 'domain' / 'lunar' / 'table.rs'
    if target.parent.is_dir():
        target.write_text(text)


if __name__ == '__main__':
    main()
