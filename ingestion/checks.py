"""The SQL that decides, line by line and set-based, whether a landed line loads.

Everything comes from an ObjectSpec's declarations (ingestion/specs.py): each field's kind
brings a type check and, for some kinds, a plausibility check. A line is parsed twice at most:
once for the JSON types of every declared scalar field (`types`), once for their values as
text (`vals`); fields inside arrays (`items.data[].x`) are read with one wildcard path each.
The first problem found is the reason the line is quarantined.
"""

from __future__ import annotations

from ingestion.specs import (
    CREATED_AFTER_FILE_DAY_TOLERANCE_DAYS,
    EARLIEST_PLAUSIBLE_DATE,
    EVENT_TIME_TOLERANCE_DAYS,
    KIND_LABELS,
    KINDS,
    MAX_EPOCH_SECONDS,
    Field,
    ObjectSpec,
)

# Microsecond timestamps beyond this cannot be shown as a date (year 9999).
_MAX_SHOWN_MICROS = 253_402_300_800_000_000


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def scalar_paths(spec: ObjectSpec) -> list[str]:
    """JSON paths read once per line, in order: the root, then each declared scalar field."""
    paths = ["$"]
    names = [f for f in spec.required + spec.checked if not f.is_array]
    # an array's elements are checked on the array's own JSON, read once with the line
    names += [_array_split(f)[0] for f in spec.checked if f.is_array]
    names += [Field(name, "integer") for name in spec.non_negative]
    if spec.deleted_flag:
        names.append(Field(spec.deleted_flag, "boolean"))
    for field in names:
        if field.path not in paths:
            paths.append(field.path)
    return paths


def field_types_sql(spec: ObjectSpec, line: str = "line") -> str:
    """json_type() of the root and of every declared scalar field, parsing the line once."""
    return f"json_type({line}, [{', '.join(_quote(p) for p in scalar_paths(spec))}])"


def field_values_sql(spec: ObjectSpec, line: str = "line") -> str:
    """The text of every declared scalar field (not the root), parsing the line once;
    `vals[i]` goes with `types[i + 1]`."""
    paths = scalar_paths(spec)[1:]
    if not paths:
        return "[]::varchar[]"
    return f"json_extract_string({line}, [{', '.join(_quote(p) for p in paths)}])"


def rejection_reason_sql(
    spec: ObjectSpec,
    line: str = "line",
    types: str = "types",
    partition_date: str = "partition_date",
    vals: str | None = None,
    is_json: str | None = None,
) -> str:
    """A SQL CASE giving why a line cannot load (NULL when it can), first problem wins.

    `types` is the list from field_types_sql() and `vals` the one from field_values_sql(),
    computed only for lines that are valid JSON (`vals` inline when not given); `is_json`
    says whether the line is JSON (json_valid when not given).
    """
    vals = vals or field_values_sql(spec, line)
    is_json = is_json or f"json_valid({line})"
    positions = {path: i for i, path in enumerate(scalar_paths(spec), start=1)}

    def jtype(field: Field) -> str:
        return f"{types}[{positions[field.path]}]"

    def text(field: Field) -> str:
        return f"{vals}[{positions[field.path] - 1}]"

    whens = [
        f"when not {is_json} then 'line is not valid JSON (truncated or malformed)'",
        f"when {types}[1] <> 'OBJECT' then "
        f"'line is JSON but not an object (got ' || lower({types}[1]) || ')'",
    ]
    marker = None
    if spec.deleted_flag:
        flag = Field(spec.deleted_flag, "boolean")
        marker = f"coalesce({jtype(flag)} = 'BOOLEAN' and {text(flag)} = 'true', false)"
    for field in spec.required:
        if field.is_array:
            raise ValueError(f"{spec.table}: a required field cannot be in an array: {field}")
        exempt = marker and field.name not in spec.deleted_marker_requires
        guard = f"not {marker} and " if exempt else ""
        whens.append(
            f"when {guard}({jtype(field)} is null or {jtype(field)} = 'NULL') "
            f"then 'missing required field \"{field.name}\"'"
        )
        whens += [f"when {guard}{w[5:]}" for w in _kind_whens(field, jtype, text, partition_date)]
    for field in spec.checked:
        if field.is_array:
            whens += _array_whens(field, text(_array_split(field)[0]))
        else:
            present = f"{jtype(field)} is not null and {jtype(field)} <> 'NULL' and "
            whens += [
                f"when {present}{w[5:]}" for w in _kind_whens(field, jtype, text, partition_date)
            ]
    for name in spec.non_negative:
        field = Field(name, "integer")
        value = f"try_cast({text(field)} as hugeint)"
        whens.append(f"when {value} < 0 then 'field \"{name}\" = ' || {value} || ' is negative'")
    return "case " + " ".join(whens) + " else null end"


def _as_sent(text: str, jtype: str) -> str:
    """A field's value as the line wrote it: strings quoted ("28.62"), numbers bare."""
    return f"case when {jtype} = 'VARCHAR' then to_json({text})::varchar else {text} end"


def _kind_whens(field: Field, jtype, text, partition_date: str) -> list[str]:
    """`when <problem> then <reason>` for a present, non-null scalar field of this kind."""
    name = field.name
    accepted = ", ".join(_quote(t) for t in KINDS[field.kind])
    if field.kind == "minor_units":
        # the JSON as sent: "28.62" (a string), 28.62 (a number)
        return [
            f"when {jtype(field)} not in ({accepted}) then 'field \"{name}\" = ' || "
            f"{_as_sent(text(field), jtype(field))} || "
            "' is not an integer amount in minor units'"
        ]
    whens = [
        f'when {jtype(field)} not in ({accepted}) then \'field "{name}" has the wrong type: '
        f"expected {KIND_LABELS[field.kind]}, got ' || lower({jtype(field)})"
    ]
    if field.kind == "epoch_seconds":
        value = f"{text(field)}::hugeint"
        whens.append(
            f"when abs({value}) >= {MAX_EPOCH_SECONDS} then 'field \"{name}\" = ' || "
            f"{value} || ' is not Unix seconds (milliseconds or microseconds?)'"
        )
        if name == "created":
            limit = (
                f"epoch({partition_date} + interval {CREATED_AFTER_FILE_DAY_TOLERANCE_DAYS} day)"
            )
            whens.append(
                f"when {value} > {limit} then 'field \"created\" = ' || {value} || ' ('"
                f" || make_timestamp({value}::bigint * 1000000)::date || ') is after the day"
                " of its file: a date in the future'"
            )
    elif field.kind == "epoch_micros":
        value = f"try_cast({text(field)} as hugeint)"
        tolerance = EVENT_TIME_TOLERANCE_DAYS
        earliest = f"epoch_us(greatest({partition_date} - interval {tolerance} day, "
        earliest += f"date '{EARLIEST_PLAUSIBLE_DATE}'))"
        latest = f"epoch_us({partition_date} + interval {tolerance + 1} day)"
        shown = (
            f"case when abs({value}) < {_MAX_SHOWN_MICROS} "
            f"then make_timestamp({value}::bigint)::date::varchar else 'after year 9999' end"
        )
        whens += [
            f'when {value} is null then \'field "{name}" has the wrong type: expected '
            f"{KIND_LABELS[field.kind]}, got ' || {_as_sent(text(field), jtype(field))}",
            f"when {value} < {earliest} or {value} >= {latest} then 'field \"{name}\" = ' || "
            f"{value} || ' (' || {shown} || ') is not Unix microseconds near the day of its "
            f"file, ' || {partition_date} || ' (milliseconds, seconds or nanoseconds?)'",
        ]
    return whens


def _array_split(field: Field) -> tuple[Field, str]:
    """`items.data[].price.unit_amount` -> the array (`items.data`) and the elements' path
    inside it (`$[*]."price"."unit_amount"`)."""
    array, _, rest = field.name.partition("[]")
    inner = "$[*]" + "".join(
        f'."{part}"' if not part.endswith("[]") else f'."{part[:-2]}"[*]'
        for part in rest.strip(".").split(".")
        if part
    )
    return Field(array, "array"), inner


def _array_whens(field: Field, array_json: str) -> list[str]:
    """Checks on every element of an array field (`items.data[].current_period_end`), on the
    array's JSON text (`array_json`), not the whole line."""
    inner = _quote(_array_split(field)[1])
    name = field.name
    accepted = ", ".join(_quote(t) for t in (*KINDS[field.kind], "NULL"))
    wrong = f"json_type(v) not in ({accepted})"
    if field.kind == "epoch_seconds":
        wrong += f" or abs(try_cast(v::varchar as hugeint)) >= {MAX_EPOCH_SECONDS}"
    elif field.kind not in ("minor_units", "integer", "string", "boolean", "number", "id"):
        raise ValueError(f"{field}: kind {field.kind!r} is not checked inside arrays")
    bad = f"list_filter(json_extract({array_json}, {inner}), lambda v: {wrong})"
    first = f"{bad}[1]"
    if field.kind == "minor_units":
        reason = f"'field \"{name}\" = ' || {first}::varchar || ' is not an integer amount"
        reason += " in minor units'"
    else:
        reason = (
            f"'field \"{name}\" has the wrong type: expected {KIND_LABELS[field.kind]}, got ' || "
            f"lower(json_type({first}))"
        )
        if field.kind == "epoch_seconds":
            reason = (
                f"case when json_type({first}) in ('BIGINT', 'UBIGINT') then 'field \"{name}\" = '"
                f" || {first}::varchar || ' is not Unix seconds (milliseconds or microseconds?)'"
                f" else {reason} end"
            )
    return [f"when {array_json} is not null and len({bad}) > 0 then {reason}"]
