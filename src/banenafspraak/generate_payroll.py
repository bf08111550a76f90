"""Generate synthetic person-level payroll data for the banenafspraak measurement (CONTRACT 1b).

SYNTHETIC DATA. Every person, employer, registration and payroll line in the output is invented by
a random generator. No real person or employer is described and nothing is derived from
person-level source data; only the national aggregates are tuned to look like the published series.

What it writes into the folder given by --out (created when missing):

    payroll_lines_<year>.parquet    one file per year of period_end (2012 ... 2026), each sorted by
                                    period_end, person_id (then employer_id, period_start), so that
                                    row-group min/max statistics on period_end let a reader skip
                                    other years; read them with the glob `payroll_lines*.parquet`.
                                    Columns: person_id, employer_id, period_start, period_end,
                                    relation_type (regular, temp_agency, sheltered_secondment,
                                    sheltered_internal), paid_hours (decimal(9,2), >= 0).
    target_group_register.parquet   person_id, basis (wajong, wsw, participatiewet, indicatie,
                                    wiw_id), valid_from, valid_to (null while open).
    employers.parquet               employer_id, year, sector (market, government),
                                    government_subsector (null for market), size_class (small,
                                    medium, large), labour_market_region, total_paid_hours
                                    (decimal(18,2)); one row per employer and year in which the
                                    employer exists (within the written years).
    manifest.json                   the options used, row counts per dataset and per year, the
                                    file names and the generator version (no timestamps, so it is
                                    deterministic too).

With --format csv the same datasets are written as .csv (header row, ISO dates, empty = null).
Person ids look like `P0000123`, employer ids like `E000045`: a letter and 7 (employers 6) or more
digits, never a bare 9-digit number that could pass for a BSN.

Usage (from the project root; OUT_DIR is a folder outside the repository):

    .venv/bin/banenafspraak generate-payroll --out OUT_DIR         # defaults: ~30M lines
    .venv/bin/banenafspraak generate-payroll --out OUT_DIR --persons 300 --years 2012-2014
    .venv/bin/banenafspraak generate-payroll --out OUT_DIR --lines 3000000
    .venv/bin/banenafspraak generate-payroll --out OUT_DIR --persons 2500 --format csv

Options:

    --out DIR          output folder (required). Dataset files that an earlier run left there
                       (payroll_lines*, target_group_register*, employers*, .parquet or .csv) are
                       removed first, so the globs read only this run.
    --persons N        persons in the target group register over the whole period (default
                       250000, about the national scale). Everything scales roughly linearly with
                       N: jobs, employers (0.16 per person), lines (~120 per person over
                       2012-2026: 25000 persons give ~3 million lines, 2500 ~300,000).
    --lines N          instead of --persons: choose the number of persons so that about N payroll
                       lines come out for the chosen years (a pilot run of 20,000 persons measures
                       the lines per person; expect N within a few per cent). For benchmarks:
                       --lines 30000000, --lines 3000000.
    --years A-B        the years of period_end to write (default 2012-2026; within 2012-2026; one
                       year `2014` is fine). The simulated world always starts in January 2012 and
                       the register always covers 2010-2026, so a year's file is byte-identical
                       whichever range it is written in (same persons and seed); employer rows
                       are written for the chosen years only.
    --seed S           random seed (default 20130411, the day the social agreement was signed).
    --format F         parquet (default; zstd, row groups of 122,880 rows) or csv.

Deterministic: the same options and seed give byte-identical files. All randomness comes from
numpy Generator(PCG64) streams derived from the seed (register, employers, labour market, and one
per year for the hours noise, drawn in the sorted line order); DuckDB writes single-threaded from
pre-sorted data. Speed at the defaults (30M lines) on a 2-core machine: about a minute, well under
1 GB of memory; 300 persons over 2012-2014 take about a second.

How the data are made (vectorised numpy; Python loops only over months, years and groups):

1. Register. Each person gets a basis path: Wajong stock (33 %, registered 2010-2011) and inflow
   (10 %, mostly 2012-2014), Wsw stock (19 %, 2010-2011) and inflow (3 %, 2012-2014; nobody new
   in the Wsw from 2015), Participatiewet (20 %, 2015-2026), indicatie banenafspraak (11 %,
   2015-2026, mostly from 2017: VSO/PrO pupils), former WIW/ID jobs (4 %, 1 January 2015).
   Some registrations end, always on 31 December and at least two years after they started (the
   flavour of the t+2 rule; fewer ends in 2021-2025, while that rule was suspended): ~14 % of the
   Wajong rows, ~28 % of Wsw, ~8 % of Participatiewet and indicatie, ~55 % of WIW/ID (2016-2020).
   A quarter of the ended Wajong rows and 45 % of the ended Wsw rows are followed by a
   participatiewet row from 1 January of a later year (never overlapping), so a person has one
   or two rows. About 56 % of the persons are registered on 31 December 2012, 89 % at end 2026.

2. Employers (~40,000 at the defaults; about 33,000 of them ever employ someone in the data).
   Regular employers (~86 % market, ~12 % government), temp agencies (~600, market) and sheltered
   companies (sw-bedrijven, ~90, government, subsector `gemeenten`: most are joint municipal
   bodies). Government subsectors by employer count (an assumption: no published subsector table
   exists): onderwijs 40 %, gemeenten 22 %, overig_overheid 22 %, rijk 7 %, waterschappen 3 %,
   provincies 3 %, defensie and politie 1.5 % each; rijk, defensie, politie and provincies are
   mostly large. Employees: small 1-24 and medium 25-249 (log-uniform), large from 250 (Pareto,
   capped at 80,000 when drawn), then a random walk per year; a year's size_class follows that
   year's employee count. total_paid_hours = employees x ~1,400 h (lognormal noise), and at least
   1.25 x the hours of the generated lines at that employer that year. labour_market_region: one
   of the 35 arbeidsmarktregio's, weighted by rough population. 60 % exist from 2012 on, 40 %
   start in a later year; small employers close at 5 % a year, medium 2.5 %, large 0.8 %,
   government 1 % (mergers), so the number of employers grows slowly. About 4 % of the government
   and 0.5 % of the market employers switch sector once (privatisation and the reverse).
   Pay frequency: government employers and sheltered companies pay monthly; market employers pay
   four-weekly with probability 41 % (small), 25 % (medium), 5 % (large), temp agencies 40 / 30 /
   10 %: about 73 % of the employers pay monthly. Monthly periods are calendar months;
   four-weekly periods are 28 days, anchored on Monday 2 January 2012 and continuing every 28
   days, so they drift against the calendar: 14 period ends fall in 2012, December 2012 and
   December 2013 each hold two of them (and so count eight weeks of a four-weekly payer under
   rule 2), every later December one.
   The chance that an employer gets a given hire grows with employees^0.6 times a lognormal
   factor (temp agencies: with employees): a few large employers and agencies employ hundreds of
   target-group people, most employ a handful, many just one. 85 % of hires stay in the person's
   own region.

3. Labour market, month by month from January 2012 (the January 2012 stock gets start dates
   before 2012). Each person has a main job (slot A) and possibly a second job (slot B, started
   at 0.45 % a month by working people; 7-10 % of the people working in a December have two
   employers). Monthly separation hazards: regular market 2.2 %, regular government 1.6 %, temp
   agency 6 %, second job 3.5 %; a closing employer ends its jobs (on its last payroll day).
   Hiring is steered by a controller. Each month, for formal market, formal government, temp
   agency and sheltered secondment jobs of registered people, the December-job equivalent of the
   current stock (weekly hours x the weeks that would count in December / 110.92, blended from
   last December's weeks to this December's through the year) is compared with the target below
   (scaled by persons / 250,000). A shortfall is hired from the registered people without a
   main job, drawn with weight = a lasting personal employability (lognormal; 12 % hardly
   employable) x 8 if they lost a job in the last two months x 0.35 with an active Wsw
   registration; a surplus raises next month's separation hazard (at most +5 %).
   People also work while not registered: 3.5 % a month (times employability) of those who will
   register within 42 months start a job (many people get registered once they work), and 2 % a
   month of those whose first registration ended in the last five years; jobs carry on across
   registration changes. About 9 % of all lines (4-15 % of the December lines, most in 2012)
   belong to people not registered at the time: the measurement must exclude them.
   Wsw: 80 % of the registered Wsw people work in their sheltered company in January 2012; until
   2014 2 % a month of the Wsw waiting list joins; from 2015 nobody new, so sheltered_internal
   declines. Wsw employment ends at 0.3 % a month, and at the latest two years before the wsw
   registration ends. A Wsw employee is seconded (`sheltered_secondment`, a loan) or works inside
   (`sheltered_internal`, never counted); the controller seconds internal workers to meet the
   secondment target, secondments return inside at 2 % a month; switches fall on month
   boundaries, and the employer on the line is always the sheltered company.

   Target December jobs of registered people (thousands, at 250,000 persons), close to the
   published series (75,179 jobs end 2012, of which 36,206 loans; about 156,000 end 2022):

       year          2012  2013  2014  2015  2016  2017  2018  2019
       formal        39.0  42.5  46.5  52.0  56.5  65.0  79.0  89.5
       temp agency   21.7  23.8  25.9  28.2  30.4  31.4  32.0  32.6
       sheltered     14.5  15.0  15.4  15.8  16.0  15.6  14.9  14.3

       year          2020  2021  2022  2023  2024  2025  2026
       formal        96.5 106.0 118.0 125.5 130.0 133.5 136.5
       temp agency   31.5  30.3  28.0  26.5  26.0  25.5  25.0
       sheltered     12.9  11.6  10.0   8.8   8.2   7.6   7.0

   The government share of formal jobs rises from 8 % (2012) to 11 % (2022) and 12 % (2026): the
   market holds 88-92 % of formal jobs. Loan jobs grow from 36,000 to ~47,000 in 2019 and decline
   after. The targets are *measured* December jobs (rule 2: period_end in December). Because
   four-weekly payers count twice in December 2012 and 2013, fewer people work in 2012-2013 than
   the job figures alone suggest (by about the four-weekly share of the hours), and the number of
   working people catches up in 2014 (it rises ~19 % that year while jobs rise ~8 %).

4. Payroll lines. Each employment spell becomes one line per payroll period of its employer that
   it overlaps (period_end in a written year). Weekly contract hours of a main job: 58 % part
   time 14-34 h (mode 24), 32 % 30-40 h, 10 % small jobs 4-12 h (mean ~26 h); second jobs 4-16 h;
   Wsw 16-36 h (mean ~30 h); rounded to half hours. paid_hours = weekly hours x days of the period
   covered by the spell / 7 x noise (regular: sd 3 %, 3 % of lines overtime, 2 % unpaid leave;
   temp agency: sd 15 %, 1 % of the lines 0 hours; sheltered: sd 1.5 %), rounded to 2 decimals,
   >= 0 and at most 60 h a week (far below 24 h x the days of the period). Spells start and end
   on any day (40 % on the first or last day of a month), so first and last periods are partial.
   Two spells of one person at one employer in one period (a rehire, or a second job at the same
   employer) are merged into one line, so (person, employer, period) is unique. Every line's
   employer has a row in employers for the year of period_end.

After writing, the script reads the files back with one DuckDB query and prints per year: the
registered persons on 31 December, the registered persons with a counted December line, the lines
of the year and of December, and the December jobs the measurement counts (registered on
31 December, hours / 110.92): formal market, formal government and loan (temp agency + sheltered
secondment, not split); then the total number of lines.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

GENERATOR_VERSION = "1.0.0"

FIRST_YEAR = 2012  # the simulated world starts in January of this year (the baseline year)
LAST_YEAR = 2026
REFERENCE_PERSONS = 250_000  # the targets below are for this many persons
HOURS_PER_DECEMBER_JOB = 110.92  # 25.5 h/week = 1,331 h/year, / 12
DEFAULT_SEED = 20130411
PILOT_PERSONS = 20_000  # --lines: persons in the pilot run that measures lines per person

EPOCH = np.datetime64("1970-01-01", "D")


def day_number(year: int, month: int = 1, day: int = 1) -> int:
    """Days since 1970-01-01 of a calendar date."""
    return int((np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "D") - EPOCH).astype(np.int64))


FOUR_WEEK_ANCHOR = day_number(2012, 1, 2)  # Monday 2 January 2012: start of a four-weekly period

# Relation types (codes used in the arrays; the names are the contract's values).
REGULAR, TEMP_AGENCY, SECONDMENT, INTERNAL = 0, 1, 2, 3
RELATION_TYPES = ["regular", "temp_agency", "sheltered_secondment", "sheltered_internal"]

# Controller groups: the measured categories of counted jobs.
G_MARKET, G_GOVERNMENT, G_TEMP, G_SECONDMENT, G_INTERNAL = 0, 1, 2, 3, 4

BASES = ["wajong", "wsw", "participatiewet", "indicatie", "wiw_id"]
WAJONG, WSW, PARTICIPATIEWET, INDICATIE, WIW_ID = range(5)

SECTORS = ["market", "government"]
MARKET, GOVERNMENT = 0, 1
SIZE_CLASSES = ["small", "medium", "large"]
SUBSECTORS = [
    "rijk",
    "gemeenten",
    "provincies",
    "waterschappen",
    "onderwijs",
    "defensie",
    "politie",
    "overig_overheid",
]
# Share of government employers (by count) per subsector, and the size-class mix per subsector.
SUBSECTOR_SHARES = [0.07, 0.22, 0.03, 0.03, 0.40, 0.015, 0.015, 0.22]
SUBSECTOR_SIZE_MIX = {
    "rijk": [0.05, 0.35, 0.60],
    "gemeenten": [0.10, 0.45, 0.45],
    "provincies": [0.0, 0.30, 0.70],
    "waterschappen": [0.05, 0.45, 0.50],
    "onderwijs": [0.35, 0.50, 0.15],
    "defensie": [0.0, 0.0, 1.0],
    "politie": [0.0, 0.0, 1.0],
    "overig_overheid": [0.45, 0.40, 0.15],
}

# The 35 labour market regions (arbeidsmarktregio's) with rough populations (thousands).
REGIONS = [
    ("Groningen", 590),
    ("Friesland", 650),
    ("Drenthe", 495),
    ("Regio Zwolle", 530),
    ("Twente", 630),
    ("Stedendriehoek en Noordwest Veluwe", 560),
    ("Achterhoek", 390),
    ("Midden-Gelderland", 690),
    ("FoodValley", 360),
    ("Rijk van Nijmegen", 540),
    ("Rivierenland", 240),
    ("Amersfoort", 440),
    ("Midden-Utrecht", 900),
    ("Gooi en Vechtstreek", 250),
    ("Noord-Holland Noord", 665),
    ("Zaanstreek/Waterland", 340),
    ("Zuid-Kennemerland en IJmond", 550),
    ("Groot Amsterdam", 1300),
    ("Holland Rijnland", 560),
    ("Midden-Holland", 270),
    ("Haaglanden", 1050),
    ("Zuid-Holland Centraal", 330),
    ("Rijnmond", 1400),
    ("Drechtsteden", 290),
    ("Gorinchem", 120),
    ("Zeeland", 385),
    ("West-Brabant", 640),
    ("Midden-Brabant", 470),
    ("Noordoost-Brabant", 650),
    ("Zuidoost-Brabant", 750),
    ("Helmond-De Peel", 430),
    ("Noord-Limburg", 280),
    ("Midden-Limburg", 235),
    ("Zuid-Limburg", 600),
    ("Flevoland", 430),
]
REGION_NAMES = [name for name, _ in REGIONS]
REGION_WEIGHTS = np.array([population for _, population in REGIONS], dtype=float)
REGION_WEIGHTS /= REGION_WEIGHTS.sum()

# Target December jobs of registered people, thousands at REFERENCE_PERSONS (see the docstring).
# 2011 only serves the blend through 2012.
TARGET_YEARS = list(range(2011, LAST_YEAR + 1))
TARGET_FORMAL = [
    38.0,
    39.0,
    42.5,
    46.5,
    52.0,
    56.5,
    65.0,
    79.0,
    89.5,
    96.5,
    106.0,
    118.0,
    125.5,
    130.0,
    133.5,
    136.5,
]
TARGET_TEMP = [21.0, 21.7, 23.8, 25.9, 28.2, 30.4, 31.4, 32.0, 32.6, 31.5, 30.3, 28.0, 26.5, 26.0, 25.5, 25.0]
TARGET_SECONDMENT = [
    14.3,
    14.5,
    15.0,
    15.4,
    15.8,
    16.0,
    15.6,
    14.9,
    14.3,
    12.9,
    11.6,
    10.0,
    8.8,
    8.2,
    7.6,
    7.0,
]
GOVERNMENT_SHARE_POINTS = {2011: 0.08, 2012: 0.08, 2022: 0.11, 2026: 0.12}

# Monthly hazards.
HAZARD_REGULAR_MARKET = 0.022
HAZARD_REGULAR_GOVERNMENT = 0.016
HAZARD_TEMP = 0.06
HAZARD_SECOND_JOB = 0.035
HAZARD_WSW_EXIT = 0.003
HAZARD_SECONDMENT_RETURN = 0.02
HAZARD_WSW_ENTRY = 0.02  # Wsw waiting list into the sheltered company, until 2014
SHARE_WSW_EMPLOYED_2012 = 0.80
HAZARD_SECOND_JOB_START = 0.0045
HAZARD_PRE_REGISTRATION = 0.035
PRE_REGISTRATION_MONTHS = 42
HAZARD_POST_REGISTRATION = 0.02
POST_REGISTRATION_MONTHS = 60
MAX_EXTRA_HAZARD = 0.05  # when a group is above its target: at most this extra monthly hazard
SHARE_HIRES_IN_OWN_REGION = 0.85
UNREGISTERED_GROUP_MIX = [0.68, 0.07, 0.25]  # market, government, temp agency
SECOND_JOB_GROUP_MIX = [0.70, 0.10, 0.20]
HOURS_PER_EMPLOYEE_YEAR = 1400.0
MAX_WEEKLY_HOURS = 60.0


# ----------------------------------------------------------------------------------------------
# Calendar helpers


def month_index_of_day(days: np.ndarray) -> np.ndarray:
    """Months since January 1970 of day numbers."""
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)


def first_day_of_month_index(months: np.ndarray) -> np.ndarray:
    """Day number of the first day of months given as months since January 1970."""
    return np.asarray(months).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def four_week_periods_ending_between(first_day: int, last_day: int) -> tuple[int, int]:
    """Inclusive range of four-weekly period numbers whose period_end lies in [first, last]."""
    k_min = -((-(first_day - FOUR_WEEK_ANCHOR - 27)) // 28)  # ceiling division
    k_max = (last_day - FOUR_WEEK_ANCHOR - 27) // 28
    return k_min, k_max


def four_week_ends_in_december(year: int) -> int:
    k_min, k_max = four_week_periods_ending_between(day_number(year, 12, 1), day_number(year, 12, 31))
    return max(0, k_max - k_min + 1)


def december_weeks(year: int) -> np.ndarray:
    """Weeks of a job's hours that count in December of `year`: [monthly payer, four-weekly]."""
    return np.array([31 / 7, 4.0 * four_week_ends_in_december(year)])


def interpolate_year_points(points: dict[int, float], years: list[int]) -> np.ndarray:
    keys = sorted(points)
    return np.interp(years, keys, [points[k] for k in keys])


# ----------------------------------------------------------------------------------------------
# Small random helpers


def weighted_pick(
    rng: np.random.Generator, candidates: np.ndarray, weights: np.ndarray, k: int
) -> np.ndarray:
    """k distinct candidates drawn with probability proportional to weight (Efraimidis-Spirakis),
    in random order."""
    if k <= 0 or candidates.size == 0:
        return candidates[:0]
    keys = np.log1p(-rng.random(candidates.size)) / np.maximum(weights, 1e-12)
    if k >= candidates.size:
        chosen = np.arange(candidates.size)
    else:
        chosen = np.argpartition(-keys, k - 1)[:k]
        chosen.sort()
    return candidates[chosen[rng.permutation(chosen.size)]]


def stochastic_round(rng: np.random.Generator, x: float) -> int:
    if x <= 0:
        return 0
    return int(math.floor(x + rng.random()))


def random_days_in_years(
    rng: np.random.Generator, n: int, first_year: np.ndarray | int, last_year: np.ndarray | int
) -> np.ndarray:
    """A uniform random day between 1 January of first_year and 31 December of last_year."""
    first = first_day_of_month_index((np.asarray(first_year) - 1970) * 12)
    last = first_day_of_month_index((np.asarray(last_year) + 1 - 1970) * 12) - 1
    return first + np.floor(rng.random(n) * (last - first + 1)).astype(np.int64)


def draw_employers(rng, sampler, groups, regions):
    """An employer for each person, drawn per employer group (in group order) near their region."""
    employer = np.empty(groups.size, dtype=np.int64)
    for g in range(3):
        m = groups == g
        employer[m] = sampler.draw(rng, g, regions[m])
    return employer


def draw_weekly_hours(rng: np.random.Generator, n: int, kind: str) -> np.ndarray:
    """Contract hours per week, rounded to half hours."""
    if kind == "main":
        component = rng.random(n)
        part_time = 14 + 20 * rng.beta(3.0, 3.0, n)  # 14-34 h, mode 24
        full_time = 30 + 10 * rng.random(n)  # 30-40 h
        small = 4 + 8 * rng.random(n)  # 4-12 h
        hours = np.where(component < 0.58, part_time, np.where(component < 0.90, full_time, small))
    elif kind == "second":
        hours = 4 + 12 * rng.beta(1.5, 3.0, n)
    else:  # sheltered
        hours = 16 + 20 * rng.beta(4.0, 1.6, n)
    return (np.round(hours * 2) / 2).astype(np.float32)


# ----------------------------------------------------------------------------------------------
# The register


@dataclass
class Register:
    person: np.ndarray  # row arrays, person index 0..n-1
    basis: np.ndarray
    valid_from: np.ndarray  # day numbers
    valid_to: np.ndarray  # day numbers, -1 = open
    # per person, for the simulation (months since January 2012; large sentinels for none/open)
    from1: np.ndarray
    to1: np.ndarray
    from2: np.ndarray
    to2: np.ndarray
    wsw_until: np.ndarray  # last month a person may work in the sheltered company (-1 = never)
    employability: np.ndarray
    region: np.ndarray
    n_persons: int


OPEN_MONTH = 10_000
NO_MONTH = -10_000


def month_of_day_rel(days: np.ndarray) -> np.ndarray:
    """Months since January 2012 of day numbers."""
    return month_index_of_day(days) - (FIRST_YEAR - 1970) * 12


def choose_end_years(rng: np.random.Generator, earliest: np.ndarray) -> np.ndarray:
    """A year >= earliest in 2012..2026 for each row, fewer in 2021-2025 (t+2 rule suspended);
    0 where earliest > 2026."""
    years = np.arange(2012, LAST_YEAR + 1)
    weights = np.where((years >= 2021) & (years <= 2025), 0.35, 1.0)
    cumulative = np.concatenate([[0.0], np.cumsum(weights)])
    start = np.clip(earliest - 2012, 0, years.size)
    low = cumulative[start]
    high = cumulative[-1]
    u = low + rng.random(earliest.size) * (high - low)
    index = np.clip(np.searchsorted(cumulative, u, side="right") - 1, 0, years.size - 1)
    return np.where(earliest > LAST_YEAR, 0, years[index])


def build_register(n: int, rng: np.random.Generator) -> Register:
    categories = [
        "wajong_stock",
        "wajong_inflow",
        "wsw_stock",
        "wsw_inflow",
        "participatiewet",
        "indicatie",
        "wiw_id",
    ]
    shares = np.array([0.33, 0.10, 0.19, 0.03, 0.20, 0.11, 0.04])
    counts = np.floor(shares * n).astype(int)
    counts[0] += n - counts.sum()
    category = rng.permutation(np.repeat(np.arange(len(categories)), counts))
    basis1 = np.array([WAJONG, WAJONG, WSW, WSW, PARTICIPATIEWET, INDICATIE, WIW_ID])[category]

    # valid_from of the first row
    from1 = np.zeros(n, dtype=np.int64)
    stock = (category == 0) | (category == 2)
    initial_load = stock & (rng.random(n) < 0.45)
    from1[stock] = random_days_in_years(rng, int(stock.sum()), 2010, 2011)
    from1[initial_load] = day_number(2010, 1, 1)
    m = category == 1
    years = rng.choice(
        np.arange(2012, 2027), size=int(m.sum()), p=np.r_[[0.30, 0.30, 0.25], np.full(12, 0.15 / 12)]
    )
    from1[m] = random_days_in_years(rng, int(m.sum()), years, years)
    m = category == 3
    from1[m] = random_days_in_years(rng, int(m.sum()), 2012, 2014)
    inflow_years = np.arange(2015, 2027)
    for cat, profile in (
        (4, [4, 9, 11, 11, 10, 9, 8, 8, 8, 8, 7, 7]),
        (5, [1, 2, 6, 8, 9, 9, 9, 9, 9, 9, 9, 9]),
    ):
        m = category == cat
        p = np.array(profile, dtype=float) / sum(profile)
        years = rng.choice(inflow_years, size=int(m.sum()), p=p)
        from1[m] = random_days_in_years(rng, int(m.sum()), years, years)
    from1[category == 6] = day_number(2015, 1, 1)
    from1_year = from1.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970

    # end of the first row (31 December), t+2 flavour: at least two years after it started
    end_share = np.array([0.14, 0.14, 0.28, 0.28, 0.08, 0.08, 0.55])[category]
    ends = rng.random(n) < end_share
    end_year = choose_end_years(rng, np.maximum(from1_year + 2, 2012))
    wiw_end = rng.integers(2016, 2021, n)
    end_year = np.where(category == 6, wiw_end, end_year)
    ends &= end_year > 0
    to1 = np.full(n, -1, dtype=np.int64)
    to1[ends] = first_day_of_month_index((end_year[ends] + 1 - 1970) * 12) - 1

    # a later participatiewet row for some ended Wajong and Wsw rows
    follow_share = np.where(basis1 == WAJONG, 0.25, np.where(basis1 == WSW, 0.45, 0.0))
    gap = rng.choice(3, size=n, p=[0.6, 0.25, 0.15])
    start2_year = end_year + 1 + gap
    second = ends & (rng.random(n) < follow_share) & (start2_year <= LAST_YEAR)
    from2 = np.full(n, -1, dtype=np.int64)
    from2[second] = first_day_of_month_index((start2_year[second] - 1970) * 12)
    to2 = np.full(n, -1, dtype=np.int64)
    end2_year = start2_year + 2 + rng.integers(0, 6, n)
    second_ends = second & (rng.random(n) < 0.10) & (end2_year <= LAST_YEAR)
    to2[second_ends] = first_day_of_month_index((end2_year[second_ends] + 1 - 1970) * 12) - 1

    # row arrays, sorted by person then valid_from
    persons = np.arange(n)
    person_rows = np.concatenate([persons, persons[second]])
    basis_rows = np.concatenate([basis1, np.full(int(second.sum()), PARTICIPATIEWET)])
    from_rows = np.concatenate([from1, from2[second]])
    to_rows = np.concatenate([to1, to2[second]])
    order = np.lexsort((from_rows, person_rows))

    def months(days: np.ndarray, missing: int) -> np.ndarray:
        return np.where(days < 0, missing, month_of_day_rel(np.maximum(days, 0)))

    to1_month = months(to1, OPEN_MONTH)
    wsw_until = np.where(
        basis1 == WSW,
        np.where(ends, (end_year - 2 - FIRST_YEAR) * 12 + 11, OPEN_MONTH),
        -1,
    )
    employability = rng.lognormal(0.0, 0.7, n)
    employability[rng.random(n) < 0.12] *= 0.05  # rarely able to find work
    region = rng.choice(len(REGIONS), size=n, p=REGION_WEIGHTS)
    return Register(
        person=person_rows[order].astype(np.int64),
        basis=basis_rows[order].astype(np.int8),
        valid_from=from_rows[order],
        valid_to=to_rows[order],
        from1=months(from1, OPEN_MONTH),
        to1=to1_month,
        from2=months(from2, OPEN_MONTH),
        to2=np.where(second, months(to2, OPEN_MONTH), NO_MONTH),
        wsw_until=wsw_until,
        employability=employability,
        region=region,
        n_persons=n,
    )


# ----------------------------------------------------------------------------------------------
# Employers

EMPLOYER_REGULAR, EMPLOYER_TEMP, EMPLOYER_SHELTERED = 0, 1, 2


@dataclass
class Employers:
    kind: np.ndarray
    sector: np.ndarray  # [year - FIRST_YEAR, employer]
    subsector: np.ndarray  # [year - FIRST_YEAR, employer], -1 for market
    employees: np.ndarray  # [year - FIRST_YEAR, employer], float
    region: np.ndarray
    four_weekly: np.ndarray
    first_year: np.ndarray
    last_year: np.ndarray  # 9999 = still open after 2026
    last_day: np.ndarray  # last payroll day in its last year (last period end <= 31 December)
    weight: np.ndarray
    hours_noise: np.ndarray  # [year - FIRST_YEAR, employer]: total paid hours per employee factor
    n: int


def draw_employees(rng: np.random.Generator, size_class: np.ndarray) -> np.ndarray:
    n = size_class.size
    u = rng.random(n)
    small = np.floor(np.exp(u * np.log(25)))  # 1..24
    medium = np.floor(25 * np.exp(u * np.log(10)))  # 25..249
    large = np.minimum(250 / np.power(1 - u, 1 / 1.05), 80_000)
    return np.where(size_class == 0, small, np.where(size_class == 1, medium, np.floor(large)))


def build_employers(scale: float, rng: np.random.Generator) -> Employers:
    n_total = max(40, round(40_000 * scale))
    n_sheltered = max(1, round(90 * scale))
    n_temp = max(2, round(600 * scale))
    n_government = max(2, round(0.12 * n_total))
    n_market = max(2, n_total - n_sheltered - n_temp - n_government)
    n = n_market + n_government + n_temp + n_sheltered
    kind = np.r_[
        np.full(n_market + n_government, EMPLOYER_REGULAR),
        np.full(n_temp, EMPLOYER_TEMP),
        np.full(n_sheltered, EMPLOYER_SHELTERED),
    ]
    base_sector = np.r_[
        np.full(n_market, MARKET),
        np.full(n_government, GOVERNMENT),
        np.full(n_temp, MARKET),
        np.full(n_sheltered, GOVERNMENT),
    ]
    # the first employer of each kind and sector is always there (small data stay valid)
    always_open = np.zeros(n, dtype=bool)
    always_open[[0, n_market, n_market + n_government]] = True
    always_open[kind == EMPLOYER_SHELTERED] = True

    subsector = np.full(n, -1)
    government = np.flatnonzero((base_sector == GOVERNMENT) & (kind == EMPLOYER_REGULAR))
    subsector[government] = rng.choice(len(SUBSECTORS), size=government.size, p=SUBSECTOR_SHARES)
    subsector[kind == EMPLOYER_SHELTERED] = SUBSECTORS.index("gemeenten")

    size_class = np.zeros(n, dtype=np.int64)
    market = np.flatnonzero((base_sector == MARKET) & (kind == EMPLOYER_REGULAR))
    size_class[market] = rng.choice(3, size=market.size, p=[0.62, 0.30, 0.08])
    for code, name in enumerate(SUBSECTORS):
        members = government[subsector[government] == code]
        size_class[members] = rng.choice(3, size=members.size, p=SUBSECTOR_SIZE_MIX[name])
    temp = np.flatnonzero(kind == EMPLOYER_TEMP)
    size_class[temp] = rng.choice(3, size=temp.size, p=[0.35, 0.40, 0.25])
    sheltered = np.flatnonzero(kind == EMPLOYER_SHELTERED)
    size_class[sheltered] = 2
    employees = draw_employees(rng, size_class)
    employees[sheltered] = np.floor(300 + 2500 * rng.random(sheltered.size))

    region = rng.choice(len(REGIONS), size=n, p=REGION_WEIGHTS)
    weight = np.power(employees, 0.6) * rng.lognormal(0.0, 0.8, n)
    weight[temp] = employees[temp] * rng.lognormal(0.0, 0.5, temp.size)

    # four-weekly pay is a habit of small and medium market employers; large ones mostly pay monthly
    four_weekly_share = np.array([0.41, 0.25, 0.05])[size_class]
    four_weekly_share = np.where(
        kind == EMPLOYER_TEMP, np.array([0.40, 0.30, 0.10])[size_class], four_weekly_share
    )
    four_weekly_share = np.where(base_sector == GOVERNMENT, 0.0, four_weekly_share)
    four_weekly = rng.random(n) < four_weekly_share

    # existence: 60 % from 2012, the rest start later; closing hazard by size
    born_later = (rng.random(n) < 0.40) & ~always_open
    first_year = np.where(born_later, rng.integers(FIRST_YEAR + 1, LAST_YEAR + 1, n), FIRST_YEAR)
    closing = np.array([0.05, 0.025, 0.008])[size_class]
    closing = np.where(base_sector == GOVERNMENT, 0.01, closing)
    last_year = first_year + rng.geometric(closing) - 1
    last_year = np.where(always_open | (last_year > LAST_YEAR), 9999, last_year)
    last_day = np.full(n, day_number(LAST_YEAR + 1, 12, 31), dtype=np.int64)
    closes = last_year <= LAST_YEAR
    dec31 = first_day_of_month_index((last_year[closes] + 1 - 1970) * 12) - 1
    k_max = (dec31 - FOUR_WEEK_ANCHOR - 27) // 28
    last_day[closes] = np.where(four_weekly[closes], FOUR_WEEK_ANCHOR + 28 * k_max + 27, dec31)

    # sector by year, with a rare switch
    n_years = LAST_YEAR - FIRST_YEAR + 1
    switch_share = np.where(base_sector == GOVERNMENT, 0.04, 0.005)
    switches = (rng.random(n) < switch_share) & (kind == EMPLOYER_REGULAR) & ~always_open
    switch_year = rng.integers(FIRST_YEAR + 1, LAST_YEAR + 1, n)
    years = np.arange(FIRST_YEAR, LAST_YEAR + 1)[:, None]
    switched = switches[None, :] & (years >= switch_year[None, :])
    sector = np.where(switched, 1 - base_sector[None, :], base_sector[None, :]).astype(np.int8)
    subsector_by_year = np.where(
        sector == GOVERNMENT,
        np.where(subsector[None, :] >= 0, subsector[None, :], SUBSECTORS.index("overig_overheid")),
        -1,
    ).astype(np.int8)

    # employees per year: a random walk around the drawn size
    steps = rng.normal(0.005, 0.05, (n_years, n))
    steps[0] = 0.0
    employees_by_year = employees[None, :] * np.exp(np.cumsum(steps, axis=0))
    employees_by_year = np.maximum(1.0, np.round(employees_by_year))

    hours_noise = rng.lognormal(0.0, 0.05, (n_years, n))

    # ids in random order, so that an id says nothing about the kind of employer
    order = rng.permutation(n)
    return Employers(
        kind=kind[order],
        sector=sector[:, order],
        subsector=subsector_by_year[:, order],
        employees=employees_by_year[:, order],
        region=region[order],
        four_weekly=four_weekly[order],
        first_year=first_year[order],
        last_year=last_year[order],
        last_day=last_day[order],
        weight=weight[order],
        hours_noise=hours_noise[:, order],
        n=n,
    )


class EmployerSampler:
    """Weighted draws of an employer for a hire in one year and group, mostly in the own region."""

    def __init__(self, employers: Employers, year: int):
        alive = (employers.first_year <= year) & (employers.last_year >= year)
        sector = employers.sector[year - FIRST_YEAR]
        self.groups = []
        for group in (G_MARKET, G_GOVERNMENT, G_TEMP):
            if group == G_TEMP:
                mask = alive & (employers.kind == EMPLOYER_TEMP)
            else:
                mask = alive & (employers.kind == EMPLOYER_REGULAR) & (sector == group)
            ids = np.flatnonzero(mask)
            ids = ids[np.argsort(employers.region[ids], kind="stable")]
            cumulative = np.cumsum(employers.weight[ids])
            regions = employers.region[ids]
            bounds_low = np.searchsorted(regions, np.arange(len(REGIONS)), side="left")
            bounds_high = np.searchsorted(regions, np.arange(len(REGIONS)), side="right")
            padded = np.r_[0.0, cumulative]
            self.groups.append((ids, cumulative, padded[bounds_low], padded[bounds_high]))

    def draw(self, rng: np.random.Generator, group: int, regions: np.ndarray) -> np.ndarray:
        ids, cumulative, low, high = self.groups[group]
        n = regions.size
        local = rng.random(n) < SHARE_HIRES_IN_OWN_REGION
        lo = low[regions]
        hi = high[regions]
        use_local = local & (hi > lo)
        lo = np.where(use_local, lo, 0.0)
        hi = np.where(use_local, hi, cumulative[-1])
        u = lo + rng.random(n) * (hi - lo)
        index = np.minimum(np.searchsorted(cumulative, u, side="right"), ids.size - 1)
        return ids[index]


# ----------------------------------------------------------------------------------------------
# The labour market simulation


class SpellSink:
    """Collects closed employment spells (person, employer, relation, weekly hours, first and
    last day)."""

    def __init__(self):
        self.parts: list[tuple[np.ndarray, ...]] = []

    def add(self, person, employer, relation, hours, start, end):
        keep = end >= start
        self.parts.append(
            (
                person[keep].astype(np.int32),
                employer[keep].astype(np.int32),
                relation[keep].astype(np.int8),
                hours[keep].astype(np.float32),
                start[keep].astype(np.int32),
                end[keep].astype(np.int32),
            )
        )

    def finish(self) -> dict[str, np.ndarray]:
        names = ["person", "employer", "relation", "hours", "start", "end"]
        return {name: np.concatenate([part[i] for part in self.parts]) for i, name in enumerate(names)}


def target_jobs(scale: float) -> np.ndarray:
    """[group, year - 2011] December jobs to aim for (market, government, temp, secondment)."""
    government_share = interpolate_year_points(GOVERNMENT_SHARE_POINTS, TARGET_YEARS)
    formal = np.array(TARGET_FORMAL)
    return (
        1000.0
        * scale
        * np.vstack(
            [
                formal * (1 - government_share),
                formal * government_share,
                np.array(TARGET_TEMP),
                np.array(TARGET_SECONDMENT),
            ]
        )
    )


def simulate_labour_market(
    register: Register, employers: Employers, last_year: int, scale: float, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    n = register.n_persons
    n_months = 12 * (last_year - FIRST_YEAR + 1)
    month_first = first_day_of_month_index(
        np.arange((FIRST_YEAR - 1970) * 12, (last_year + 1 - 1970) * 12 + 1)
    )
    targets = target_jobs(scale)

    # the sheltered company of each Wsw person: one in the own region when there is one
    sheltered_ids = np.flatnonzero(employers.kind == EMPLOYER_SHELTERED)
    sheltered_regions = employers.region[sheltered_ids]
    order = np.argsort(sheltered_regions, kind="stable")
    sheltered_ids, sheltered_regions = sheltered_ids[order], sheltered_regions[order]
    low = np.searchsorted(sheltered_regions, register.region, side="left")
    high = np.searchsorted(sheltered_regions, register.region, side="right")
    has_local = high > low
    pick = np.where(
        has_local,
        low + np.floor(rng.random(n) * np.maximum(high - low, 1)),
        np.floor(rng.random(n) * sheltered_ids.size),
    ).astype(np.int64)
    sheltered_of_person = sheltered_ids[np.minimum(pick, sheltered_ids.size - 1)]

    a_employer = np.full(n, -1, dtype=np.int64)
    a_relation = np.zeros(n, dtype=np.int8)
    a_hours = np.zeros(n, dtype=np.float32)
    a_start = np.zeros(n, dtype=np.int64)
    b_employer = np.full(n, -1, dtype=np.int64)
    b_relation = np.zeros(n, dtype=np.int8)
    b_hours = np.zeros(n, dtype=np.float32)
    b_start = np.zeros(n, dtype=np.int64)
    wsw_done = np.zeros(n, dtype=bool)
    last_separation = np.full(n, -100, dtype=np.int64)
    sink = SpellSink()
    first_simulated_day = int(month_first[0])

    def past_start_days(k: int, mean_months: float) -> np.ndarray:
        """Start days before 2012 for the January 2012 stock (exponential tenure)."""
        back = np.minimum(rng.exponential(mean_months * 30.44, k), 25 * 365.25)
        return first_simulated_day - 1 - np.floor(back).astype(np.int64)

    def start_days(k: int, m_first: int, m_last: int) -> np.ndarray:
        random_day = m_first + np.floor(rng.random(k) * (m_last - m_first + 1)).astype(np.int64)
        return np.where(rng.random(k) < 0.4, m_first, random_day)

    def end_days(k: int, m_first: int, m_last: int) -> np.ndarray:
        random_day = m_first + np.floor(rng.random(k) * (m_last - m_first + 1)).astype(np.int64)
        return np.where(rng.random(k) < 0.4, m_last, random_day)

    # a job never outlasts its employer's last payroll period
    def close_a(who: np.ndarray, end: np.ndarray) -> None:
        end = np.minimum(end, employers.last_day[a_employer[who]])
        sink.add(who, a_employer[who], a_relation[who], a_hours[who], a_start[who], end)
        a_employer[who] = -1

    def close_b(who: np.ndarray, end: np.ndarray) -> None:
        end = np.minimum(end, employers.last_day[b_employer[who]])
        sink.add(who, b_employer[who], b_relation[who], b_hours[who], b_start[who], end)
        b_employer[who] = -1

    def job_group(employer: np.ndarray, relation: np.ndarray, sector_now: np.ndarray) -> np.ndarray:
        group = np.array([0, G_TEMP, G_SECONDMENT, G_INTERNAL], dtype=np.int8)[relation]
        regular = relation == REGULAR
        group[regular] = sector_now[employer[regular]]
        return group

    sampler = None
    sector_now = employers.sector[0]
    # share of a group's stock above its target: an extra separation hazard next month
    excess = np.zeros(5)
    for t in range(n_months):
        year = FIRST_YEAR + t // 12
        month = t % 12
        if month == 0:
            sampler = EmployerSampler(employers, year)
            sector_now = employers.sector[year - FIRST_YEAR]
        m_first, m_last = int(month_first[t]), int(month_first[t + 1]) - 1
        blend = (month + 1) / 12
        # the weights of a job move from last December's to this December's through the year;
        # the first simulated year has no earlier stock to carry, so it uses its own December
        weeks_blend = 1.0 if year == FIRST_YEAR else blend
        weeks = (1 - weeks_blend) * december_weeks(year - 1) + weeks_blend * december_weeks(year)
        jobs_per_hour = weeks / HOURS_PER_DECEMBER_JOB  # [monthly, four-weekly]
        y_index = year - 2011
        target = (1 - blend) * targets[:, y_index - 1] + blend * targets[:, y_index]
        registered = ((register.from1 <= t) & (t <= register.to1)) | (
            (register.from2 <= t) & (t <= register.to2)
        )
        wsw_allowed = (register.from1 <= t) & (t <= register.to1) & (t <= register.wsw_until)
        initial = t == 0

        # 1. separations (main job, second job), secondments returning inside
        active = np.flatnonzero(a_employer >= 0)
        if active.size:
            relation = a_relation[active]
            group = job_group(a_employer[active], relation, sector_now)
            hazard = np.array(
                [
                    HAZARD_REGULAR_MARKET,
                    HAZARD_REGULAR_GOVERNMENT,
                    HAZARD_TEMP,
                    HAZARD_WSW_EXIT,
                    HAZARD_WSW_EXIT,
                ]
            )[group]
            hazard = hazard + np.where(registered[active] & (group <= G_TEMP), excess[group], 0.0)
            u = rng.random(active.size)
            leave = u < hazard
            sheltered = relation >= SECONDMENT
            leave |= sheltered & ~wsw_allowed[active]
            back = (
                (relation == SECONDMENT)
                & ~leave
                & (rng.random(active.size) < HAZARD_SECONDMENT_RETURN + excess[G_SECONDMENT])
            )
            leavers = active[leave]
            close_a(leavers, end_days(leavers.size, m_first, m_last))
            last_separation[leavers] = t
            returners = active[back]
            hours = a_hours[returners].copy()
            close_a(returners, np.full(returners.size, m_first - 1))
            a_employer[returners] = sheltered_of_person[returners]
            a_relation[returners] = INTERNAL
            a_hours[returners] = hours
            a_start[returners] = m_first
        switched = np.zeros(n, dtype=bool)
        if active.size:
            switched[returners] = True
        active_b = np.flatnonzero(b_employer >= 0)
        if active_b.size:
            leave = rng.random(active_b.size) < HAZARD_SECOND_JOB
            leavers = active_b[leave]
            close_b(leavers, end_days(leavers.size, m_first, m_last))

        # 2. Wsw: the waiting list joins the sheltered company, until 2014
        if year < 2015:
            pool = np.flatnonzero(wsw_allowed & (a_employer < 0) & ~wsw_done & registered)
            chance = SHARE_WSW_EMPLOYED_2012 if initial else HAZARD_WSW_ENTRY
            joins = pool[rng.random(pool.size) < chance]
            a_employer[joins] = sheltered_of_person[joins]
            a_relation[joins] = INTERNAL
            a_hours[joins] = draw_weekly_hours(rng, joins.size, "sheltered")
            a_start[joins] = (
                past_start_days(joins.size, 120) if initial else start_days(joins.size, m_first, m_last)
            )
            wsw_done[joins] = True

        # 3. the secondment controller
        active = np.flatnonzero((a_employer >= 0) & registered)
        seconded = active[a_relation[active] == SECONDMENT]
        stock = float(np.sum(a_hours[seconded]) * jobs_per_hour[0])
        mean_hours = float(np.mean(a_hours[seconded])) if seconded.size else 30.0
        k = stochastic_round(rng, (target[3] - stock) / (mean_hours * jobs_per_hour[0]))
        excess[G_SECONDMENT] = np.clip((stock - target[3]) / max(stock, 1e-9), 0.0, MAX_EXTRA_HAZARD)
        pool = active[(a_relation[active] == INTERNAL) & ~switched[active]]
        chosen = weighted_pick(rng, pool, np.ones(pool.size), k)
        if chosen.size:
            if initial:
                a_relation[chosen] = SECONDMENT
            else:
                hours = a_hours[chosen].copy()
                close_a(chosen, np.full(chosen.size, m_first - 1))
                a_employer[chosen] = sheltered_of_person[chosen]
                a_relation[chosen] = SECONDMENT
                a_hours[chosen] = hours
                a_start[chosen] = m_first

        # 4. the controller for formal market, formal government and temp agency jobs
        in_a = active[a_relation[active] <= TEMP_AGENCY]
        group_a = job_group(a_employer[in_a], a_relation[in_a], sector_now)
        pay_a = employers.four_weekly[a_employer[in_a]].astype(int)
        jobs_a = a_hours[in_a] * jobs_per_hour[pay_a]
        in_b = np.flatnonzero((b_employer >= 0) & registered)
        group_b = job_group(b_employer[in_b], b_relation[in_b], sector_now)
        pay_b = employers.four_weekly[b_employer[in_b]].astype(int)
        jobs_b = b_hours[in_b] * jobs_per_hour[pay_b]
        stock_a = np.bincount(group_a, weights=jobs_a, minlength=3)[:3]
        stock = stock_a + np.bincount(group_b, weights=jobs_b, minlength=3)[:3]
        count_a = np.bincount(group_a, minlength=3)[:3]
        # December jobs a new hire adds, on average (the current main jobs of the group)
        mean_jobs = np.where(
            count_a > 0, stock_a / np.maximum(count_a, 1), 25.0 * 4.4 / HOURS_PER_DECEMBER_JOB
        )
        hires = [stochastic_round(rng, (target[g] - stock[g]) / mean_jobs[g]) for g in range(3)]
        excess[:3] = np.clip((stock - target[:3]) / np.maximum(stock, 1e-9), 0.0, MAX_EXTRA_HAZARD)
        pool = np.flatnonzero(registered & (a_employer < 0))
        weights = (
            register.employability[pool]
            * np.where(t - last_separation[pool] <= 2, 8.0, 1.0)
            * np.where(wsw_allowed[pool], 0.35, 1.0)
        )
        chosen = weighted_pick(rng, pool, weights, sum(hires))
        groups = np.repeat(np.arange(3), hires)[: chosen.size]

        # 5. work while not registered: before registering, and after it ended
        unregistered_free = ~registered & (a_employer < 0)
        before = unregistered_free & (register.from1 > t) & (register.from1 - t <= PRE_REGISTRATION_MONTHS)
        after = unregistered_free & (register.to1 < t) & (t - register.to1 <= POST_REGISTRATION_MONTHS)
        chance = np.where(before, HAZARD_PRE_REGISTRATION, np.where(after, HAZARD_POST_REGISTRATION, 0.0))
        if initial:  # the stock of January 2012
            chance = np.minimum(chance * 12, 0.5)
        candidates = np.flatnonzero(chance > 0)
        chance = chance[candidates] * np.minimum(register.employability[candidates], 2.5)
        starters = candidates[rng.random(candidates.size) < chance]
        starter_groups = rng.choice(3, size=starters.size, p=UNREGISTERED_GROUP_MIX)

        who = np.concatenate([chosen, starters])
        what = np.concatenate([groups, starter_groups])
        if who.size:
            a_employer[who] = draw_employers(rng, sampler, what, register.region[who])
            a_relation[who] = np.where(what == G_TEMP, TEMP_AGENCY, REGULAR)
            a_hours[who] = draw_weekly_hours(rng, who.size, "main")
            a_start[who] = past_start_days(who.size, 40) if initial else start_days(who.size, m_first, m_last)

        # 6. second jobs
        pool = np.flatnonzero((a_employer >= 0) & (a_relation != INTERNAL) & (b_employer < 0))
        chance = 0.08 if initial else HAZARD_SECOND_JOB_START
        starters = pool[rng.random(pool.size) < chance]
        if starters.size:
            what = rng.choice(3, size=starters.size, p=SECOND_JOB_GROUP_MIX)
            b_employer[starters] = draw_employers(rng, sampler, what, register.region[starters])
            b_relation[starters] = np.where(what == G_TEMP, TEMP_AGENCY, REGULAR)
            b_hours[starters] = draw_weekly_hours(rng, starters.size, "second")
            b_start[starters] = (
                past_start_days(starters.size, 25) if initial else start_days(starters.size, m_first, m_last)
            )

        # 7. employers closing at the end of the year take their jobs with them
        if month == 11:
            for slot_employer, close in ((a_employer, close_a), (b_employer, close_b)):
                active = np.flatnonzero(slot_employer >= 0)
                closing = active[employers.last_year[slot_employer[active]] == year]
                if closing.size:
                    close(closing, employers.last_day[slot_employer[closing]])
                    if close is close_a:
                        last_separation[closing] = t

    # still running at the end: censored on the last simulated day
    last_day = int(month_first[n_months]) - 1
    active = np.flatnonzero(a_employer >= 0)
    close_a(active, np.full(active.size, last_day))
    active = np.flatnonzero(b_employer >= 0)
    close_b(active, np.full(active.size, last_day))
    return sink.finish()


# ----------------------------------------------------------------------------------------------
# Spells to payroll lines


@dataclass
class YearLines:
    person: np.ndarray
    employer: np.ndarray
    period_start: np.ndarray
    period_end: np.ndarray
    relation: np.ndarray
    cents: np.ndarray


def expand_periods(spells: dict[str, np.ndarray], employers: Employers, year: int):
    """Per spell the payroll periods of its employer that it overlaps and that end in `year`:
    (spell index per line, period_start, period_end)."""
    y_first, y_last = day_number(year, 1, 1), day_number(year, 12, 31)
    candidate = np.flatnonzero((spells["start"] <= y_last) & (spells["end"] >= y_first - 27))
    start = spells["start"][candidate].astype(np.int64)
    end = spells["end"][candidate].astype(np.int64)
    four_weekly = employers.four_weekly[spells["employer"][candidate]]

    # monthly payers: calendar months
    month_lo = np.maximum(month_index_of_day(start), (year - 1970) * 12)
    month_hi = np.minimum(month_index_of_day(end), (year - 1970) * 12 + 11)
    # four-weekly payers: 28-day periods from the anchor
    k_min, k_max = four_week_periods_ending_between(y_first, y_last)
    k_lo = np.maximum((start - FOUR_WEEK_ANCHOR) // 28, k_min)
    k_hi = np.minimum((end - FOUR_WEEK_ANCHOR) // 28, k_max)
    lo = np.where(four_weekly, k_lo, month_lo)
    count = np.maximum(np.where(four_weekly, k_hi, month_hi) - lo + 1, 0)

    total = int(count.sum())
    spell_of_line = np.repeat(np.arange(candidate.size), count)
    offset = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    period = np.repeat(lo, count) + offset
    four_weekly_line = np.repeat(four_weekly, count)
    month_start = first_day_of_month_index(period)
    month_end = first_day_of_month_index(period + 1) - 1
    period_start = np.where(four_weekly_line, FOUR_WEEK_ANCHOR + 28 * period, month_start)
    period_end = np.where(four_weekly_line, FOUR_WEEK_ANCHOR + 28 * period + 27, month_end)
    return candidate[spell_of_line], period_start, period_end


def build_year_lines(
    spells: dict[str, np.ndarray], employers: Employers, year: int, rng: np.random.Generator
) -> YearLines:
    spell, period_start, period_end = expand_periods(spells, employers, year)
    person = spells["person"][spell]
    employer = spells["employer"][spell]
    # sorted by the written order; ties (two spells of one person at one employer in one period)
    # broken on the spell itself, so that the order does not depend on how spells were collected
    order = np.lexsort(
        (
            spells["end"][spell],
            spells["hours"][spell],
            spells["start"][spell],
            period_start,
            employer,
            person,
            period_end,
        )
    )
    spell, period_start, period_end = spell[order], period_start[order], period_end[order]
    person, employer = person[order], employer[order]
    relation = spells["relation"][spell]

    covered = (
        np.minimum(spells["end"][spell], period_end) - np.maximum(spells["start"][spell], period_start) + 1
    )
    n = spell.size
    noise = np.empty(n)
    regular = relation == REGULAR
    temp = relation == TEMP_AGENCY
    sheltered = relation >= SECONDMENT
    noise[regular] = rng.normal(1.0, 0.03, int(regular.sum()))
    noise[temp] = np.clip(rng.normal(1.0, 0.15, int(temp.sum())), 0.2, 1.5)
    noise[sheltered] = rng.normal(1.0, 0.015, int(sheltered.sum()))
    u = rng.random(n)
    overtime = 1.05 + 0.25 * rng.random(n)
    leave = 0.6 + 0.35 * rng.random(n)
    noise = np.where(
        regular & (u < 0.03), noise * overtime, np.where(regular & (u > 0.98), noise * leave, noise)
    )
    noise = np.where(temp & (u < 0.01), 0.0, noise)
    cents = np.rint(spells["hours"][spell].astype(np.float64) * covered / 7.0 * noise * 100.0)

    # merge two spells of one person at one employer in one period into one line
    same = np.r_[
        False,
        (period_end[1:] == period_end[:-1])
        & (person[1:] == person[:-1])
        & (employer[1:] == employer[:-1])
        & (period_start[1:] == period_start[:-1]),
    ]
    if same.any():
        line = np.cumsum(~same) - 1
        cents = np.bincount(line, weights=cents)
        keep = ~same
        person, employer = person[keep], employer[keep]
        period_start, period_end, relation = period_start[keep], period_end[keep], relation[keep]
    # at most 60 hours a week (well below 24 h a day), also after merging two spells
    limit = np.floor(MAX_WEEKLY_HOURS * 100 * (period_end - period_start + 1) / 7)
    cents = np.clip(cents, 0, limit).astype(np.int64)
    return YearLines(
        person=person.astype(np.int32),
        employer=employer.astype(np.int32),
        period_start=period_start.astype(np.int32),
        period_end=period_end.astype(np.int32),
        relation=relation.astype(np.int8),
        cents=cents,
    )


def count_lines(spells: dict[str, np.ndarray], employers: Employers, years: range) -> int:
    return sum(expand_periods(spells, employers, year)[0].size for year in years)


# ----------------------------------------------------------------------------------------------
# Writing


def sql_list(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"


def copy_options(fmt: str) -> str:
    if fmt == "parquet":
        return "FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880"
    return "FORMAT csv, HEADER true"


def sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def id_widths(n_persons: int, n_employers: int) -> tuple[int, int]:
    return max(7, len(str(n_persons))), max(6, len(str(n_employers)))


def write_year_lines(
    con: duckdb.DuckDBPyConnection, lines: YearLines, path: Path, fmt: str, widths: tuple[int, int]
) -> None:
    frame = pd.DataFrame(
        {
            "p": lines.person + 1,
            "e": lines.employer + 1,
            "ps": lines.period_start,
            "pe": lines.period_end,
            "r": lines.relation,
            "c": lines.cents,
        }
    )
    con.register("lines_frame", frame)
    con.execute(f"""
        COPY (
            SELECT
                'P' || lpad(p::VARCHAR, {widths[0]}, '0') AS person_id,
                'E' || lpad(e::VARCHAR, {widths[1]}, '0') AS employer_id,
                DATE '1970-01-01' + ps AS period_start,
                DATE '1970-01-01' + pe AS period_end,
                {sql_list(RELATION_TYPES)}[r + 1] AS relation_type,
                (c / 100.0)::DECIMAL(9, 2) AS paid_hours
            FROM lines_frame
        ) TO '{sql_path(path)}' ({copy_options(fmt)})
    """)
    con.unregister("lines_frame")


def write_register(con, register: Register, path: Path, fmt: str, widths) -> int:
    frame = pd.DataFrame(
        {"p": register.person + 1, "b": register.basis, "f": register.valid_from, "t": register.valid_to}
    )
    con.register("register_frame", frame)
    con.execute(f"""
        COPY (
            SELECT
                'P' || lpad(p::VARCHAR, {widths[0]}, '0') AS person_id,
                {sql_list(BASES)}[b + 1] AS basis,
                DATE '1970-01-01' + f::INTEGER AS valid_from,
                CASE WHEN t >= 0 THEN DATE '1970-01-01' + t::INTEGER END AS valid_to
            FROM register_frame
        ) TO '{sql_path(path)}' ({copy_options(fmt)})
    """)
    con.unregister("register_frame")
    return len(frame)


def write_employers(
    con, employers: Employers, group_hours: np.ndarray, years: range, path: Path, fmt: str, widths
) -> int:
    """One row per employer and year of existence within `years`. group_hours[y, e]: paid hours
    of the generated (target-group) lines at the employer in that year."""
    rows_employer, rows_year = [], []
    for year in years:
        alive = np.flatnonzero((employers.first_year <= year) & (employers.last_year >= year))
        rows_employer.append(alive)
        rows_year.append(np.full(alive.size, year))
    employer = np.concatenate(rows_employer)
    year = np.concatenate(rows_year)
    y = year - FIRST_YEAR
    generated = group_hours[year - years.start, employer]
    employees = np.maximum(
        employers.employees[y, employer], np.ceil(1.25 * generated / HOURS_PER_EMPLOYEE_YEAR)
    )
    size_class = np.where(employees < 25, 0, np.where(employees < 250, 1, 2))
    noise = employers.hours_noise[y, employer]
    total_hours = np.maximum(employees * HOURS_PER_EMPLOYEE_YEAR * noise, 1.25 * generated)
    frame = pd.DataFrame(
        {
            "e": employer + 1,
            "y": year.astype(np.int32),
            "s": employers.sector[y, employer],
            "g": employers.subsector[y, employer],
            "z": size_class.astype(np.int8),
            "r": employers.region[employer].astype(np.int8),
            "h": np.rint(total_hours * 100).astype(np.int64),
        }
    )
    order = np.lexsort((frame["y"].to_numpy(), frame["e"].to_numpy()))
    frame = frame.iloc[order].reset_index(drop=True)
    con.register("employers_frame", frame)
    con.execute(f"""
        COPY (
            SELECT
                'E' || lpad(e::VARCHAR, {widths[1]}, '0') AS employer_id,
                y::INTEGER AS year,
                {sql_list(SECTORS)}[s + 1] AS sector,
                CASE WHEN g >= 0 THEN {sql_list(SUBSECTORS)}[g + 1] END AS government_subsector,
                {sql_list(SIZE_CLASSES)}[z + 1] AS size_class,
                {sql_list(REGION_NAMES)}[r + 1] AS labour_market_region,
                (h / 100.0)::DECIMAL(18, 2) AS total_paid_hours
            FROM employers_frame
        ) TO '{sql_path(path)}' ({copy_options(fmt)})
    """)
    con.unregister("employers_frame")
    return len(frame)


# ----------------------------------------------------------------------------------------------
# Sanity table


def reader(out: Path, name: str, fmt: str, columns: dict[str, str]) -> str:
    pattern = sql_path(out / f"{name}*.{fmt}")
    if fmt == "parquet":
        return f"read_parquet('{pattern}')"
    spec = ", ".join(f"'{c}': '{t}'" for c, t in columns.items())
    return f"read_csv('{pattern}', header = true, auto_detect = false, columns = {{{spec}}})"


def sanity_table(con: duckdb.DuckDBPyConnection, out: Path, fmt: str, years: range) -> pd.DataFrame:
    lines = reader(
        out,
        "payroll_lines",
        fmt,
        {
            "person_id": "VARCHAR",
            "employer_id": "VARCHAR",
            "period_start": "DATE",
            "period_end": "DATE",
            "relation_type": "VARCHAR",
            "paid_hours": "DECIMAL(9,2)",
        },
    )
    register = reader(
        out,
        "target_group_register",
        fmt,
        {"person_id": "VARCHAR", "basis": "VARCHAR", "valid_from": "DATE", "valid_to": "DATE"},
    )
    employers = reader(
        out,
        "employers",
        fmt,
        {
            "employer_id": "VARCHAR",
            "year": "INTEGER",
            "sector": "VARCHAR",
            "government_subsector": "VARCHAR",
            "size_class": "VARCHAR",
            "labour_market_region": "VARCHAR",
            "total_paid_hours": "DECIMAL(18,2)",
        },
    )
    return con.execute(f"""
        WITH
        years AS (SELECT range AS year FROM range({years.start}, {years.stop})),
        register AS (SELECT * FROM {register}),
        lines_per_year AS (
            SELECT year(period_end) AS year, count(*) AS lines,
                   count(*) FILTER (WHERE month(period_end) = 12) AS december_lines
            FROM {lines} GROUP BY ALL
        ),
        registered AS (
            SELECT y.year, count(DISTINCT r.person_id) AS registered_31dec
            FROM years AS y JOIN register AS r
              ON r.valid_from <= make_date(y.year, 12, 31)
             AND (r.valid_to IS NULL OR r.valid_to >= make_date(y.year, 12, 31))
            GROUP BY ALL
        ),
        counted AS (
            SELECT year(l.period_end) AS year, l.person_id, l.relation_type, e.sector,
                   l.paid_hours
            FROM {lines} AS l
            JOIN register AS r
              ON r.person_id = l.person_id
             AND r.valid_from <= make_date(year(l.period_end), 12, 31)
             AND (r.valid_to IS NULL OR r.valid_to >= make_date(year(l.period_end), 12, 31))
            LEFT JOIN {employers} AS e
              ON e.employer_id = l.employer_id AND e.year = year(l.period_end)
            WHERE month(l.period_end) = 12
              AND l.relation_type IN ('regular', 'temp_agency', 'sheltered_secondment')
        ),
        jobs AS (
            SELECT year,
                   count(DISTINCT person_id) AS working_registered,
                   sum(paid_hours) FILTER (WHERE relation_type = 'regular' AND sector = 'market')
                       / {HOURS_PER_DECEMBER_JOB} AS jobs_market,
                   sum(paid_hours) FILTER (
                       WHERE relation_type = 'regular' AND sector = 'government'
                   ) / {HOURS_PER_DECEMBER_JOB} AS jobs_government,
                   sum(paid_hours) FILTER (WHERE relation_type <> 'regular')
                       / {HOURS_PER_DECEMBER_JOB} AS jobs_loan,
                   sum(paid_hours) FILTER (WHERE relation_type = 'regular' AND sector IS NULL)
                       AS hours_without_sector
            FROM counted GROUP BY ALL
        )
        SELECT y.year, g.registered_31dec, j.working_registered, l.lines, l.december_lines,
               round(j.jobs_market)::BIGINT AS jobs_market,
               round(j.jobs_government)::BIGINT AS jobs_government,
               round(j.jobs_loan)::BIGINT AS jobs_loan,
               round(j.jobs_market + j.jobs_government + j.jobs_loan)::BIGINT AS jobs_total,
               coalesce(j.hours_without_sector, 0) AS hours_without_sector
        FROM years AS y
        LEFT JOIN registered AS g USING (year)
        LEFT JOIN lines_per_year AS l USING (year)
        LEFT JOIN jobs AS j USING (year)
        ORDER BY y.year
    """).df()


# ----------------------------------------------------------------------------------------------
# Main


def parse_years(text: str) -> range:
    parts = text.split("-")
    try:
        first, last = (int(parts[0]), int(parts[-1])) if len(parts) in (1, 2) else (0, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"years must look like 2012-2026, not {text!r}") from None
    if not FIRST_YEAR <= first <= last <= LAST_YEAR:
        raise argparse.ArgumentTypeError(
            f"years must lie within {FIRST_YEAR}-{LAST_YEAR} with first <= last, not {text!r}"
        )
    return range(first, last + 1)


def build_world(n_persons: int, last_year: int, seed: int):
    scale = n_persons / REFERENCE_PERSONS
    register = build_register(n_persons, np.random.Generator(np.random.PCG64([seed, 1])))
    employers = build_employers(scale, np.random.Generator(np.random.PCG64([seed, 2])))
    spells = simulate_labour_market(
        register, employers, last_year, scale, np.random.Generator(np.random.PCG64([seed, 3]))
    )
    return register, employers, spells


def persons_for_lines(n_lines: int, years: range, seed: int) -> int:
    _, employers, spells = build_world(PILOT_PERSONS, years.stop - 1, seed)
    per_person = count_lines(spells, employers, years) / PILOT_PERSONS
    return max(10, round(n_lines / per_person))


def log(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate synthetic person-level payroll data (CONTRACT 1b) for the "
        "banenafspraak measurement. Synthetic: no real person.",
        epilog="The module docstring documents every option and the realism assumptions.",
    )
    parser.add_argument("--out", required=True, type=Path, metavar="DIR", help="output folder")
    size = parser.add_mutually_exclusive_group()
    size.add_argument(
        "--persons",
        type=int,
        metavar="N",
        help=f"registered persons over the period (default {REFERENCE_PERSONS})",
    )
    size.add_argument(
        "--lines",
        type=int,
        metavar="N",
        help="aim for about N payroll lines instead (persons from a pilot run)",
    )
    parser.add_argument(
        "--years",
        type=parse_years,
        metavar="A-B",
        default=parse_years(f"{FIRST_YEAR}-{LAST_YEAR}"),
        help="years of period_end to write, e.g. 2012-2026 (default)",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, metavar="S", help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    years: range = args.years

    if args.lines is not None:
        if args.lines < 1:
            parser.error("--lines must be positive")
        n_persons = persons_for_lines(args.lines, years, args.seed)
        log(f"pilot: {n_persons} persons for about {args.lines} lines", started)
    else:
        n_persons = REFERENCE_PERSONS if args.persons is None else args.persons
        if n_persons < 10:
            parser.error("--persons must be at least 10")

    register, employers, spells = build_world(n_persons, years.stop - 1, args.seed)
    log(f"simulated {n_persons} persons, {employers.n} employers, {spells['person'].size} spells", started)

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    # remove what an earlier run wrote here (either format), so the globs read only this run
    for old in sorted(out.iterdir()):
        if (
            old.is_file()
            and old.suffix in (".parquet", ".csv")
            and old.name.startswith(("payroll_lines", "target_group_register", "employers"))
        ):
            old.unlink()
    fmt = args.format
    widths = id_widths(n_persons, employers.n)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.execute("SET threads = 1")
    con.execute("SET preserve_insertion_order = true")

    lines_per_year: dict[str, int] = {}
    written: list[str] = []
    group_hours = np.zeros((len(years), employers.n))
    for i, year in enumerate(years):
        lines = build_year_lines(
            spells, employers, year, np.random.Generator(np.random.PCG64([args.seed, 4, year]))
        )
        group_hours[i] = np.bincount(lines.employer, weights=lines.cents / 100.0, minlength=employers.n)
        write_year_lines(con, lines, out / f"payroll_lines_{year}.{fmt}", fmt, widths)
        lines_per_year[str(year)] = int(lines.person.size)
        written.append(f"payroll_lines_{year}.{fmt}")
        log(f"payroll_lines_{year}.{fmt}: {lines.person.size} lines", started)
        del lines
    register_rows = write_register(con, register, out / f"target_group_register.{fmt}", fmt, widths)
    employer_rows = write_employers(con, employers, group_hours, years, out / f"employers.{fmt}", fmt, widths)
    total_lines = sum(lines_per_year.values())
    manifest = {
        "generator": "banenafspraak generate-payroll",
        "generator_version": GENERATOR_VERSION,
        "synthetic": True,
        "options": {
            "persons": n_persons,
            "lines_requested": args.lines,
            "years": [years.start, years.stop - 1],
            "seed": args.seed,
            "format": fmt,
        },
        "rows": {
            "payroll_lines": total_lines,
            "target_group_register": register_rows,
            "employers": employer_rows,
        },
        "payroll_lines_per_year": lines_per_year,
        "files": written + [f"target_group_register.{fmt}", f"employers.{fmt}"],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    log("written; reading back", started)

    con.execute("RESET threads")
    table = sanity_table(con, out, fmt, years)
    con.close()
    print(f"Synthetic payroll data in {out} ({fmt}): {n_persons} persons, {employers.n} employers")
    print("December jobs the measurement would count (registered on 31 Dec; hours / 110.92):")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.drop(columns="hours_without_sector").to_string(index=False))
    print(
        f"payroll lines: {total_lines:,} in total; register rows: {register_rows:,}; "
        f"employer-years: {employer_rows:,}"
    )
    if float(table["hours_without_sector"].sum()) > 0:
        print("ERROR: regular December hours at employers without a row that year", file=sys.stderr)
        return 1
    log("done", started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
