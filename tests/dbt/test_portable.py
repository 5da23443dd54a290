"""The models are one codebase for DuckDB and Spark: engine-only SQL lives in
`macros/portable/` (adapter.dispatch, a `duckdb__` and a `spark__` body each), never in a model
or a singular test. This scan is the gate: a token below in `models/` or `tests/` means the
model runs on one engine only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DBT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"

# token -> what to write instead
ENGINE_ONLY = {
    r"->>?": "a tally JSON macro (json_text, json_value) or, for lambdas, a portable macro",
    r"\blist_\w+": "a portable array macro",
    r"\blambda\b": "a portable macro (DuckDB and Spark lambdas differ)",
    r"\bexplode\b": "a portable unnest macro",
    r"\bunnest\b": "a portable unnest macro",
    r"\bget_json_object\b": "tally.json_text",
    r"\bjson_extract\w*": "tally.json_text / tally.json_value",
    r"\bfrom_json\b": "a portable parse macro",
    r"\bjson_type\b": "a portable JSON macro",
    r"\b(try_)?strptime\b": "substr + cast, or a portable date macro",
    r"\bstrftime\b": "a portable date macro",
    r"\bgenerate_series\b": "dbt.date_spine or a portable series macro",
    r"\brange\s*\(": "dbt.date_spine or a portable series macro",
    r"\bvarchar\b": "string (Spark's varchar needs a length)",
    r"\[\s*[01]\s*\]": "a portable element macro (DuckDB lists are 1-based, Spark arrays 0-based)",
    r"\bmake_timestamp\b": "tally.epoch_*_to_timestamp",
    r"\bepoch\w*\s*\(": "tally.epoch_*_to_timestamp",
    r"\btimezone\s*\(": "tally.reporting_date / tally.iso_to_timestamp",
    r"\bregexp_matches\b": "a portable regex macro",
    r"\bregexp_full_match\b": "a portable regex macro",
    r"\brlike\b": "a portable regex macro",
    r"\barg_(min|max)\b": "min_by / max_by",
    r"\bdate_diff\b": "dbt.datediff",
    r"(?<!dbt\.)\bdatediff\s*\(": "dbt.datediff",
    r"\bstruct_pack\b": "a portable struct macro",
    r"\bnamed_struct\b": "a portable struct macro",
    r"\bstring_split\b": "split_part or a portable macro",
    r"\bisodow\b": "a portable day-of-week macro",
    r"\bdayofweek\b": "a portable day-of-week macro",
    r"::\s*json\b": "keep JSON as text; parse through a tally macro",
}

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_SQL_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_STRING = re.compile(r"'(?:[^']|'')*'")


def sql_without_jinja(text: str) -> str:
    """The SQL a model writes itself: Jinja, comments and string literals removed (macro calls
    and their arguments are the portable part)."""
    return _STRING.sub("''", _SQL_COMMENT.sub(" ", _JINJA.sub(" ", text)))


def engine_only_tokens(text: str) -> list[tuple[str, str]]:
    sql = sql_without_jinja(text)
    found = []
    for pattern, instead in ENGINE_ONLY.items():
        for match in re.finditer(pattern, sql, flags=re.IGNORECASE):
            found.append((match.group(0), instead))
    return found


def _sql_files() -> list[Path]:
    return sorted([*DBT_DIR.glob("models/**/*.sql"), *DBT_DIR.glob("tests/**/*.sql")])


@pytest.mark.parametrize("path", _sql_files(), ids=lambda p: str(p.relative_to(DBT_DIR)))
def test_no_engine_only_sql(path: Path) -> None:
    found = engine_only_tokens(path.read_text())
    assert not found, "\n".join(f"{path.name}: `{tok}` -> use {instead}" for tok, instead in found)


def test_the_scan_catches_what_it_should() -> None:
    caught = engine_only_tokens(
        "select record->>'$.id', list_filter(xs, lambda x: x > 1)[1], x::varchar, "
        "arg_min(a, b), date_diff('day', a, b), datediff(a, b) from t"
    )
    assert {tok.lower() for tok, _ in caught} >= {
        "->>",
        "list_filter",
        "lambda",
        "[1]",
        "varchar",
        "arg_min",
        "date_diff",
        "datediff(",
    }
    # Macro calls, dbt's cross-database macros, comments and strings are portable.
    assert not engine_only_tokens(
        "select {{ tally.json_text('record', 'id') }}, {{ dbt.datediff('a', 'b', 'day') }} "
        "-- unnest here is only a comment\n, 'list_value in a string' from t"
    )


def test_every_dispatched_macro_has_both_engines() -> None:
    """A `duckdb__x` without a `spark__x` (or a `default__x`) fails only on Spark: at run time."""
    text = "\n".join(p.read_text() for p in DBT_DIR.glob("macros/**/*.sql"))
    dispatched = set(re.findall(r'adapter\.dispatch\(\s*["\'](\w+)["\']', text))
    defined = set(re.findall(r"\{%-?\s*macro\s+(\w+)\s*\(", text))
    missing = sorted(
        name
        for name in dispatched
        if f"default__{name}" not in defined
        and not {f"duckdb__{name}", f"spark__{name}"} <= defined
    )
    assert not missing, f"dispatched macros without a body per engine: {missing}"
