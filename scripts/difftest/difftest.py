#!/usr/bin/env python3
"""Differential test of mq's local engine against DuckDB.

Generates small random data files (NDJSON, JSON array, CSV) and random pipelines over
mq's local stages on `from "FILE"`, pairs each pipeline with DuckDB SQL that means the
same thing, runs both and compares the rows. The differences between the two that are
legitimate (mq's documented semantics differ from SQL's) are listed, one entry each, in
scripts/difftest.md; the comparison normalises those and nothing else.

    scripts/difftest/difftest.py [--cases 5000] [--seed 1] [--mq PATH] [--keep DIR]
                                 [--only REGEX] [--case D:C] [--minimize N] [--jobs 2]
                                 [--no-decomposed] [--mq-arg ARG] [--max-reports N]

Exit 0 when every case agrees, 1 when one does not, 2 when DuckDB or mq is missing or the
options are wrong. The last line of stdout is always `difftest: N passed, M failed`.
"""

import argparse
import csv
import json
import multiprocessing
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import duckdb
except ImportError:
    print("difftest: the Python package duckdb is missing: pip install duckdb (scripts/difftest/run does it)",
          file=sys.stderr)
    print("difftest: 0 passed, 0 failed")
    sys.exit(2)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CASES_PER_DATASET = 100
MQ_ARGS = []  # --mq-arg

# ---------------------------------------------------------------------------------------
# Values of the generated data
# ---------------------------------------------------------------------------------------


class Num:
    """A JSON number with the spelling it has in the file (10 and 10.0 are both kept)."""
    __slots__ = ("value", "text")

    def __init__(self, text):
        self.text = text
        self.value = float(text) if any(c in text for c in ".eE") else int(text)

    def __repr__(self):
        return self.text


STRINGS = [
    "alpha", "Alpha", "ALPHA", "beta", "Beta", "gamma", "delta", "zebra", "ZEBRA",
    "na\u00efve", "\u00dcn\u00efc\u00f6d\u00e9", "\u65e5\u672c\u8a9e", "emoji \U0001F600",
    "\U0001F468\u200d\U0001F469\u200d\U0001F467 family", "a,b", 'say "hi"', 'comma, and "quote"',
    "", " spaced ", "\u00e9", "e\u0301", "caf\u00e9", "cafe\u0301", "Stra\u00dfe", "\u0130stanbul",
    "tab\there", "line\nbreak", "12", "007", "true", "null", "back\\slash", "it's",
    "ma\u00f1ana", "\u03a9mega", "x", "\tpadded\n", "\u00a0nbsp\u3000", "  ",
]
GROUPS = ["x", "y", "z", "X", "x "]
DATES = [
    "2026-04-15", "2026-04-15T10:30:00Z", "2026-04-15T00:00:00Z", "2026-04-01",
    "2026-03-31T23:59:59Z", "2025-12-31", "2026-11-02T08:00:00Z", "2026-04-30T23:59:59Z",
    "2026-05-01", "soon",
]
# (mq literal, the instant it means)
DATE_LITERALS = [
    ("2026-04-15", "2026-04-15 00:00:00"), ("2026-04", "2026-04-01 00:00:00"),
    ("2026-04-15T10:30Z", "2026-04-15 10:30:00"), ("2026-05", "2026-05-01 00:00:00"),
    ("2025-12-31", "2025-12-31 00:00:00"), ("2026-04-01T00:00Z", "2026-04-01 00:00:00"),
    ("2026-11", "2026-11-01 00:00:00"), ("2026-03-31T23:59:59Z", "2026-03-31 23:59:59"),
]
DOUBLES = ["10", "10.0", "0", "-0.0", "0.0", "2.5", "-1.25", "3.14159", "100.5", "1e2", "7", "-3",
           "0.1", "0.2", "0.3", "0.001", "123456.789", "2.50", "1E1", "-7.5"]
KEYS = ["0", "-0.0", "0.0", "1", "1.0", "2", "3", "3.0", "4", "5", "5.0", "6", "7", "8"]
TAGS = ["vip", "new", "VIP", "churn-risk", "a,b", "\u00fc", "e\u0301"]
SKUS = ["p", "q", "r", "P"]
CODES = ["12", "0", "42", "-7", "3.5", "100", "5"]
CODES_TEXT = ["007", "+4477", "08123", "+1"]
NAMES = ["Ann", "Bob", "Chlo\u00e9", "D\u00e9j\u00e0", "Eve", "", "Zo\u00eb"]


def drop_decomposed():
    """--no-decomposed: no text with a combining mark, in itself or once lower- or
    upper-cased (e + U+0301, and İ, whose lower case is i + U+0307), so that canonically
    equivalent but different strings do not meet and no letter carries a mark."""
    import unicodedata

    def plain(x):
        return all(unicodedata.combining(c) == 0 for c in x + x.lower() + x.upper()) and \
            unicodedata.normalize("NFC", x) == x
    for pool in (STRINGS, TAGS, NAMES):
        pool[:] = [x for x in pool if plain(x)]


def mixed_value(rng):
    return rng.choice([Num("3"), Num("3.0"), "3", True, False, "x", Num("0"), Num("-0.0"), "0",
                       Num("1"), "1", None, Num("2.5")])


def put(rng, row, name, fn, p_null=0.1, p_missing=0.05):
    r = rng.random()
    if r < p_missing:
        return
    row[name] = None if r < p_missing + p_null else fn()


def gen_t(rng, n):
    ids = list(range(1, n + 1))
    rng.shuffle(ids)
    text_codes = rng.random() < 0.5
    rows = []
    for r in range(n):
        row = {"id": Num(str(ids[r]))}
        put(rng, row, "i", lambda: Num(str(rng.randint(-3, 12))))
        put(rng, row, "d", lambda: Num(rng.choice(DOUBLES)))
        put(rng, row, "s", lambda: rng.choice(STRINGS))
        put(rng, row, "g", lambda: rng.choice(GROUPS))
        put(rng, row, "b", lambda: rng.random() < 0.5)
        put(rng, row, "dt", lambda: rng.choice(DATES))
        put(rng, row, "code",
            lambda: rng.choice(CODES + (CODES_TEXT if text_codes and rng.random() < 0.3 else [])))
        put(rng, row, "k", lambda: Num(rng.choice(KEYS)))
        r2 = rng.random()
        if r2 > 0.05:
            row["m"] = mixed_value(rng)
        put(rng, row, "tags", lambda: [rng.choice(TAGS) for _ in range(rng.choice([0, 1, 1, 2, 3]))])
        put(rng, row, "items", lambda: [
            {"sku": rng.choice(SKUS), "q": None if rng.random() < 0.15 else Num(str(rng.randint(1, 5)))}
            for _ in range(rng.choice([0, 1, 1, 2]))], p_null=0.05, p_missing=0.15)

        def obj():
            o = {}
            put(rng, o, "a", lambda: Num(str(rng.randint(0, 6))))
            put(rng, o, "b", lambda: rng.choice(GROUPS))
            put(rng, o, "l", lambda: [Num(rng.choice(["0", "1", "2", "2.0", "-0.0", "3"]))
                                      for _ in range(rng.choice([0, 1, 2, 2, 3]))], p_missing=0.15)
            return o
        put(rng, row, "o", obj)
        if rng.random() < 0.2:
            items = list(row.items())
            rng.shuffle(items)
            row = dict(items)
        rows.append(row)
    return rows


def gen_u(rng, n_t):
    n = rng.randint(5, 30)
    rows = []
    for _ in range(n):
        row = {}
        put(rng, row, "k", lambda: Num(rng.choice(KEYS)))
        put(rng, row, "uk", lambda: Num(str(rng.randint(1, n_t))))
        row["m"] = mixed_value(rng)
        put(rng, row, "name", lambda: rng.choice(NAMES))
        put(rng, row, "s", lambda: rng.choice(STRINGS), p_missing=0)
        put(rng, row, "w", lambda: Num(rng.choice(DOUBLES)))
        put(rng, row, "code", lambda: rng.choice(CODES + CODES_TEXT[:1]), p_missing=0)
        rows.append(row)
    return rows


T_CSV_COLUMNS = ["id", "i", "d", "s", "g", "b", "dt", "code", "k", "m"]
U_COLUMNS = ["k", "uk", "m", "name", "s", "w", "code"]

# Kinds: "num" "str" "date" (a string field holding dates) "bool" "mixed" (numbers,
# strings and booleans in one field), ("list", KIND), ("obj", ((NAME, KIND), ...)).
ITEM = ("obj", (("sku", "str"), ("q", "num")))
T_JSON_KINDS = {
    "id": "num", "i": "num", "d": "num", "s": "str", "g": "str", "b": "bool", "dt": "date",
    "code": "str", "k": "num", "m": "mixed", "tags": ("list", "str"), "items": ("list", ITEM),
    "o": ("obj", (("a", "num"), ("b", "str"), ("l", ("list", "num")))),
}
U_JSON_KINDS = {"k": "num", "uk": "num", "m": "mixed", "name": "str", "s": "str", "w": "num",
                "code": "str"}

# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def jtext(v, ascii_):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, Num):
        return v.text
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=ascii_)
    if isinstance(v, list):
        return "[" + ",".join(jtext(x, ascii_) for x in v) + "]"
    return "{" + ",".join(json.dumps(k) + ":" + jtext(x, ascii_) for k, x in v.items()) + "}"


def write_ndjson(path, rows, style):
    with open(path, "w", encoding="utf-8", newline="") as f:
        for r in rows:
            f.write(jtext(r, style["ascii"]) + style["nl"])


def write_json(path, rows, style):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("[" + style["nl"])
        f.write(("," + style["nl"]).join(jtext(r, style["ascii"]) for r in rows))
        f.write(style["nl"] + "]" + style["nl"])


def csv_cell(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, Num):
        return repr(float(v.value)) if "e" in v.text.lower() else v.text
    return v


def csv_columns(rows, columns):
    """The columns a CSV of these rows has: those any row holds (a minimised data set may
    have lost some entirely)."""
    present = set()
    for r in rows:
        present.update(r)
    return [c for c in columns if c in present]


def write_csv(path, rows, columns, style):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator=style["nl"],
                       quoting=csv.QUOTE_ALL if style.get("quote_all") else csv.QUOTE_MINIMAL)
        w.writerow(columns)
        for r in rows:
            w.writerow([csv_cell(r.get(c)) for c in columns])


PLAIN_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?\Z")


def csv_kinds(rows, columns, json_kinds):
    """language.md v2: a CSV column has one kind, inferred from all of its non-empty cells:
    numeric only if every one is a plain number without a leading + or leading zero, boolean
    if every one is true/false, else text. An empty cell is null."""
    kinds = {}
    for c in columns:
        cells = [csv_cell(r.get(c)) for r in rows]
        cells = [x for x in cells if x != ""]
        if cells and all(PLAIN_NUMBER.match(x) for x in cells):
            kinds[c] = "num"
        elif cells and all(x.lower() in ("true", "false") for x in cells):
            kinds[c] = "bool"
        else:
            kinds[c] = "date" if json_kinds.get(c) == "date" else "str"
    return kinds


def csv_value(kind, cell):
    if cell == "":
        return None
    if kind == "num":
        return float(cell)
    if kind == "bool":
        return cell.lower() == "true"
    return cell


# ---------------------------------------------------------------------------------------
# DuckDB tables
# ---------------------------------------------------------------------------------------

MIXED_TYPE = "STRUCT(t VARCHAR, n DOUBLE, s VARCHAR, b BOOLEAN)"


def ddl(kind):
    if kind == "num":
        return "DOUBLE"
    if kind in ("str", "date"):
        return "VARCHAR"
    if kind == "bool":
        return "BOOLEAN"
    if kind == "mixed":
        return MIXED_TYPE
    if kind[0] == "list":
        return ddl(kind[1]) + "[]"
    return "STRUCT(" + ", ".join(f'"{m}" {ddl(mk)}' for m, mk in kind[1]) + ")"


def param(kind, v):
    """A generated value as DuckDB should hold it (missing and null are both NULL)."""
    if v is None:
        return None
    if kind == "num":
        return float(v.value)
    if kind == "mixed":
        if isinstance(v, bool):
            return {"t": "b", "n": None, "s": None, "b": v}
        if isinstance(v, Num):
            return {"t": "n", "n": float(v.value), "s": None, "b": None}
        return {"t": "s", "n": None, "s": v, "b": None}
    if isinstance(kind, tuple) and kind[0] == "list":
        return [param(kind[1], x) for x in v]
    if isinstance(kind, tuple) and kind[0] == "obj":
        return {m: param(mk, v.get(m)) for m, mk in kind[1]}
    return v


def load_table(con, name, kinds, rows):
    con.execute(f'DROP TABLE IF EXISTS {name}')
    cols = ", ".join(f'"{c}" {ddl(k)}' for c, k in kinds.items())
    con.execute(f'CREATE TABLE {name} (_rn BIGINT, {cols})')
    if rows:
        marks = ", ".join("?" for _ in range(len(kinds) + 1))
        con.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)


def json_table_rows(rows, kinds):
    return [[n] + [param(k, r.get(c)) for c, k in kinds.items()] for n, r in enumerate(rows)]


def csv_table_rows(rows, columns, kinds):
    return [[n] + [csv_value(kinds[c], csv_cell(r.get(c))) for c in columns] for n, r in enumerate(rows)]


class Dataset:
    """One data set: T (the source) in three forms and U (the join side) in three forms."""

    def __init__(self, t_rows, u_rows, style, base=None):
        """`base`: the data set this one was cut down from; a column the cut removed keeps
        its kind there (its cells all null), so the pipeline's SQL still fits."""
        if base:
            # A field that no row has any more is a field mq does not know of, which is not
            # the same as null (a join's right field would not clash with it): keep it, null.
            t_rows, u_rows = (self.keep_fields(rows, brows) for rows, brows in
                              ((t_rows, base.t_rows), (u_rows, base.u_rows)))
        self.t_rows, self.u_rows, self.style = t_rows, u_rows, style
        self.t_csv_cols = csv_columns(t_rows, T_CSV_COLUMNS)
        self.u_csv_cols = csv_columns(u_rows, U_COLUMNS)
        self.t_csv_kinds = csv_kinds(t_rows, self.t_csv_cols, T_JSON_KINDS)
        self.u_csv_kinds = csv_kinds(u_rows, self.u_csv_cols, U_JSON_KINDS)
        for kinds, all_cols, b in ((self.t_csv_kinds, T_CSV_COLUMNS, base and base.t_csv_kinds),
                                   (self.u_csv_kinds, U_COLUMNS, base and base.u_csv_kinds)):
            for c in all_cols:
                if c not in kinds:
                    kinds[c] = (b or {}).get(c, "str")
            ordered = {c: kinds[c] for c in all_cols}
            kinds.clear()
            kinds.update(ordered)

    @staticmethod
    def keep_fields(rows, base_rows):
        want = []
        for r in base_rows:
            want += [k for k in r if k not in want]
        have = set()
        for r in rows:
            have.update(r)
        gone = [k for k in want if k not in have]
        if not rows or not gone:
            return rows
        return [dict(rows[0], **{k: None for k in gone})] + rows[1:]

    def schema(self, table):
        return {"t_json": T_JSON_KINDS, "t_csv": self.t_csv_kinds,
                "u_json": U_JSON_KINDS, "u_csv": self.u_csv_kinds}[table]

    def write(self, d):
        write_ndjson(os.path.join(d, "t.ndjson"), self.t_rows, self.style)
        write_json(os.path.join(d, "t.json"), self.t_rows, self.style)
        write_csv(os.path.join(d, "t.csv"), self.t_rows, self.t_csv_cols, self.style)
        write_ndjson(os.path.join(d, "u.ndjson"), self.u_rows, self.style)
        write_json(os.path.join(d, "u.json"), self.u_rows, self.style)
        write_csv(os.path.join(d, "u.csv"), self.u_rows, self.u_csv_cols, self.style)

    def load(self, con):
        load_table(con, "t_json", T_JSON_KINDS, json_table_rows(self.t_rows, T_JSON_KINDS))
        load_table(con, "t_csv", self.t_csv_kinds, csv_table_rows(self.t_rows, T_CSV_COLUMNS, self.t_csv_kinds))
        load_table(con, "u_json", U_JSON_KINDS, json_table_rows(self.u_rows, U_JSON_KINDS))
        load_table(con, "u_csv", self.u_csv_kinds, csv_table_rows(self.u_rows, U_COLUMNS, self.u_csv_kinds))


def make_dataset(rng):
    n = rng.randint(10, 40) if rng.random() < 0.6 else rng.randint(40, 200)
    t = gen_t(rng, n)
    u = gen_u(rng, n)
    style = {"ascii": rng.random() < 0.3, "nl": "\r\n" if rng.random() < 0.15 else "\n",
             "quote_all": rng.random() < 0.15}
    return Dataset(t, u, style)



def connect():
    return duckdb.connect(config={"threads": 1})


CASE_FIXES = {}


def case_fixes():
    """mq's lower/upper are Swift's, which apply Unicode's full case mapping (ß → SS,
    İ → i̇), as Python's str does; DuckDB's use the simple one (ß → ẞ, İ → i). For each
    character of the generated text whose mapping DuckDB does differently, the SQL puts
    the full mapping in first (difftest.md)."""
    if not CASE_FIXES:
        chars = sorted(set("".join(STRINGS + GROUPS + TAGS + NAMES + SKUS + CODES + CODES_TEXT + DATES)))
        rows = connect().execute("SELECT c, lower(c), upper(c) FROM (SELECT unnest(?::VARCHAR[]) AS c)",
                                 [chars]).fetchall()
        CASE_FIXES["lower"] = [(c, c.lower()) for c, lo, _ in rows if c.lower() != lo]
        CASE_FIXES["upper"] = [(c, c.upper()) for c, _, up in rows if c.upper() != up]
    return CASE_FIXES


def sql_case(fn, x):
    for c, full in case_fixes()[fn]:
        x = f"replace({x}, {sql_str(c)}, {sql_str(full)})"
    return f"{fn}({x})"


# ---------------------------------------------------------------------------------------
# Pipelines and their SQL
# ---------------------------------------------------------------------------------------

SCALAR = ("num", "str", "date", "bool", "mixed")
# The instant of an ISO-8601 string, as mq reads one (RFC 3339 lets t and z be lower-case,
# and lower() of a date-time makes them so; bin() prints milliseconds).
TS = "try_strptime(upper({}), ['%Y-%m-%dT%H:%M:%SZ', '%Y-%m-%d', '%Y-%m-%dT%H:%M:%S.%gZ'])"
# An instant as mq prints a date value (bin's): 2026-11-15T12:00:00.000Z.
ISO_MS = "strftime({}, '%Y-%m-%dT%H:%M:%S.%gZ')"
# White space as trim() strips it: Swift's Character.isWhitespace, Unicode's White_Space.
WHITE_SPACE = ("\t\n\x0b\x0c\r \x85\xa0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200b)) +
               "\u2028\u2029\u202f\u205f\u3000")
# bin()'s durations, in seconds.
DURATIONS = {"90s": 90, "15m": 900, "2h": 7200, "3d": 259200, "1d": 86400, "7d": 604800, "7h": 25200}
SEPARATORS = [",", " ", "", "a", "e", "-", "\u0301", ", "]
TAG = {"num": "n", "str": "s", "date": "s", "bool": "b"}


def qi(name):
    return '"' + name.replace('"', '""') + '"'


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def sql_num(v):
    return f"CAST('{float(v)!r}' AS DOUBLE)"


def mq_name(name):
    # a dot then a digit is no path (`percentile_k_33.3`, percentile's default name)
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*", name) else "`" + name + "`"


def is_list(k):
    return isinstance(k, tuple) and k[0] == "list"


def is_obj(k):
    return isinstance(k, tuple) and k[0] == "obj"


class E:
    """An expression: its mq text, its SQL, its kind ("null" and "dlit" for literals);
    `isint`: its numbers are ints in mq (so concat() prints them without a fraction)."""
    __slots__ = ("mq", "sql", "kind", "prec", "vsql", "isint")

    def __init__(self, mq, sql, kind, prec=9, vsql=None, isint=False):
        self.mq, self.sql, self.kind, self.prec = mq, sql, kind, prec
        self.vsql = vsql or sql  # as a value rather than a condition (a bool field stays null)
        self.isint = isint


def family(k):
    return "str" if k == "date" else k


def sql_eq(a, b):
    """SQL for mq's `=`: null equals only null; numbers by value; text by content; mixed
    kinds never equal; a date literal against a string compares instants."""
    if a.kind == "dlit" or b.kind == "dlit":
        lit, other = (a, b) if a.kind == "dlit" else (b, a)
        if other.kind in ("str", "date"):
            return f"coalesce({TS.format(other.sql)} = {lit.sql}, false)"
        if other.kind == "mixed":
            inner = TS.format(other.sql + "['s']")
            return f"coalesce({other.sql}['t'] = 's' AND {inner} = {lit.sql}, false)"
        return "false"
    if a.kind == "null" or b.kind == "null":
        other = b if a.kind == "null" else a
        return "true" if other.kind == "null" else f"({other.sql} IS NULL)"
    if a.kind == "mixed" and b.kind == "mixed":
        return (f"(({a.sql} IS NULL AND {b.sql} IS NULL) OR coalesce({a.sql}['t'] = {b.sql}['t'] AND "
                f"({a.sql}['n'] = {b.sql}['n'] OR {a.sql}['s'] = {b.sql}['s'] OR {a.sql}['b'] = {b.sql}['b']), false))")
    if a.kind == "mixed" or b.kind == "mixed":
        m, o = (a, b) if a.kind == "mixed" else (b, a)
        if o.kind not in TAG:
            return "false"
        t = TAG[o.kind]
        return f"coalesce({m.sql}['t'] = '{t}' AND {m.sql}['{t}'] = {o.sql}, false)"
    if family(a.kind) == family(b.kind) and a.kind in TAG:
        return f"({a.sql} IS NOT DISTINCT FROM {b.sql})"
    return f"({a.sql} IS NULL AND {b.sql} IS NULL)"


def sql_join_eq(a, b):
    """A join's key equality: `=`'s, except that a null key joins nothing (difftest.md)."""
    if a.kind == "mixed" and b.kind == "mixed":
        return (f"coalesce({a.sql}['t'] = {b.sql}['t'] AND "
                f"({a.sql}['n'] = {b.sql}['n'] OR {a.sql}['s'] = {b.sql}['s'] OR {a.sql}['b'] = {b.sql}['b']), false)")
    if a.kind in TAG and b.kind in TAG and family(a.kind) == family(b.kind):
        return f"{a.sql} = {b.sql}"
    if a.kind == "mixed" or b.kind == "mixed":
        return sql_eq(a, b)
    return "false"  # keys of two kinds


def sql_order(op, a, b):
    """SQL for mq's `<` `<=` `>` `>=`: false with a null or with mixed kinds."""
    if a.kind == "dlit" or b.kind == "dlit":
        x = a if a.kind == "dlit" else E(a.mq, TS.format(a.sql), a.kind)
        y = b if b.kind == "dlit" else E(b.mq, TS.format(b.sql), b.kind)
        other = b if a.kind == "dlit" else a
        if other.kind not in ("str", "date", "dlit"):
            return "false"
        return f"coalesce({x.sql} {op} {y.sql}, false)"
    if "null" in (a.kind, b.kind):
        return "false"
    if a.kind == "mixed" or b.kind == "mixed":
        m, o = (a, b) if a.kind == "mixed" else (b, a)
        if o.kind not in TAG or o.kind == "mixed":
            return "false"
        t = TAG[o.kind]
        ms = f"{m.sql}['{t}']"
        x, y = (ms, o.sql) if a.kind == "mixed" else (o.sql, ms)
        return f"coalesce({m.sql}['t'] = '{t}' AND {x} {op} {y}, false)"
    if family(a.kind) == family(b.kind) and a.kind in TAG:
        return f"coalesce({a.sql} {op} {b.sql}, false)"
    return "false"


def sql_round(x, n):
    """mq's round(x, n): x scaled by 10^n, rounded half away from zero, scaled back, so
    131.45 (a double just under it) gives 131.5; DuckDB rounds the double itself, 131.4
    (difftest.md)."""
    if n == 0:
        return f"round({x}, 0)"
    scale = f"{10 ** n}.0"
    return f"(round(({x}) * {scale}) / {scale})"


def sql_truth(e):
    """SQL for mq's truth of a value (if, case, count_if): false and null are false,
    anything else is true."""
    if e.kind == "bool":
        return f"coalesce({e.vsql}, false)"
    if e.kind == "mixed":
        return f"coalesce({e.sql}['t'] != 'b' OR {e.sql}['b'], false)"
    if e.kind == "null":
        return "false"
    return f"({e.sql} IS NOT NULL)"


def sql_as(e, want):
    """The SQL of e as a function reading `want` ("str", "num") sees it: of another kind,
    null (mq's value of a call with an argument of the wrong kind); `m` by its tag. A date
    value (bin's) reads as text, as mq prints it."""
    t = {"str": "s", "num": "n"}[want]
    typ = {"str": "VARCHAR", "num": "DOUBLE"}[want]
    if e.kind == "mixed":
        return f"(CASE WHEN {e.sql}['t'] = '{t}' THEN {e.sql}['{t}'] END)"
    if family(e.kind) == want:
        return e.sql
    return f"CAST(NULL AS {typ})"


def sql_instant(e):
    """The instant a date function reads in e (null if none)."""
    x = sql_as(e, "str")
    return "CAST(NULL AS TIMESTAMP)" if x.startswith("CAST(NULL") else TS.format(x)


def sql_text(e):
    """e's text, as concat() writes it: ints without a fraction, booleans true/false."""
    if e.kind in ("str", "date"):
        return e.sql
    if e.kind == "null":
        return "CAST(NULL AS VARCHAR)"
    if e.kind == "num":
        assert e.isint, e.mq
        return f"CAST(CAST({e.sql} AS BIGINT) AS VARCHAR)"
    if e.kind == "bool":
        return f"CAST({e.vsql} AS VARCHAR)"
    raise ValueError(e.kind)


def sql_split(x, sep):
    """mq's split: by code points; an empty separator gives each character (grapheme
    cluster, as len counts them)."""
    if sep == "":
        return f"list_transform(range(1, length_grapheme({x}) + 1), lambda _i: substring_grapheme({x}, _i, 1))"
    return f"string_split({x}, {sql_str(sep)})"


def sql_bin(ts, seconds):
    """bin(t, D): floor(epoch ms / step) * step, printed as mq prints a date."""
    step = seconds * 1000
    ms = f"epoch_ms({ts})"
    return ISO_MS.format(f"make_timestamp(({ms} - ((({ms}) % {step}) + {step}) % {step}) * 1000)")


def sql_cmp(op, a, b):
    if op == "=":
        return sql_eq(a, b)
    if op == "!=":
        return f"(NOT {sql_eq(a, b)})"
    return sql_order(op, a, b)


class State:
    """The pipeline so far: its schema, its SQL (a chain of CTEs, each keeping `_rn`, the
    row's position: rows with equal _rn are in no defined order among themselves) and
    what is known of its order."""

    def __init__(self, table, schema, ints=("id", "i", "o.a")):
        self.table = table
        self.schema = dict(schema)
        self.ints = set(ints)      # the fields (mq paths) whose numbers are all ints
        self.ctes = [f"SELECT * FROM {table}"]
        self.total = True          # every row has its own position
        self.unique = None         # column names that are unique per row (a group key)
        self.explicit = False      # the output's columns are exactly the schema's
        self.joins = 0
        self.special = None        # ("top", N, name) for the `top` check

    @property
    def prev(self):
        return f"q{len(self.ctes) - 1}"

    def add(self, body):
        self.ctes.append(body)

    def sql(self):
        return ("WITH " + ", ".join(f"q{i} AS ({c})" for i, c in enumerate(self.ctes)) +
                f" SELECT * FROM q{len(self.ctes) - 1} ORDER BY _rn")


class Gen:
    def __init__(self, rng, ds):
        self.rng = rng
        self.ds = ds

    # ---- fields ----
    def fields(self, st, kinds=None, nested=True):
        """(mq path, SQL, kind) of the schema's fields, with the members of objects."""
        out = []
        for name, k in st.schema.items():
            if kinds is None or k in kinds or (is_list(k) and "list" in kinds) or (is_obj(k) and "obj" in kinds):
                out.append(E(mq_name(name), qi(name), k))
            if nested and is_obj(k):
                for m, mk in k[1]:
                    if kinds is None or mk in kinds or (is_list(mk) and "list" in kinds):
                        out.append(E(mq_name(name) + "." + m, f"{qi(name)}['{m}']", mk))
        return out

    def field(self, st, kinds, nested=True):
        fs = self.fields(st, kinds, nested)
        return self.rng.choice(fs) if fs else None

    # ---- literals ----
    def mq_str(self, s):
        out = []
        for ch in s:
            if ch == "\\":
                out.append("\\\\")
            elif ch == '"':
                out.append('\\"')
            elif ch == "\n":
                out.append("\\n")
            elif ch == "\t":
                out.append("\\t")
            elif ch == "\r":
                out.append("\\r")
            elif 127 < ord(ch) < 0x10000 and not 0xD800 <= ord(ch) < 0xE000 and self.rng.random() < 0.15:
                out.append("\\u%04x" % ord(ch))
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'

    def lit_num(self):
        t = self.rng.choice(["0", "1", "2", "3", "5", "7", "10", "-2", "2.5", "10.0", "0.5", "-0.0", "100"])
        return E(t, sql_num(t), "num", 9 if not t.startswith("-") else 8, isint="." not in t)

    def lit_str(self, pool=None):
        s = self.rng.choice(pool or STRINGS + GROUPS + TAGS)
        return E(self.mq_str(s), sql_str(s), "str")

    def lit_date(self):
        mq, ts = self.rng.choice(DATE_LITERALS)
        return E(mq, f"TIMESTAMP '{ts}'", "dlit")

    def lit_mixed(self):
        r = self.rng.choice(["3", "3.0", '"3"', "true", "false", '"x"', "0", "-0.0", '"0"', "null", "2.5", "1"])
        if r == "null":
            return E("null", "NULL", "null")
        if r in ("true", "false"):
            return E(r, r, "bool")
        if r.startswith('"'):
            return E(r, sql_str(r[1:-1]), "str")
        return E(r, sql_num(r), "num", 8 if r.startswith("-") else 9)

    # ---- expressions ----
    def rhs(self, e):
        """A field alone on the right of a comparison is written in backticks: bare, it is a
        value when the row lacks the field (README: a bare word on the right is a value
        unless the source has a field by that name), and mq decides that row by row. One
        time in ten it stays bare, so that this keeps being tested."""
        if e.sql.startswith('"') and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", e.mq) and self.rng.random() < 0.9:
            return E("`" + e.mq + "`", e.sql, e.kind, e.prec)
        return e

    def wrap(self, e, prec):
        return e.mq if e.prec >= prec else "(" + e.mq + ")"

    def num_expr(self, st, depth):
        """A number. Its int-ness is tracked (`isint`) as far as concat() needs it: with
        depth ≤ 1 the values stay far below 9e15, where floor and round give ints."""
        r = self.rng.random()
        if depth <= 0 or r < 0.45:
            f = self.field(st, ("num",))
            if f is None or self.rng.random() < 0.25:
                return self.lit_num()
            return self.int_of(st, f)
        if self.rng.random() < 0.3:
            return self.num_fn(st, depth)
        if r < 0.75:
            op = self.rng.choice("+-*/")
            a, b = self.num_expr(st, depth - 1), self.num_expr(st, depth - 1)
            p = 6 if op in "+-" else 7
            mq = f"{self.wrap(a, p)} {op} {self.wrap(b, p + 1)}"
            sql = f"(({a.sql}) / nullif(({b.sql}), 0))" if op == "/" else f"(({a.sql}) {op} ({b.sql}))"
            return E(mq, sql, "num", p, isint=op != "/" and a.isint and b.isint)
        if r < 0.85:
            a = self.num_expr(st, depth - 1)
            if self.rng.random() < 0.5:
                return E(f"round({a.mq})", f"round({a.sql})", "num", isint=True)
            n = self.rng.choice([0, 1, 2, 3])
            return E(f"round({a.mq}, {n})", sql_round(a.sql, n), "num", isint=n == 0)
        if r < 0.93:
            f = self.field(st, ("str", "date", "list"))
            if f is None:
                return self.lit_num()
            if is_list(f.kind):
                return E(f"len({f.mq})", f"len({f.sql})::DOUBLE", "num", isint=True)
            return E(f"len({f.mq})", f"length_grapheme({f.sql})::DOUBLE", "num", isint=True)
        a = self.num_expr(st, depth - 1)
        b = self.lit_num()
        return E(f"coalesce({a.mq}, {b.mq})", f"coalesce({a.sql}, {b.sql})", "num", isint=a.isint and b.isint)

    # ---- the functions of language.md v2 (if case substr replace split trim starts_with
    # ends_with concat floor ceil abs year week weekday hour bin) ----
    def int_of(self, st, f):
        f.isint = f.kind == "num" and f.mq.replace("`", "") in st.ints
        return f

    def wrong_field(self, st, reads):
        """A field that may hold another kind than the function reads (`reads`): mq plans
        the call (a file's fields have no known kind) and gives null for such a value."""
        fs = [f for f in self.fields(st, SCALAR + ("list",)) if family(f.kind) not in reads]
        return self.rng.choice(fs) if fs else None

    def text_arg(self, st, depth):
        """An argument for a text function: text mostly, a date value (bin's, read as its
        ISO text), now and then a field of another kind."""
        r = self.rng.random()
        if r < 0.08:
            f = self.wrong_field(st, ("str",))
            if f is not None:
                return f
        if r < 0.2 and depth > 0:
            return self.bin_expr(st, depth - 1) if self.rng.random() < 0.6 else self.week_expr(st, depth - 1)
        return self.str_expr(st, depth)

    def date_arg(self, st, depth):
        """An argument for a date function: `dt` mostly (ISO dates, date-times, a
        non-date), any text, another date function's result, or a field of another kind."""
        rng = self.rng
        r = rng.random()
        if r < 0.07:
            f = self.wrong_field(st, ("str",))
            if f is not None:
                return f
        if r < 0.22 and depth > 0:
            x = rng.random()
            if x < 0.4:
                return self.bin_expr(st, depth - 1)
            if x < 0.7:
                return self.week_expr(st, depth - 1)
            a = self.date_arg(st, depth - 1)
            lit = rng.choice(["2026-04-15", "2026-02-28T23:59:59Z", "soon"])
            # the literal where a is null; a itself, read as text, where it is not (3 reads as no date)
            sql = f"(CASE WHEN {a.sql} IS NULL THEN {sql_str(lit)} ELSE {sql_as(a, 'str')} END)"
            return E(f"coalesce({a.mq}, {self.mq_str(lit)})", sql, "str")
        f = self.field(st, ("date",)) if r >= 0.32 else None
        # a literal must look like a date: mq refuses year("soon") when it plans (E039)
        return f or self.field(st, ("str", "date")) or self.lit_str(DATES[:-1])

    def bin_expr(self, st, depth):
        """bin(t, D): a date value, which a row holds as its ISO text."""
        d = self.date_arg(st, depth)
        dur = self.rng.choice(list(DURATIONS))
        return E(f"bin({d.mq}, {dur})", sql_bin(sql_instant(d), DURATIONS[dur]), "date")

    def week_expr(self, st, depth):
        d = self.date_arg(st, depth)
        return E(f"week({d.mq})", f"strftime(date_trunc('week', {sql_instant(d)}), '%Y-%m-%d')", "date")

    def num_arg(self, st, depth):
        if self.rng.random() < 0.1:
            f = self.wrong_field(st, ("num",))
            if f is not None:
                return f
        return self.num_expr(st, depth)

    def num_fn(self, st, depth):
        rng = self.rng
        r = rng.random()
        if r < 0.3:
            fn = rng.choice(["floor", "ceil", "abs"])
            a = self.num_arg(st, depth - 1)
            return E(f"{fn}({a.mq})", f"{fn}({sql_as(a, 'num')})", "num", isint=fn != "abs" or a.isint)
        if r < 0.6:
            fn = rng.choice(["year", "weekday", "hour"])
            d = self.date_arg(st, depth - 1)
            sqlfn = {"year": "year", "weekday": "isodow", "hour": "hour"}[fn]
            return E(f"{fn}({d.mq})", f"CAST({sqlfn}({sql_instant(d)}) AS DOUBLE)", "num", isint=True)
        if r < 0.85:
            return self.choice_expr(st, depth, lambda: self.num_expr(st, depth - 1))
        a = self.text_arg(st, depth - 1)
        sep = rng.choice(SEPARATORS)
        return E(f"len(split({a.mq}, {self.mq_str(sep)}))",
                 f"CAST(len({sql_split(sql_as(a, 'str'), sep)}) AS DOUBLE)", "num", isint=True)

    def choice_expr(self, st, depth, branch):
        """if(C, A, B) or case(C1, V1, …, ELSE) over values from `branch` (one kind, or
        null); a condition is a condition or, now and then, any field (truthy)."""
        rng = self.rng

        def cond():
            if rng.random() < 0.15:
                f = self.field(st, None)
                return f.mq, sql_truth(f)
            c = self.cond(st, max(depth - 1, 0))
            return c.mq, c.sql

        def val():
            return E("null", "NULL", "null") if rng.random() < 0.1 else branch()
        if rng.random() < 0.55:
            whens = [(cond(), val())]
            other = val()
            mq = f"if({whens[0][0][0]}, {whens[0][1].mq}, {other.mq})"
        else:
            whens = [(cond(), val()) for _ in range(rng.choice([1, 1, 2, 3]))]
            other = val()
            mq = "case(" + ", ".join(f"{c[0]}, {v.mq}" for c, v in whens) + f", {other.mq})"
        vals = [v for _, v in whens] + [other]
        kinds = {v.kind for v in vals} - {"null"}
        if not kinds:
            return branch()
        kind = kinds.pop() if len(kinds) == 1 else "str"  # str and date are one family
        sql = "(CASE " + " ".join(f"WHEN {c[1]} THEN {v.vsql}" for c, v in whens) + f" ELSE {other.vsql} END)"
        return E(mq, sql, kind, isint=all(v.isint or v.kind == "null" for v in vals))

    def piece(self):
        """Exact text that occurs in the data, or part of it, or nothing."""
        s = self.rng.choice(STRINGS + TAGS + DATES + [""])
        if s and self.rng.random() < 0.7:
            i = self.rng.randrange(len(s))
            s = s[i:i + self.rng.randint(1, 3)]
        return s

    def concat_arg(self, st, depth):
        """concat's arguments: text, ints (printed alike by both; a double's text depends
        on its spelling in the file, which the tables do not keep), booleans, dates, null."""
        rng = self.rng
        r = rng.random()
        if r < 0.4:
            return self.str_expr(st, depth)
        if r < 0.55:
            return self.lit_str([" ", "-", ", ", "\u00e9", "", "x"])
        if r < 0.8:
            for _ in range(4):
                e = self.num_expr(st, min(depth, 1))
                if e.isint:
                    return e
            return E("7", sql_num("7"), "num", isint=True)
        if r < 0.88:
            f = self.field(st, ("bool",))
            if f is not None:
                return f
            c = self.cond(st, 0)
            return E(c.mq, c.vsql, "bool", c.prec)
        if r < 0.96 and depth > 0:
            return self.bin_expr(st, depth - 1) if rng.random() < 0.6 else self.week_expr(st, depth - 1)
        return E("null", "NULL", "null")

    def str_fn(self, st, depth):
        rng = self.rng
        r = rng.random()
        if r < 0.22:
            a = self.text_arg(st, depth - 1)
            start = self.field(st, ("num",)) if rng.random() < 0.12 else None
            if start is not None:
                smq, ssql = start.mq, f"CAST(floor({start.sql}) AS BIGINT)"
            else:
                n = rng.randint(-6, 8)
                smq, ssql = str(n), str(n)
            if rng.random() < 0.6:
                n = rng.randint(-2, 6)
                return E(f"substr({a.mq}, {smq}, {n})", f"substring_grapheme({sql_as(a, 'str')}, {ssql}, {n})", "str")
            return E(f"substr({a.mq}, {smq})", f"substring_grapheme({sql_as(a, 'str')}, {ssql})", "str")
        if r < 0.4:
            a = self.text_arg(st, depth - 1)
            old, new = self.piece(), rng.choice(["", "_", "XY", "\u00e9", " ", "e\u0301"])
            return E(f"replace({a.mq}, {self.mq_str(old)}, {self.mq_str(new)})",
                     f"replace({sql_as(a, 'str')}, {sql_str(old)}, {sql_str(new)})", "str")
        if r < 0.52:
            a = self.text_arg(st, depth - 1)
            return E(f"trim({a.mq})", f"trim({sql_as(a, 'str')}, {sql_str(WHITE_SPACE)})", "str")
        if r < 0.74:
            args = [self.concat_arg(st, depth - 1) for _ in range(rng.choice([1, 2, 2, 3, 4]))]
            return E(f"concat({', '.join(a.mq for a in args)})", f"concat({', '.join(sql_text(a) for a in args)})",
                     "str")
        if r < 0.84:
            return self.week_expr(st, depth - 1)
        return self.choice_expr(st, depth, lambda: self.str_expr(st, depth - 1))

    def split_expr(self, st, depth):
        a = self.text_arg(st, depth)
        sep = self.rng.choice(SEPARATORS)
        return E(f"split({a.mq}, {self.mq_str(sep)})", sql_split(sql_as(a, "str"), sep), ("list", "str"))

    def fn_cond(self, st, depth):
        rng = self.rng
        if rng.random() < 0.7:
            fn = rng.choice(["starts_with", "ends_with"])
            a = self.text_arg(st, depth)
            x = rng.choice(STRINGS + DATES + TAGS)
            k = rng.randint(0, min(3, len(x)))
            p = x[:k] if fn == "starts_with" else x[len(x) - k:]
            sql = f"{fn}({sql_as(a, 'str')}, {sql_str(p)})"
            return E(f"{fn}({a.mq}, {self.mq_str(p)})", f"coalesce({sql}, false)", "bool", vsql=sql)
        c, a, b = self.cond(st, max(depth - 1, 0)), self.cond(st, max(depth - 1, 0)), self.cond(st, max(depth - 1, 0))
        return E(f"if({c.mq}, {a.mq}, {b.mq})", f"(CASE WHEN {c.sql} THEN {a.sql} ELSE {b.sql} END)", "bool",
                 vsql=f"(CASE WHEN {c.sql} THEN {a.vsql} ELSE {b.vsql} END)")

    def str_expr(self, st, depth):
        r = self.rng.random()
        if depth > 0 and r >= 0.5 and self.rng.random() < 0.4:
            return self.str_fn(st, depth)
        f = self.field(st, ("str", "date"))
        if f is None or depth <= 0 or r < 0.5:
            return f if f is not None and r < 0.9 else self.lit_str()
        if r < 0.7:
            a = self.str_expr(st, depth - 1)
            return E(f"lower({a.mq})", sql_case("lower", a.sql), "str")
        if r < 0.85:
            a = self.str_expr(st, depth - 1)
            return E(f"upper({a.mq})", sql_case("upper", a.sql), "str")
        a = self.str_expr(st, depth - 1)
        b = self.lit_str()
        return E(f"coalesce({a.mq}, {b.mq})", f"coalesce({a.sql}, {b.sql})", "str")

    def needle(self):
        s = self.rng.choice(STRINGS + TAGS)
        if s and self.rng.random() < 0.8:
            i = self.rng.randrange(len(s))
            s = s[i:i + self.rng.randint(1, 3)]
        r = self.rng.random()
        if r < 0.3:
            s = s.upper()
        elif r < 0.5:
            s = s.lower()
        return s

    def atom_cond(self, st, depth):
        rng = self.rng
        if rng.random() < 0.08:
            return self.fn_cond(st, depth)
        r = rng.random()
        ops = ["=", "!=", "<", "<=", ">", ">="]
        if r < 0.25:
            a = self.num_expr(st, depth)
            b = self.lit_num() if rng.random() < 0.6 else self.rhs(self.num_expr(st, depth - 1))
            op = rng.choice(ops)
            return E(f"{self.wrap(a, 5)} {op} {self.wrap(b, 5)}", sql_cmp(op, a, b), "bool", 4)
        if r < 0.38:
            a = self.str_expr(st, depth)
            b = self.lit_str() if rng.random() < 0.7 else self.rhs(self.str_expr(st, 0))
            op = rng.choice(ops)
            return E(f"{self.wrap(a, 5)} {op} {self.wrap(b, 5)}", sql_cmp(op, a, b), "bool", 4)
        if r < 0.48:
            f = self.field(st, ("date", "str"))
            if f is None:
                return self.atom_cond(st, depth)
            lit = self.lit_date()
            op = rng.choice(ops)
            if rng.random() < 0.2:
                f = self.rhs(f)
                return E(f"{lit.mq} {op} {f.mq}", sql_cmp(op, lit, f), "bool", 4)
            return E(f"{f.mq} {op} {lit.mq}", sql_cmp(op, f, lit), "bool", 4)
        if r < 0.56:
            f = self.field(st, None)
            neg = rng.random() < 0.4
            return E(f"{f.mq} is {'not ' if neg else ''}null", f"({f.sql} IS {'NOT ' if neg else ''}NULL)", "bool", 4)
        if r < 0.64:
            f = self.field(st, SCALAR)
            if f is None:
                return self.atom_cond(st, depth)
            n = rng.randint(0, 4)
            if f.kind == "mixed" or rng.random() < 0.15:
                items = [self.lit_mixed() for _ in range(n)]
            elif f.kind == "num":
                items = [self.lit_num() for _ in range(n)]
            elif f.kind == "bool":
                items = [E(x, x, "bool") for x in rng.sample(["true", "false"], min(n, 2))]
            else:
                items = [self.lit_str() for _ in range(n)]
            sql = " OR ".join(sql_eq(f, x) for x in items) or "false"
            return E(f"{f.mq} in [{', '.join(x.mq for x in items)}]", f"({sql})", "bool", 4)
        if r < 0.72:
            f = self.str_expr(st, 1) if rng.random() < 0.8 else self.field(st, ("str", "date"))
            if f is None or f.kind not in ("str", "date"):
                return self.atom_cond(st, depth)
            nd = self.needle()
            return E(f"{self.wrap(f, 5)} ~ {self.mq_str(nd)}",
                     f"coalesce(contains({sql_case('lower', f.sql)}, {sql_str(nd.lower())}), false)", "bool", 4)
        if r < 0.78:
            f = self.field(st, ("list",))
            if f is None or f.kind[1] not in ("str", "num"):
                return self.atom_cond(st, depth)
            x = self.lit_str(TAGS + ["vi"]) if f.kind[1] == "str" else self.lit_num()
            return E(f"{f.mq} has {x.mq}", f"coalesce(list_contains({f.sql}, {x.sql}), false)", "bool", 4)
        if r < 0.85:
            f = self.field(st, ("bool",))
            if f is None:
                return self.atom_cond(st, depth)
            if rng.random() < 0.5:
                return E(f.mq, f"coalesce({f.sql}, false)", "bool", vsql=f.sql)
            v = rng.choice(["true", "false"])
            op = rng.choice(["=", "!="])
            return E(f"{f.mq} {op} {v}", sql_cmp(op, f, E(v, v, "bool")), "bool", 4)
        if r < 0.93:
            f = self.field(st, ("mixed",))
            if f is None:
                return self.atom_cond(st, depth)
            x = self.lit_mixed()
            op = rng.choice(["=", "!="] * 3 + ops)
            return E(f"{f.mq} {op} {x.mq}", sql_cmp(op, f, x), "bool", 4)
        # a literal of another kind than the field's: never equal, never ordered
        f = self.field(st, ("num", "str", "bool"))
        if f is None:
            return self.atom_cond(st, depth)
        x = {"num": self.lit_str(["3", "1", "x"]), "str": self.lit_num(),
             "bool": rng.choice([self.lit_num(), self.lit_str(["true"])])}[f.kind]
        op = rng.choice(ops)
        return E(f"{f.mq} {op} {x.mq}", sql_cmp(op, f, x), "bool", 4)

    def cond(self, st, depth):
        r = self.rng.random()
        if depth > 0 and r < 0.15:
            a, b = self.cond(st, depth - 1), self.cond(st, depth - 1)
            return E(f"{self.wrap(a, 3)} and {self.wrap(b, 3)}", f"({a.sql} AND {b.sql})", "bool", 2)
        if depth > 0 and r < 0.27:
            a, b = self.cond(st, depth - 1), self.cond(st, depth - 1)
            return E(f"{self.wrap(a, 2)} or {self.wrap(b, 2)}", f"({a.sql} OR {b.sql})", "bool", 1)
        if depth > 0 and r < 0.35:
            a = self.cond(st, depth - 1)
            return E(f"not {self.wrap(a, 3)}", f"(NOT {a.sql})", "bool", 3)
        return self.atom_cond(st, depth)

    def value_expr(self, st, windows=False):
        r = self.rng.random()
        if windows and self.rng.random() < 0.45:
            e = self.window_value(st)
            if e is not None:
                return e
        if r < 0.42:
            return self.num_expr(st, 2)
        if r < 0.7:
            return self.str_expr(st, 2)
        if r < 0.83:
            c = self.cond(st, 1)
            return E(c.mq, c.vsql, c.kind, c.prec)
        if r < 0.88:
            return self.split_expr(st, 1)
        if r < 0.93:
            return self.bin_expr(st, 1)
        return self.int_of(st, self.field(st, None))

    # ---- window functions: F(ARGS) over ([by EXPR, …] [sort KEY, …]) in derive and select ----
    def window_over(self, st, need_sort):
        """The `over (…)` of a window call: (its mq text, SQL's PARTITION BY, SQL's sort keys).
        Partitions use the grouping keys' SQL (mixed kinds by tag); the keys sort with
        `sort`'s rules (nulls last in both directions, `m` by kind first)."""
        rng = self.rng
        by, part = [], []
        for _ in range(rng.choice([0, 0, 1, 1, 1, 2])):
            if rng.random() < 0.8:
                e = self.field(st, SCALAR)
            else:
                e = self.str_expr(st, 1) if rng.random() < 0.5 else self.num_expr(st, 1)
            if e is None or e.mq in by:
                continue
            by.append(e.mq)
            part.append(e.sql)
        keys, sqlkeys, names = [], [], set()
        n = rng.choice([1, 1, 2, 3]) if need_sort or rng.random() < 0.7 else 0
        for _ in range(n):
            f = self.field(st, SCALAR)
            if f is None or f.mq in names:
                continue
            names.add(f.mq)
            desc = rng.random() < 0.4
            form = rng.random()
            keys.append(("-" + f.mq if form < 0.5 else f.mq + " desc") if desc else
                        (f.mq if form < 0.7 else f.mq + " asc"))
            sqlkeys += self.sort_keys_sql(f, desc)
        if need_sort and not keys:
            return None
        inner = []
        if by:
            inner.append("by " + ", ".join(by))
        if keys:
            inner.append("sort " + ", ".join(keys))
        return "over (" + " ".join(inner) + ")", part, sqlkeys

    def window_call(self, st):
        """One window call, an E of kind num (or its argument's, for lag/lead/min/max).
        row_number, lag and lead depend on the input order among ties (ties and `over ()`
        keep it), so they come only where that order is defined; rank, dense_rank and the
        aggregates (whole partition, or running through the current row's peers) do not."""
        rng = self.rng
        fns = ["rank", "dense_rank", "sum", "avg", "min", "max", "count", "count", "sum"]
        if st.total:
            fns += ["row_number", "row_number", "lag", "lag", "lead", "lead"]
        fn = rng.choice(fns)
        over = self.window_over(st, fn in ("row_number", "rank", "dense_rank"))
        if over is None:
            return None
        mq_over, part, keys = over
        pb = ("PARTITION BY " + ", ".join(part)) if part else ""
        isint = False
        if fn in ("row_number", "lag", "lead"):
            order = "ORDER BY " + ", ".join(keys + ["_rn"])
        elif keys:
            order = "ORDER BY " + ", ".join(keys)
        else:
            order = ""
        if fn in ("sum", "avg", "min", "max", "count") and keys:
            order += " RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW"
        sql_over = f"OVER ({' '.join(x for x in (pb, order) if x)})"
        if fn in ("row_number", "rank", "dense_rank"):
            return E(f"{fn}() {mq_over}", f"({fn}() {sql_over})::DOUBLE", "num", isint=True)
        if fn in ("lag", "lead"):
            x = self.field(st, SCALAR + ("list", "obj")) if rng.random() < 0.7 else None
            x = self.int_of(st, x) if x is not None else self.num_expr(st, 1)
            k = rng.choice([None, None, 1, 2, 3, 0])
            arg = x.mq if k is None else f"{x.mq}, {k}"
            sql = f"{fn}({x.sql}{'' if k is None else ', ' + str(k)}) {sql_over}"
            return E(f"{fn}({arg}) {mq_over}", sql, x.kind, isint=x.isint)
        if fn == "count":
            if rng.random() < 0.4:
                return E(f"count() {mq_over}", f"(count(*) {sql_over})::DOUBLE", "num", isint=True)
            x = self.field(st, SCALAR)
            if x is None:
                return None
            return E(f"count({x.mq}) {mq_over}", f"(count({x.sql}) {sql_over})::DOUBLE", "num", isint=True)
        if fn in ("sum", "avg"):
            x = self.field(st, ("num",)) if rng.random() < 0.8 else None
            x = self.int_of(st, x) if x is not None else self.num_expr(st, 1)
            return E(f"{fn}({x.mq}) {mq_over}", f"{fn}({x.sql}) {sql_over}", "num", isint=fn == "sum" and x.isint)
        x = self.field(st, ("num", "str", "date", "bool"))
        if x is None:
            return None
        x = self.int_of(st, x)
        return E(f"{fn}({x.mq}) {mq_over}", f"{fn}({x.sql}) {sql_over}", x.kind, isint=x.isint)

    def window_value(self, st):
        """A window call alone, or inside an expression: a share of a total
        (`round(100 * x / sum(x) over (), 2)`), a change (`x - lag(x) over (…)`), a rank
        scaled, a difference from the partition's average."""
        rng = self.rng
        w = self.window_call(st)
        if w is None or rng.random() < 0.6:
            return w
        if w.kind != "num":
            return w
        x = self.num_expr(st, 1)
        r = rng.random()
        if r < 0.35:
            n = rng.choice([0, 1, 2])
            mq = f"round(100 * {self.wrap(x, 7)} / {w.mq}, {n})"
            return E(mq, sql_round(f"((100 * ({x.sql})) / nullif(({w.sql}), 0))", n), "num", isint=n == 0)
        if r < 0.7:
            op = rng.choice("+-")
            if rng.random() < 0.5:
                return E(f"{self.wrap(x, 6)} {op} {w.mq}", f"(({x.sql}) {op} ({w.sql}))", "num", 6,
                         isint=x.isint and w.isint)
            return E(f"{w.mq} {op} {self.wrap(x, 7)}", f"(({w.sql}) {op} ({x.sql}))", "num", 6,
                     isint=x.isint and w.isint)
        if r < 0.85:
            return E(f"{w.mq} * 2", f"(({w.sql}) * 2)", "num", 7, isint=w.isint)
        return E(f"coalesce({w.mq}, -1)", f"coalesce({w.sql}, -1)", "num", isint=w.isint)

    # ---- stages ----
    def new_name(self, st, pool=("n1", "n2", "x1", "y1", "tot", "label")):
        free = [n for n in pool if n not in st.schema]
        return self.rng.choice(free) if free else None

    def stage_where(self, st):
        c = self.cond(st, 2)
        st.add(f"SELECT * FROM {st.prev} WHERE {c.sql}")
        return self.rng.choice(["where ", "where ", "filter "]) + c.mq

    def stage_derive(self, st):
        parts = []
        windows = self.rng.random() < 0.45
        for _ in range(self.rng.choice([1, 1, 2, 3])):
            e = self.value_expr(st, windows)
            plain = [n for n in st.schema if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n)]
            if plain and self.rng.random() < 0.2:
                name = self.rng.choice(plain)
            else:
                name = self.new_name(st) or self.rng.choice(list(st.schema))
            if name in st.schema:
                st.add(f"SELECT * REPLACE ({e.sql} AS {qi(name)}) FROM {st.prev}")
            else:
                st.add(f"SELECT *, {e.sql} AS {qi(name)} FROM {st.prev}")
            st.schema[name] = e.kind if e.kind not in ("null", "dlit") else "str"
            st.ints -= {i for i in st.ints if i.startswith(name + ".")}
            (st.ints.add if e.isint else st.ints.discard)(name)
            # A target is one name: a column named with a dot (`o.a` after a select) is
            # written in backticks there, where an expression reads it as a path.
            target = name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) else "`" + name + "`"
            parts.append(f"{target} = {e.mq}")
        st.unique = None
        return self.rng.choice(["derive ", "derive ", "extend "]) + ", ".join(parts)

    def stage_select(self, st):
        items, cols, kinds = [], [], {}
        ints = set()
        windows = self.rng.random() < 0.25
        for _ in range(self.rng.choice([1, 2, 2, 3, 4])):
            if self.rng.random() < 0.6:
                f = self.int_of(st, self.field(st, None))
                name = f.mq.replace("`", "")
                if name in kinds:
                    continue
                items.append(f.mq)
                e = f
            else:
                e = self.value_expr(st, windows)
                name = self.new_name(st) or "n9"
                if name in kinds:
                    continue
                items.append(f"{mq_name(name)} = {e.mq}")
            cols.append(f"{e.sql} AS {qi(name)}")
            kinds[name] = e.kind if e.kind not in ("null", "dlit") else "str"
            if e.isint:
                ints.add(name)
        st.add(f"SELECT {', '.join(cols)}, _rn FROM {st.prev}")
        # `select o` keeps o.a's ints; `select o.a` makes a column named `o.a`, an int still
        st.ints = ints | {i for i in st.ints if "." in i and i.split(".")[0] in kinds}
        if st.unique and not st.unique <= set(kinds):
            st.unique = None
        st.schema = kinds
        st.explicit = True
        return self.rng.choice(["select ", "select ", "project "]) + ", ".join(items)

    def sort_keys_sql(self, e, desc):
        d = " DESC" if desc else ""
        if e.kind == "mixed":
            x = e.sql
            rank = f"CASE {x}['t'] WHEN 'b' THEN 0 WHEN 'n' THEN 1 ELSE 2 END"
            return [f"({x} IS NULL)", f"{rank}{d}", f"{x}['b']{d} NULLS LAST", f"{x}['n']{d} NULLS LAST",
                    f"{x}['s']{d} NULLS LAST"]
        return [f"{e.sql}{d} NULLS LAST"]

    def stage_sort(self, st):
        keys, sqlkeys, names = [], [], set()
        for _ in range(self.rng.choice([1, 1, 2, 2, 3])):
            f = self.field(st, SCALAR)
            if f is None or f.mq in names:
                continue
            names.add(f.mq)
            desc = self.rng.random() < 0.4
            form = self.rng.random()
            keys.append(("-" + f.mq if form < 0.5 else f.mq + " desc") if desc else
                        (f.mq if form < 0.7 else f.mq + " asc"))
            sqlkeys += self.sort_keys_sql(f, desc)
        if not keys:
            return None
        st.add(f"SELECT * REPLACE (dense_rank() OVER (ORDER BY {', '.join(sqlkeys)}, _rn) AS _rn) FROM {st.prev}")
        if st.unique and st.unique <= {n.replace('`', '') for n in names}:
            st.total = True
        return "sort " + ", ".join(keys)

    def stage_limit(self, st):
        if self.rng.random() < 0.65:
            n = self.rng.choice([0, 1, 2, 3, 5, 10, 50])
            st.add(f"SELECT * FROM {st.prev} ORDER BY _rn LIMIT {n}")
            return self.rng.choice(["limit ", "limit ", "take "]) + str(n)
        n = self.rng.choice([0, 1, 3, 10, 100])
        st.add(f"SELECT * FROM {st.prev} ORDER BY _rn OFFSET {n}")
        return f"offset {n}"

    def group_keys(self, st, maxn):
        """`by` keys: fields, or NAME = EXPR."""
        keys = []
        for _ in range(self.rng.choice([1, 1, 1, 2, maxn])):
            if self.rng.random() < 0.85:
                f = self.field(st, SCALAR)
                if f is None:
                    continue
                name, e, mq = f.mq.replace("`", ""), self.int_of(st, f), f.mq
            else:
                r = self.rng.random()
                e = (self.str_expr(st, 1) if r < 0.4 else self.num_expr(st, 1) if r < 0.8 else
                     self.bin_expr(st, 0) if r < 0.9 else self.week_expr(st, 0))
                name = self.new_name(st, ("key", "grp"))
                if name is None:
                    continue
                mq = f"{name} = {e.mq}"
            if name in [k[0] for k in keys]:
                continue
            keys.append((name, e, mq))
        return keys

    def stage_count(self, st):
        if self.rng.random() < 0.25:
            st.add(f"SELECT count(*)::DOUBLE AS \"count\", 0 AS _rn FROM {st.prev}")
            st.schema, st.total, st.unique, st.explicit = {"count": "num"}, True, None, True
            st.ints = {"count"}
            return "count"
        keys = self.group_keys(st, 3)
        if not keys or "count" in [k[0] for k in keys]:
            return None
        sel = ", ".join(f"{e.sql} AS {qi(n)}" for n, e, _ in keys)
        gb = ", ".join(str(i + 1) for i in range(len(keys)))
        st.add(f"SELECT {sel}, count(*)::DOUBLE AS \"count\", dense_rank() OVER (ORDER BY count(*) DESC) AS _rn "
               f"FROM {st.prev} GROUP BY {gb}")
        st.schema = {n: e.kind for n, e, _ in keys}
        st.schema["count"] = "num"
        st.ints = {n for n, e, _ in keys if e.isint} | {"count"}
        st.total, st.unique, st.explicit = False, set(st.schema) - {"count"}, True
        return "count by " + ", ".join(m for _, _, m in keys)

    def stage_summarize(self, st):
        rng = self.rng
        aggs = []
        for _ in range(rng.choice([1, 2, 2, 3, 4])):
            r = rng.random()
            isint = False
            if rng.random() < 0.35:
                agg = self.new_aggregate(st)
                if agg is None:
                    continue
                mq, sql, kind, default, isint = agg
            elif r < 0.2:
                mq, sql, kind, default, isint = "count()", "count(*)::DOUBLE", "num", "count", True
            else:
                if r < 0.35:
                    f = self.field(st, SCALAR)
                    fn = "count"
                elif r < 0.55:
                    f = self.field(st, ("num",))
                    fn = rng.choice(["sum", "avg"])
                elif r < 0.65:
                    f = self.field(st, ("num",))
                    fn = "median"
                elif r < 0.85:
                    f = self.field(st, ("num", "str", "date", "bool"))
                    fn = rng.choice(["min", "max"])
                else:
                    f = self.field(st, SCALAR)
                    fn = "distinct"
                if f is None:
                    continue
                mq = f"{fn}({f.mq})"
                default = fn + "_" + f.mq.replace("`", "")
                kind = f.kind if fn in ("min", "max") else "num"
                isint = fn in ("count", "distinct") or (fn in ("min", "max") and self.int_of(st, f).isint)
                sql = {"count": f"count({f.sql})::DOUBLE", "sum": f"sum({f.sql})", "avg": f"avg({f.sql})",
                       "median": f"median({f.sql})", "min": f"min({f.sql})", "max": f"max({f.sql})",
                       "distinct": f"count(DISTINCT {f.sql})::DOUBLE"}[fn]
            if kind == "num" and rng.random() < 0.12:
                if rng.random() < 0.5:
                    mq, sql, isint = f"round({mq}, 1)", sql_round(sql, 1), False
                else:
                    mq, sql = f"{mq} * 2", f"({sql}) * 2"
                name = self.new_name(st, ("a1", "a2", "a3", "a4"))
            else:
                name = (default if default and rng.random() < 0.5 else
                        self.new_name(st, ("a1", "a2", "a3", "a4")))
            if name is None or name in [a[0] for a in aggs]:
                continue
            aggs.append((name, mq if name == default and not mq.startswith("round") and "*" not in mq
                         else f"{mq_name(name)} = {mq}", sql, kind, isint))
        if not aggs:
            return None
        keys = self.group_keys(st, 2) if rng.random() < 0.8 else []
        names = [k[0] for k in keys] + [a[0] for a in aggs]
        if len(set(names)) != len(names):
            return None
        sel = [f"{e.sql} AS {qi(n)}" for n, e, _ in keys] + [f"{s} AS {qi(n)}" for n, _, s, _, _ in aggs]
        gb = (" GROUP BY " + ", ".join(str(i + 1) for i in range(len(keys)))) if keys else ""
        st.add(f"SELECT {', '.join(sel)}, 0 AS _rn FROM {st.prev}{gb}")
        st.schema = {n: e.kind for n, e, _ in keys}
        for n, _, _, k, _ in aggs:
            st.schema[n] = k
        st.ints = {n for n, e, _ in keys if e.isint} | {n for n, _, _, _, i in aggs if i}
        st.total = not keys
        st.unique = {k[0] for k in keys} if keys else None
        st.explicit = True
        text = "summarize " + ", ".join(a[1] for a in aggs)
        if keys:
            text += " by " + ", ".join(m for _, _, m in keys)
        return text

    def new_aggregate(self, st):
        """count_if, percentile, first, last: (mq, SQL, kind, default name or None, isint)."""
        rng = self.rng
        r = rng.random()
        if r < 0.35 or (r >= 0.65 and not st.total):
            if rng.random() < 0.3:
                f = self.field(st, None)  # any value: its truth
                return f"count_if({f.mq})", f"(count(*) FILTER (WHERE {sql_truth(f)}))::DOUBLE", "num", \
                    "count_if_" + f.mq.replace("`", ""), True
            c = self.cond(st, 1)
            return f"count_if({c.mq})", f"(count(*) FILTER (WHERE {c.sql}))::DOUBLE", "num", None, True
        if r < 0.65:
            f = self.field(st, ("num",))
            if f is None:
                return None
            p = rng.choice(["0", "10", "25", "50", "75", "90", "99", "100", "12.5", "33.3"])
            return (f"percentile({f.mq}, {p})", f"quantile_cont({f.sql}, CAST('{p}' AS DOUBLE) / 100)", "num",
                    f"percentile_{f.mq.replace('`', '')}_{p}", False)
        # first/last in input order: only where that order is defined
        fn = rng.choice(["first", "last"])
        f = self.int_of(st, self.field(st, SCALAR + ("list",)))
        return (f"{fn}({f.mq})", f"{fn}({f.sql} ORDER BY _rn) FILTER (WHERE {f.sql} IS NOT NULL)", f.kind,
                f"{fn}_{f.mq.replace('`', '')}", f.isint)

    def stage_distinct(self, st):
        fs = []
        for _ in range(self.rng.choice([1, 1, 2, 3])):
            f = self.field(st, SCALAR)
            if f is not None and f.mq not in [x.mq for x in fs]:
                fs.append(f)
        if not fs:
            return None
        sel = ", ".join(f"{f.sql} AS {qi(f.mq.replace('`', ''))}" for f in fs)
        gb = ", ".join(str(i + 1) for i in range(len(fs)))
        st.add(f"SELECT {sel}, min(_rn) AS _rn FROM {st.prev} GROUP BY {gb}")
        st.schema = {f.mq.replace("`", ""): f.kind for f in fs}
        st.ints = {f.mq.replace("`", "") for f in fs if self.int_of(st, f).isint}
        st.unique, st.explicit = set(st.schema), True
        return "distinct " + ", ".join(f.mq for f in fs)

    def stage_top(self, st):
        f = self.field(st, SCALAR)
        if f is None:
            return None
        n = self.rng.choice([1, 2, 3, 5, 10])
        name = f.mq.replace("`", "")
        if name == "count":
            return None
        st.add(f"SELECT {f.sql} AS {qi(name)}, count(*)::DOUBLE AS \"count\", 0 AS _rn FROM {st.prev} GROUP BY 1")
        st.schema = {name: f.kind, "count": "num"}
        st.ints = {"count"} | ({name} if self.int_of(st, f).isint else set())
        st.special = ("top", n, name)
        st.explicit = True
        return f"top {n} {f.mq}"

    JOIN_KEYS = [("k", "k"), ("k", "uk"), ("id", "uk"), ("m", "m"), ("s", "s"), ("code", "code"),
                 ("i", "uk"), ("d", "k"), ("k", "w")]

    def stage_join(self, st, form):
        rng = self.rng
        pairs = [(a, b) for a, b in self.JOIN_KEYS if a in st.schema and isinstance(st.schema[a], str)]
        if not pairs:
            return None
        lk, rk = rng.choice(pairs)
        table = "u_csv" if form == "u.csv" else "u_json"
        rschema = self.ds.schema(table)
        if rk not in rschema:
            return None
        left = rng.random() < 0.4
        on = sql_join_eq(E(lk, f"l.{qi(lk)}", st.schema[lk]), E(rk, f"r.{qi(rk)}", rschema[rk]))
        right_mq, right_sql = f'from "{form}"', table
        if rng.random() < 0.2:
            # a subquery: `join (from "u.csv" | where …) on k`
            sub = State(table, rschema, ("uk",))
            c = self.cond(sub, 1)
            right_mq, right_sql = f'(from "{form}" | where {c.mq})', f"(SELECT * FROM {table} WHERE {c.sql})"
        cols = []
        for c, k in rschema.items():
            if c == rk and lk == rk:
                continue  # `on k`: one key column, as SQL's USING (difftest.md)
            name = c
            if name in st.schema:
                name, i = c + "_right", 2
                while name in st.schema:
                    name, i = f"{c}_right{i}", i + 1
            cols.append(f"r.{qi(c)} AS {qi(name)}")
            st.schema[name] = k
            (st.ints.add if c == "uk" else st.ints.discard)(name)
        st.add(f"SELECT l.* EXCLUDE (_rn), {', '.join(cols)}, dense_rank() OVER (ORDER BY l._rn) AS _rn "
               f"FROM {st.prev} l {'LEFT ' if left else ''}JOIN {right_sql} r ON {on}")
        st.total, st.unique, st.explicit = False, None, False
        st.joins += 1
        keytext = lk if lk == rk else f"{lk} = {rk}"
        return f"join {'left ' if left else ''}{right_mq} on {keytext}"

    def stage_flatten(self, st):
        cands = []
        for name, k in st.schema.items():
            if is_list(k):
                cands.append(([name], k[1]))
            if is_obj(k):
                for m, mk in k[1]:
                    if is_list(mk):
                        cands.append(([name, m], mk[1]))
        if not cands:
            return None
        path, ek = self.rng.choice(cands)
        target = path[-1].split(".")[-1]  # a column named `o.l` (after `select o.l`) gives `l`
        alias = None
        if self.rng.random() < 0.3:
            alias = self.new_name(st, ("elem", "tag", "v1"))
            target = alias or target
        if len(path) == 1:
            if target != path[0] and target in st.schema:
                return None
            rest = f"q.* EXCLUDE (_rn, {qi(path[0])})"
            src = f"q.{qi(path[0])}"
            del st.schema[path[0]]
        else:
            o, m = path
            if target in st.schema:
                return None
            members = [(mm, mk) for mm, mk in st.schema[o][1] if mm != m]
            if not members:
                return None
            rest = (f"q.* EXCLUDE (_rn, {qi(o)}), struct_pack(" +
                    ", ".join(f"{qi(mm)} := q.{qi(o)}['{mm}']" for mm, _ in members) + f") AS {qi(o)}")
            src = f"q.{qi(o)}['{m}']"
            st.schema[o] = ("obj", tuple(members))
        # Elements follow their row, in the array's order; when rows are tied (no defined
        # order among them) their elements are too, as one rank cannot say "each row's
        # elements in order, the rows in any order".
        order = "q._rn, e.i" if st.total else "q._rn"
        st.add(f"SELECT {rest}, e.v AS {qi(target)}, dense_rank() OVER (ORDER BY {order}) AS _rn "
               f"FROM {st.prev} q, unnest({src}) WITH ORDINALITY AS e(v, i)")
        st.schema[target] = ek
        st.ints.discard(target)
        st.unique, st.explicit = None, False
        return "flatten " + ".".join(path) + (f" as {alias}" if alias else "")

    def pipeline(self, max_stages=99):
        rng = self.rng
        tform = rng.choice(["t.ndjson", "t.json", "t.csv"])
        table = "t_csv" if tform == "t.csv" else "t_json"
        st = State(table, self.ds.schema(table))
        stages = []
        n = min(rng.choice([0, 1, 1, 2, 2, 3, 3, 4, 5]), max_stages)
        tries = 0
        while len(stages) < n and tries < 30:
            tries += 1
            w = {"where": 3, "derive": 1.3, "select": 0.8, "sort": 2, "count": 1, "summarize": 1.6,
                 "distinct": 0.6, "top": 0.6, "join": 1.2 if st.joins < 2 else 0, "flatten": 1.0}
            if st.total:
                w["limit"] = 1.5
            kind = rng.choices(list(w), list(w.values()))[0]
            if kind == "join":
                text = self.stage_join(st, rng.choice(["u.ndjson", "u.json", "u.csv"]))
            else:
                text = getattr(self, "stage_" + kind)(st)
            if text is None:
                continue
            stages.append(text)
            if st.special:
                break
        return tform, stages, st


# ---------------------------------------------------------------------------------------
# Running mq
# ---------------------------------------------------------------------------------------

class DuplicateKey(Exception):
    pass


def no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise DuplicateKey(k)
        d[k] = v
    return d


def parse_stream(text):
    """The JSON values printed one after another, and what followed them if it was not JSON."""
    dec = json.JSONDecoder(object_pairs_hook=no_duplicates)
    out, i, n = [], 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            return out, None
        try:
            v, i = dec.raw_decode(text, i)
        except DuplicateKey as e:
            return out, f"an object with the key {e} twice"
        except ValueError:
            return out, text[i:i + 200]
        out.append(v)


def run_mq(mq, workdir, queries, timeout=300):
    """Runs the statements as one script (one a line), re-running what follows a statement
    that failed, since a script stops at its first error. Returns per statement
    ("ok", rows) or ("error", message)."""
    answers = [None] * len(queries)
    pending = list(range(len(queries)))
    script = os.path.join(workdir, "batch.mq")
    single = False
    while pending:
        batch = pending[:1] if single else pending
        with open(script, "w", encoding="utf-8") as f:
            f.write("".join(queries[i] + "\n" for i in batch))
        try:
            p = subprocess.run([mq, "--format", "json", "--no-color"] + MQ_ARGS + ["batch.mq"], cwd=workdir,
                               capture_output=True, timeout=timeout if not single else 30)
            out, err, rc = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), p.returncode
        except subprocess.TimeoutExpired:
            if not single:
                single = True
                continue
            answers[batch[0]] = ("error", "timeout after 30 s")
            pending = pending[1:]
            continue
        values, junk = parse_stream(out)
        if rc == 0 and junk is None and len(values) == len(batch):
            for i, v in zip(batch, values):
                answers[i] = ("ok", v)
            pending = [i for i in pending if i not in batch]
            continue
        m = re.search(r"batch\.mq:(\d+):\d+", err)
        line = int(m.group(1)) - 1 if m else None
        msg = f"exit {rc}: " + err.strip()[-1500:] + (f"\n(stdout then had: {junk!r})" if junk else "")
        if single or len(batch) == 1:
            answers[batch[0]] = ("error", msg)
            pending = pending[1:]
        elif line is not None and line < len(batch) and len(values) in (line, line + 1) and junk is None:
            # a runtime error in statement `line`: those before it ran
            for i, v in zip(batch[:line], values):
                answers[i] = ("ok", v)
            answers[batch[line]] = ("error", msg)
            pending = batch[line + 1:]
        elif line is not None and line < len(batch) and not values:
            # refused before anything ran
            answers[batch[line]] = ("error", msg)
            pending = batch[:line] + batch[line + 1:]
        else:
            single = True  # a crash or something unforeseen: one statement at a time
    return answers


# ---------------------------------------------------------------------------------------
# Comparing
# ---------------------------------------------------------------------------------------

def canon_mq(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return ("b", v)
    if isinstance(v, (int, float)):
        return ("n", float(v))
    if isinstance(v, str):
        return ("s", v)
    if isinstance(v, list):
        return ("l", tuple(canon_mq(x) for x in v))
    return ("o", tuple(sorted((k, canon_mq(x)) for k, x in v.items() if x is not None)))


def canon_sql(kind, v):
    if v is None:
        return None
    if kind == "num":
        return ("n", float(v))
    if kind in ("str", "date"):
        return ("s", v)
    if kind == "bool":
        return ("b", bool(v))
    if kind == "mixed":
        t = v["t"]
        return ("n", float(v["n"])) if t == "n" else ("s", v["s"]) if t == "s" else ("b", bool(v["b"]))
    if is_list(kind):
        return ("l", tuple(canon_sql(kind[1], x) for x in v))
    return ("o", tuple(sorted((m, canon_sql(mk, v[m])) for m, mk in kind[1] if v[m] is not None)))


def show(c):
    """A canonical value back as JSON-like Python, to print."""
    if c is None:
        return None
    if c[0] == "n":
        return int(c[1]) if c[1] == int(c[1]) and abs(c[1]) < 1e15 and str(c[1]) != "-0.0" else c[1]
    if c[0] in ("s", "b"):
        return c[1]
    if c[0] == "l":
        return [show(x) for x in c[1]]
    return {k: show(x) for k, x in c[1]}


def veq(a, b):
    if a is None or b is None:
        return a is None and b is None
    if a[0] != b[0]:
        return False
    if a[0] == "n":
        x, y = a[1], b[1]
        return x == y or abs(x - y) <= 1e-9 * max(abs(x), abs(y)) or abs(x - y) < 1e-12
    if a[0] in ("s", "b"):
        return a[1] == b[1]
    if len(a[1]) != len(b[1]):
        return False
    if a[0] == "l":
        return all(veq(x, y) for x, y in zip(a[1], b[1]))
    return all(k1 == k2 and veq(x, y) for (k1, x), (k2, y) in zip(a[1], b[1]))


def row_eq(a, b):
    return a.keys() == b.keys() and all(veq(a[k], b[k]) for k in a)


def rounded(c):
    if c is None:
        return ("z",)
    if c[0] == "n":
        return ("n", float(f"{c[1]:.8g}") + 0.0)
    if c[0] in ("l", "o"):
        return (c[0], tuple(rounded(x) if c[0] == "l" else (x[0], rounded(x[1])) for x in c[1]))
    return c


def row_key(r):
    return repr(sorted((k, rounded(v)) for k, v in r.items()))


def same_multiset(xs, ys):
    if len(xs) != len(ys):
        return False
    if sorted(map(row_key, xs)) == sorted(map(row_key, ys)):
        return True
    left = list(ys)
    for x in xs:
        for j, y in enumerate(left):
            if row_eq(x, y):
                del left[j]
                break
        else:
            return False
    return True


def jrow(r):
    return json.dumps({k: show(v) for k, v in sorted(r.items())}, ensure_ascii=False)


def row_diff(a, b):
    """What differs between mq's row a and the SQL's row b."""
    out = []
    for k in sorted(set(a) | set(b)):
        x, y = a.get(k), b.get(k)
        if not veq(x, y):
            out.append(f"{k}: mq {json.dumps(show(x), ensure_ascii=False)}, sql {json.dumps(show(y), ensure_ascii=False)}")
    return "; ".join(out)


def multiset_diff(xs, ys):
    left = list(ys)
    extra = []
    for x in xs:
        for j, y in enumerate(left):
            if row_eq(x, y):
                del left[j]
                break
        else:
            extra.append(x)
    parts = []
    if extra:
        parts.append(f"{len(extra)} rows only in mq's, e.g. {jrow(extra[0])}")
    if left:
        parts.append(f"{len(left)} only in the SQL's, e.g. {jrow(left[0])}")
    return "; ".join(parts)


def compare(st, mq_answer, sql_cols, sql_rows):
    """None when they agree, else why not."""
    if mq_answer[0] != "ok":
        return "mq failed: " + (mq_answer[1].splitlines() or [""])[0]
    rows = mq_answer[1]
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        return "mq's output is not an array of objects"
    names = [c for c in sql_cols if c != "_rn"]
    if st.explicit:
        for i, r in enumerate(rows):
            if set(r) != set(names):
                return f"row {i + 1} has the columns {sorted(r)}, expected {sorted(names)}"
    mine = [{k: canon_mq(v) for k, v in r.items() if v is not None} for r in rows]
    kinds = [st.schema.get(c, "str") for c in sql_cols]
    theirs, ranks = [], []
    for row in sql_rows:
        d = {}
        for c, k, v in zip(sql_cols, kinds, row):
            if c == "_rn":
                ranks.append(v)
            else:
                cv = canon_sql(k, v)
                if cv is not None:
                    d[c] = cv
        theirs.append(d)
    if st.special and st.special[0] == "top":
        _, n, name = st.special
        want = min(n, len(theirs))
        if len(mine) != want:
            return f"top {n}: {len(mine)} rows, expected {want}"
        counts = sorted((r["count"][1] for r in theirs), reverse=True)[:want]
        got = [r.get("count", ("n", -1))[1] for r in mine]
        if got != sorted(got, reverse=True):
            return "top: counts not in descending order"
        if sorted(got, reverse=True) != counts:
            return f"top: counts {got}, expected the {want} largest {counts}"
        pool = list(theirs)
        for r in mine:
            for j, t in enumerate(pool):
                if row_eq(r, t):
                    del pool[j]
                    break
            else:
                return f"top: the row {json.dumps({k: show(v) for k, v in r.items()}, ensure_ascii=False)} is not a group with that count"
        return None
    if len(mine) != len(theirs):
        return f"{len(mine)} rows, expected {len(theirs)}: " + multiset_diff(mine, theirs)
    i = 0
    while i < len(theirs):
        j = i
        while j < len(theirs) and ranks[j] == ranks[i]:
            j += 1
        if j - i == 1:
            if not row_eq(mine[i], theirs[i]):
                if same_multiset(mine, theirs):
                    return f"the same rows in another order: row {i + 1} differs ({row_diff(mine[i], theirs[i])})"
                return f"row {i + 1} differs: {row_diff(mine[i], theirs[i])}"
        elif not same_multiset(mine[i:j], theirs[i:j]):
            return (f"rows {i + 1}–{j} (in no defined order among themselves) differ: " +
                    multiset_diff(mine[i:j], theirs[i:j]))
        i = j
    return None


# ---------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------

class Case:
    def __init__(self, did, cid, tform, stages, st):
        self.did, self.cid, self.tform, self.stages, self.st = did, cid, tform, stages, st

    @property
    def mq(self):
        return " | ".join([f'from "{self.tform}"'] + self.stages)

    @property
    def ident(self):
        return f"{self.did}:{self.cid}"


def gen_cases(seed, did, ds, count):
    cases = []
    for cid in range(count):
        rng = random.Random(f"{seed}:{did}:{cid}")
        tform, stages, st = Gen(rng, ds).pipeline()
        cases.append(Case(did, cid, tform, stages, st))
    return cases


def run_sql(con, st):
    try:
        cur = con.execute(st.sql())
        return [d[0] for d in cur.description], cur.fetchall(), None
    except Exception as e:  # a bug of this program, reported as a failure
        return None, None, f"{type(e).__name__}: {e}"


def evaluate(con, case, answer):
    cols, rows, err = run_sql(con, case.st)
    if err:
        return f"the SQL failed (a bug of difftest): {err}", None
    return compare(case.st, answer, cols, rows), (cols, rows)


def files_of(case):
    out = [case.tform]
    for s in case.stages:
        m = re.match(r'join (?:left )?\(?from "([^"]+)"', s)
        if m and m.group(1) not in out:
            out.append(m.group(1))
    return out


def sql_json(case, cols, rows):
    out = []
    for row in rows:
        d = {}
        for c, v in zip(cols, row):
            if c != "_rn":
                d[c] = show(canon_sql(case.st.schema.get(c, "str"), v))
        out.append(d)
    return out


def report(case, why, answer, sqlres, workdir, seed):
    lines = [f"FAIL {case.ident}: {why}",
             f"  reproduce: scripts/difftest/difftest.py --seed {seed} --case {case.ident} --keep DIR" +
             (" --no-decomposed" if "\u0130stanbul" not in STRINGS else "")]
    for f in files_of(case):
        path = os.path.join(workdir, f)
        try:
            with open(path, encoding="utf-8", newline="") as fh:
                text = fh.read()
        except OSError:
            text = "(gone)"
        n = text.count("\n")
        lines.append(f"  data {path} ({n} lines)" + (":" if n <= 40 else ", too long to show"))
        if n <= 40:
            lines += ["    " + l for l in text.splitlines()]
    lines.append(f"  mq:  {case.mq}")
    lines.append(f"  sql: {case.st.sql()}")
    if answer[0] == "ok":
        lines.append("  mq answer:  " + json.dumps(answer[1], ensure_ascii=False))
    else:
        lines.append("  mq answer:  ERROR " + answer[1].replace("\n", "\n    "))
    if sqlres:
        lines.append("  sql answer: " + json.dumps(sql_json(case, *sqlres), ensure_ascii=False))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Minimising a failure: the shortest failing prefix of the pipeline, then fewer rows
# ---------------------------------------------------------------------------------------

def rebuild(case, ds, n_stages):
    """The case's pipeline cut after n_stages, regenerated against ds with the same draws."""
    rng = random.Random(f"{case.seed}:{case.did}:{case.cid}")
    tform, stages, st = Gen(rng, ds).pipeline(n_stages)
    c = Case(case.did, case.cid, tform, stages, st)
    c.seed = case.seed
    return c


def try_case(mq, con, ds, case, workdir):
    ds.write(workdir)
    ds.load(con)
    ans = run_mq(mq, workdir, [case.mq])[0]
    why, res = evaluate(con, case, ans)
    return why, ans, res


def minimize(mq, con, ds, case, workdir, budget=300):
    """A smaller data set and pipeline that still fail (mq answering, and differently)."""
    orig_ok = try_case(mq, con, ds, case, workdir)[1][0] == "ok"

    def fails(d, c):
        if d.t_csv_kinds != ds.t_csv_kinds or d.u_csv_kinds != ds.u_csv_kinds:
            return False  # the CSV's kinds changed: the SQL no longer fits
        why, ans, _ = try_case(mq, con, d, c, workdir)
        return why is not None and not why.startswith("the SQL failed") and (ans[0] == "ok") == orig_ok
    spent = [0]
    best = case
    for n in range(len(case.stages)):
        c = rebuild(case, ds, n)
        if c.mq != case.mq and fails(ds, c):
            best = c
            break
    cur = ds
    for which in ("t_rows", "u_rows"):
        chunk = max(1, len(getattr(cur, which)) // 2)
        while chunk >= 1 and spent[0] < budget:
            rows = getattr(cur, which)
            i, changed = 0, False
            while i < len(rows) and spent[0] < budget:
                cand_rows = rows[:i] + rows[i + chunk:]
                if which == "t_rows" and not cand_rows:
                    i += chunk
                    continue
                cand = Dataset(cand_rows if which == "t_rows" else cur.t_rows,
                               cand_rows if which == "u_rows" else cur.u_rows, cur.style, ds)
                spent[0] += 1
                if fails(cand, best):
                    cur, rows, changed = cand, cand_rows, True
                else:
                    i += chunk
            if not changed:
                chunk //= 2
    # fewer values: a field null in every row (missing, but for the first row) while it still fails
    for which in ("t_rows", "u_rows"):
        names = []
        for r in getattr(cur, which):
            names += [k for k in r if k not in names]
        for name in names:
            if spent[0] >= budget or (which == "t_rows" and name == "id"):
                continue
            rows = [{k: v for k, v in r.items() if k != name} for r in getattr(cur, which)]
            if all(r.get(name) is None for r in getattr(cur, which)):
                continue  # already null
            cand = Dataset(rows if which == "t_rows" else cur.t_rows, rows if which == "u_rows" else cur.u_rows,
                           cur.style, ds)
            spent[0] += 1
            if fails(cand, best):
                cur = cand
    why, ans, res = try_case(mq, con, cur, best, workdir)
    return cur, best, why, ans, res


# ---------------------------------------------------------------------------------------
# Driving
# ---------------------------------------------------------------------------------------

def run_dataset(job):
    seed, did, count, mq, keep, keeping, only, only_case, n_minimize = job
    rng = random.Random(f"{seed}:{did}")
    ds = make_dataset(rng)
    workdir = os.path.join(keep, f"ds{did}")
    os.makedirs(workdir, exist_ok=True)
    ds.write(workdir)
    con = connect()
    ds.load(con)
    cases = gen_cases(seed, did, ds, count)
    for c in cases:
        c.seed = seed
    if only:
        cases = [c for c in cases if re.search(only, c.mq)]
    if only_case is not None:
        cases = [c for c in cases if c.cid == only_case]
    answers = run_mq(mq, workdir, [c.mq for c in cases])
    results = []
    failed = []
    for c, a in zip(cases, answers):
        why, res = evaluate(con, c, a)
        if why is None:
            results.append((c.ident, None, c.mq))
        else:
            failed.append((c, why, a, res))
    kept_dir = workdir
    for k, (c, why, a, res) in enumerate(failed):
        text = report(c, why, a, res, workdir, seed)
        if k < n_minimize:
            mdir = os.path.join(workdir, f"min-{c.cid}")
            os.makedirs(mdir, exist_ok=True)
            mds, mc, mwhy, mans, mres = minimize(mq, connect(), ds, c, mdir)
            mc.seed = seed
            if mwhy:
                text += "\n  minimised:\n" + "\n".join("  " + l for l in
                                                    report(mc, mwhy, mans, mres, mdir, seed).splitlines())
        results.append((c.ident, text, c.mq))
    if not failed and not keeping:
        shutil.rmtree(workdir, ignore_errors=True)
        kept_dir = None
    return did, results, kept_dir


def main():
    ap = argparse.ArgumentParser(description="mq's local engine against DuckDB (scripts/difftest.md)")
    ap.add_argument("--mq", default=os.path.join(ROOT, ".build/debug/mq"), help="the mq binary")
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", metavar="DIR", help="keep the generated files in DIR (ds<N>/ per data set)")
    ap.add_argument("--only", metavar="REGEX", help="run only the cases whose mq query matches")
    ap.add_argument("--case", metavar="D:C", help="run only case C of data set D (as a failure names it)")
    ap.add_argument("--minimize", type=int, default=0, metavar="N",
                    help="shrink the first N failures of each data set (slower)")
    ap.add_argument("--no-decomposed", action="store_true",
                    help="no text with combining marks (e + U+0301, İ lower-cased), which mq's Swift strings "
                         "equate with é or match as whole characters")
    ap.add_argument("--mq-arg", action="append", default=[], metavar="ARG",
                    help="an extra argument for mq (e.g. --no-pushdown, which also reads whole rows)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--max-reports", type=int, default=25, help="failures printed in full")
    args = ap.parse_args()
    if not os.access(args.mq, os.X_OK):
        print(f"difftest: no mq binary at {args.mq} (build it, or pass --mq)", file=sys.stderr)
        print("difftest: 0 passed, 0 failed")
        return 2
    mq = os.path.abspath(args.mq)
    keeping = bool(args.keep)
    keep = os.path.abspath(args.keep) if args.keep else tempfile.mkdtemp(prefix="difftest-")
    os.makedirs(keep, exist_ok=True)
    if args.no_decomposed:
        drop_decomposed()
    MQ_ARGS[:] = args.mq_arg
    start = time.time()
    if args.case:
        d, c = (int(x) for x in args.case.split(":"))
        jobs = [(args.seed, d, c + 1, mq, keep, keeping, args.only, c, args.minimize)]
    else:
        n_ds = (args.cases + CASES_PER_DATASET - 1) // CASES_PER_DATASET
        jobs = [(args.seed, d, min(CASES_PER_DATASET, args.cases - d * CASES_PER_DATASET), mq, keep, keeping,
                 args.only, None, args.minimize) for d in range(n_ds)]
    passed, failed, printed = 0, [], 0
    kept = []
    if args.jobs > 1 and len(jobs) > 1:
        pool = multiprocessing.Pool(min(args.jobs, 2))
        it = pool.imap(run_dataset, jobs)
    else:
        pool, it = None, map(run_dataset, jobs)
    for did, results, kept_dir in it:
        if kept_dir:
            kept.append(kept_dir)
        for ident, text, q in results:
            if text is None:
                passed += 1
            else:
                failed.append((ident, q))
                if printed < args.max_reports:
                    print(text, flush=True)
                    print(flush=True)
                    printed += 1
    if pool:
        pool.close()
        pool.join()
    if len(failed) > printed:
        print(f"{len(failed) - printed} more failures, not shown in full:")
        for ident, q in failed[printed:printed + 200]:
            print(f"  {ident}  {q}")
        if len(failed) > printed + 200:
            print(f"  … and {len(failed) - printed - 200} more")
    if keeping:
        print(f"the data sets are in {keep}", file=sys.stderr)
    elif kept:
        print(f"the data sets with a failure are kept in {keep} ({len(kept)} of {len(jobs)})", file=sys.stderr)
    else:
        shutil.rmtree(keep, ignore_errors=True)
    print(f"({time.time() - start:.1f} s, seed {args.seed})", file=sys.stderr)
    print(f"difftest: {passed} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
