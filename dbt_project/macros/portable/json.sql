{#- JSON access, the one engine-specific thing every staging model needs. Paths are dotted
    (`items.data`; '' is the value itself), quoted per segment so keys with odd characters
    still work.
    DuckDB reads the JSON type; Spark reads JSON text (a STRING column) with get_json_object and
    from_json. Both give the same text for a member: NULL for a missing key or a JSON null, a
    string without its quotes, a number as the JSON parser re-writes it (12.50 -> 12.5,
    1e3 -> 1000.0, on both), an object or array as compact JSON text. -#}

{% macro json_path(path) -%}
    {%- if not path -%}
    '$'
    {%- elif "[" in path -%}
    {#- a segment may end in an array index: `results[0]` -#}
    {%- set ns = namespace(out="$") -%}
    {%- for seg in path.split(".") -%}
        {%- if seg.endswith("]") and "[" in seg -%}
            {%- set ns.out = ns.out ~ "." ~ (seg[:seg.index("[")] | tojson) ~ seg[seg.index("["):] -%}
        {%- else -%}
            {%- set ns.out = ns.out ~ "." ~ (seg | tojson) -%}
        {%- endif -%}
    {%- endfor -%}
    '{{ ns.out }}'
    {%- else -%}
    '$.{{ path.split(".") | map("tojson") | join(".") }}'
    {%- endif -%}
{%- endmacro %}

{#- The same path for Spark's get_json_object: `$.a.b`, or `$['a b']` for a key that is not a
    plain identifier (its quotes escaped in the SQL literal; Spark's JSONPath has no escape
    for a quote or bracket inside a key: such a key is refused at compile time). -#}
{% macro json_path_plain(path) -%}
    {%- set ns = namespace(out="$") -%}
    {%- for seg in (path.split(".") if path else []) -%}
        {%- set name = seg[:seg.index("[")] if (seg.endswith("]") and "[" in seg) else seg -%}
        {%- if name.replace("_", "").isalnum() and name.isascii() -%}
            {%- set ns.out = ns.out ~ "." ~ seg -%}
        {%- elif "'" in seg or "]" in seg or "[" in seg -%}
            {{ exceptions.raise_compiler_error("json path key not supported on Spark: " ~ seg) }}
        {%- else -%}
            {%- set ns.out = ns.out ~ "[\\'" ~ seg ~ "\\']" -%}
        {%- endif -%}
    {%- endfor -%}
    '{{ ns.out }}'
{%- endmacro %}

{#- A Spark DDL type that reads the member at `path` as `leaf` (struct<`a`:struct<`b`:leaf>>),
    for from_json: a member whose JSON type does not fit comes back NULL (partial results). -#}
{% macro json_path_ddl(path, leaf) -%}
    {%- set segs = path.split(".") if path else [] -%}
    {%- set ns = namespace(out=leaf) -%}
    {%- for seg in segs | reverse -%}
        {%- set ns.out = "struct<`" ~ seg.replace("`", "``") ~ "`:" ~ ns.out ~ ">" -%}
    {%- endfor -%}
    {{ ns.out }}
{%- endmacro %}

{#- from_json(record, <path as leaf>) and the member itself: the value when its JSON type fits
    `leaf` (array<string>: an array, map<string,string>: an object), else NULL. -#}
{% macro spark_json_typed(record, path, leaf) -%}
    {%- if path -%}
    from_json({{ record }}, '{{ tally.json_path_ddl(path, leaf) }}'){% for seg in path.split(".") %}.`{{ seg.replace("`", "``") }}`{% endfor %}
    {%- else -%}
    from_json({{ record }}, '{{ leaf }}')
    {%- endif -%}
{%- endmacro %}

{% macro json_text(record, path) -%}
    {{ return(adapter.dispatch("json_text", "tally")(record, path)) }}
{%- endmacro %}
{% macro duckdb__json_text(record, path) -%}
    json_extract_string({{ record }}, {{ tally.json_path(path) }})
{%- endmacro %}
{% macro spark__json_text(record, path) -%}
    get_json_object({{ record }}, {{ tally.json_path_plain(path) }})
{%- endmacro %}

{#- The member as JSON (DuckDB: JSON, a JSON null is JSON 'null'); on Spark as JSON text (a JSON
    null is NULL, a string is its text). Used for objects and arrays kept for later models. -#}
{% macro json_value(record, path) -%}
    {{ return(adapter.dispatch("json_value", "tally")(record, path)) }}
{%- endmacro %}
{% macro duckdb__json_value(record, path) -%}
    json_extract({{ record }}, {{ tally.json_path(path) }})
{%- endmacro %}
{% macro spark__json_value(record, path) -%}
    get_json_object({{ record }}, {{ tally.json_path_plain(path) }})
{%- endmacro %}

{#- Text to an integer type (BIGINT unless told) as DuckDB's try_cast does it: a decimal or exponent form is rounded half away
    from zero ('12.5' -> 13, '1e3' -> 1000), out of range or not a number -> NULL (Spark's own
    cast truncates and wraps). -#}
{% macro text_to_int(expr, int_type="bigint") -%}
    {{ return(adapter.dispatch("text_to_int", "tally")(expr, int_type)) }}
{%- endmacro %}
{% macro duckdb__text_to_int(expr, int_type) -%}
    try_cast({{ expr }} as {{ int_type }})
{%- endmacro %}
{% macro spark__text_to_int(expr, int_type) -%}
    try_cast(round(try_cast({{ expr }} as decimal(38, 18))) as {{ int_type }})
{%- endmacro %}

{#- Text to BOOLEAN as DuckDB's try_cast does it: true/t/yes/y/1, false/f/no/n/0 in any case,
    untrimmed; anything else NULL. -#}
{% macro text_to_boolean(expr) -%}
    {{ return(adapter.dispatch("text_to_boolean", "tally")(expr)) }}
{%- endmacro %}
{% macro duckdb__text_to_boolean(expr) -%}
    try_cast({{ expr }} as boolean)
{%- endmacro %}
{% macro spark__text_to_boolean(expr) -%}
    case
        when lower({{ expr }}) in ('true', 't', 'yes', 'y', '1') then true
        when lower({{ expr }}) in ('false', 'f', 'no', 'n', '0') then false
    end
{%- endmacro %}

{#- A JSON integer (or an integer written as a string, as BigQuery's extract does). -#}
{% macro json_bigint(record, path) -%}
    {{ return(adapter.dispatch("json_bigint", "tally")(record, path)) }}
{%- endmacro %}
{% macro duckdb__json_bigint(record, path) -%}
    try_cast(json_extract_string({{ record }}, {{ tally.json_path(path) }}) as bigint)
{%- endmacro %}
{% macro spark__json_bigint(record, path) -%}
    {{ tally.text_to_int(tally.json_text(record, path)) }}
{%- endmacro %}

{% macro json_decimal(record, path, precision=18, scale=4) -%}
    {{ return(adapter.dispatch("json_decimal", "tally")(record, path, precision, scale)) }}
{%- endmacro %}
{% macro duckdb__json_decimal(record, path, precision, scale) -%}
    try_cast(json_extract_string({{ record }}, {{ tally.json_path(path) }}) as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}
{% macro spark__json_decimal(record, path, precision, scale) -%}
    try_cast({{ tally.json_text(record, path) }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro json_bool(record, path) -%}
    {{ return(adapter.dispatch("json_bool", "tally")(record, path)) }}
{%- endmacro %}
{% macro duckdb__json_bool(record, path) -%}
    try_cast(json_extract_string({{ record }}, {{ tally.json_path(path) }}) as boolean)
{%- endmacro %}
{% macro spark__json_bool(record, path) -%}
    {{ tally.text_to_boolean(tally.json_text(record, path)) }}
{%- endmacro %}

{#- An id that may be a string, a number, or an expanded object with an `id`. -#}
{% macro json_ref(record, path) -%}
    {{ return(adapter.dispatch("json_ref", "tally")(record, path)) }}
{%- endmacro %}
{% macro duckdb__json_ref(record, path) -%}
    case
        when json_type({{ record }}, {{ tally.json_path(path) }}) = 'OBJECT'
            then json_extract_string({{ record }}, {{ tally.json_path(path ~ ".id") }})
        else json_extract_string({{ record }}, {{ tally.json_path(path) }})
    end
{%- endmacro %}
{% macro spark__json_ref(record, path) -%}
    case
        when {{ tally.spark_json_typed(record, path, 'map<string,string>') }} is not null
            then get_json_object({{ record }}, {{ tally.json_path_plain(path ~ ".id") }})
        else get_json_object({{ record }}, {{ tally.json_path_plain(path) }})
    end
{%- endmacro %}

{#- A JSON array as a list of JSON values, for unnesting (empty when absent or not an array).
    Spark: a list of JSON texts (an object element is its JSON text, a string element its text). -#}
{% macro json_array(record, path) -%}
    {{ return(adapter.dispatch("json_array", "tally")(record, path)) }}
{%- endmacro %}
{% macro duckdb__json_array(record, path) -%}
    coalesce(
        case
            when json_type({{ record }}, {{ tally.json_path(path) }}) = 'ARRAY'
                then cast(json_extract({{ record }}, {{ tally.json_path(path) }}) as json[])
        end,
        cast([] as json[])
    )
{%- endmacro %}
{% macro spark__json_array(record, path) -%}
    coalesce(
        {{ tally.spark_json_typed(record, path, 'array<string>') }},
        cast(array() as array<string>)
    )
{%- endmacro %}

{#- A JSON array of scalars as a list of their texts, each element passed through `each`, a SQL
    expression in which `{}` stands for the element's text (e.g. 'lower(trim({}))'). -#}
{% macro json_text_array(record, path, each="{}") -%}
    {{ return(adapter.dispatch("json_text_array", "tally")(record, path, each)) }}
{%- endmacro %}
{% macro duckdb__json_text_array(record, path, each) -%}
    list_transform(
        {{ tally.json_array(record, path) }},
        lambda d: {{ each.replace("{}", "json_extract_string(d, '$')") }}
    )
{%- endmacro %}
{% macro spark__json_text_array(record, path, each) -%}
    transform(
        {{ tally.json_array(record, path) }},
        d -> {{ each.replace("{}", "d") }}
    )
{%- endmacro %}

{#- Sum of one integer member over a JSON array of objects (e.g. `total_taxes[].amount`);
    NULL when the array is absent or null. -#}
{% macro json_array_sum(record, path, member) -%}
    {{ return(adapter.dispatch("json_array_sum", "tally")(record, path, member)) }}
{%- endmacro %}
{% macro duckdb__json_array_sum(record, path, member) -%}
    case
        when json_type({{ record }}, {{ tally.json_path(path) }}) = 'ARRAY'
            then coalesce(list_sum(list_transform(
                cast(json_extract({{ record }}, {{ tally.json_path(path) }}) as json[]),
                lambda x: try_cast(json_extract_string(x, '$.{{ member }}') as bigint)
            )), 0)
    end
{%- endmacro %}
{% macro spark__json_array_sum(record, path, member) -%}
    aggregate(
        {{ tally.spark_json_typed(record, path, 'array<string>') }},
        cast(0 as bigint),
        (acc, x) -> acc + coalesce({{ tally.json_bigint('x', member) }}, 0)
    )
{%- endmacro %}

{#- Lower-cased domain of an email address. -#}
{% macro email_domain(expr) -%}
    nullif(lower(trim(split_part({{ expr }}, '@', 2))), '')
{%- endmacro %}

{#- A GA4 event line parsed once into a struct of the fields staging reads (one JSON pass per
    line instead of one per field: the difference that matters at 40M events). Fields whose
    JSON type does not fit come back NULL; integers are read as text, because BigQuery's JSON
    export writes INT64 as strings. Same field names and types on both engines. -#}
{% macro ga4_event_struct(record) -%}
    {{ return(adapter.dispatch("ga4_event_struct", "tally")(record)) }}
{%- endmacro %}
{% macro duckdb__ga4_event_struct(record) -%}
    from_json({{ record }}, '{
            "event_date": "VARCHAR", "event_timestamp": "VARCHAR", "event_name": "VARCHAR",
            "user_pseudo_id": "VARCHAR", "user_id": "VARCHAR",
            "event_params": [{"key": "VARCHAR", "value": {"string_value": "VARCHAR",
                "int_value": "VARCHAR", "float_value": "DOUBLE", "double_value": "DOUBLE"}}],
            "user_properties": [{"key": "VARCHAR", "value": {"string_value": "VARCHAR",
                "int_value": "VARCHAR"}}],
            "traffic_source": {"source": "VARCHAR", "medium": "VARCHAR", "name": "VARCHAR"},
            "collected_traffic_source": {"manual_source": "VARCHAR", "manual_medium": "VARCHAR",
                "manual_campaign_name": "VARCHAR", "gclid": "VARCHAR"},
            "device": {"category": "VARCHAR"},
            "geo": {"country": "VARCHAR"}
        }')
{%- endmacro %}
{% macro spark__ga4_event_struct(record) -%}
    from_json({{ record }}, 'struct<
            event_date: string, event_timestamp: string, event_name: string,
            user_pseudo_id: string, user_id: string,
            event_params: array<struct<key: string, value: struct<string_value: string,
                int_value: string, float_value: double, double_value: double>>>,
            user_properties: array<struct<key: string, value: struct<string_value: string,
                int_value: string>>>,
            traffic_source: struct<source: string, medium: string, name: string>,
            collected_traffic_source: struct<manual_source: string, manual_medium: string,
                manual_campaign_name: string, gclid: string>,
            device: struct<category: string>,
            geo: struct<country: string>
        >')
{%- endmacro %}

{#- A GA4 `event_params` / `user_properties` value by key (a list of {key, value} structs);
    the first entry with the key; NULL when the list is NULL or has none. -#}
{% macro ga4_param(params, key, slot) -%}
    {{ return(adapter.dispatch("ga4_param", "tally")(params, key, slot)) }}
{%- endmacro %}
{% macro duckdb__ga4_param(params, key, slot) -%}
    list_filter({{ params }}, lambda p: p.key = '{{ key }}')[1].value.{{ slot }}
{%- endmacro %}
{% macro spark__ga4_param(params, key, slot) -%}
    try_element_at(filter({{ params }}, p -> p.key = '{{ key }}'), 1).value.{{ slot }}
{%- endmacro %}

{#- A record parsed once into the members a model reads. DuckDB parses the JSON again for every
    json_extract, so a model reading twenty members parsed each record twenty times
    (stg_stripe__subscription_history at 100k customers: 4.2 s, against 1.1 s parsed once).
    `members`: {dotted path: 'text' | 'json'}; read them back from the parsed column with the
    member_* macros below. DuckDB: a struct of the members (from_json: VARCHAR leaves hold the
    same text as json_extract_string; JSON leaves hold the member, a JSON null as NULL, as on
    Spark). Spark: the record itself, read member by member as before. -#}
{% macro json_parse(record, members) -%}
    {{ return(adapter.dispatch("json_parse", "tally")(record, members)) }}
{%- endmacro %}
{% macro duckdb__json_parse(record, members) -%}
    {%- set spec = {} -%}
    {%- for path, kind in members.items() -%}
        {%- if kind not in ('text', 'json') or '[' in path or not path -%}
            {{ exceptions.raise_compiler_error("json_parse: '" ~ path ~ "': " ~ kind) }}
        {%- endif -%}
        {%- set segs = path.split('.') -%}
        {%- set ns = namespace(node=spec) -%}
        {%- for seg in segs[:-1] -%}
            {%- if seg not in ns.node -%}
                {%- do ns.node.update({seg: {}}) -%}
            {%- endif -%}
            {%- set ns.node = ns.node[seg] -%}
        {%- endfor -%}
        {%- do ns.node.update({segs[-1]: 'VARCHAR' if kind == 'text' else 'JSON'}) -%}
    {%- endfor -%}
    from_json({{ record }}, '{{ spec | tojson | replace("'", "''") }}')
{%- endmacro %}
{% macro spark__json_parse(record, members) -%}
    {{ record }}
{%- endmacro %}

{#- A member of a parsed record (json_parse) as text: json_text's result. -#}
{% macro member_text(parsed, path) -%}
    {{ return(adapter.dispatch("member_text", "tally")(parsed, path)) }}
{%- endmacro %}
{% macro duckdb__member_text(parsed, path) -%}
    {{ parsed }}.{{ path.split(".") | map("tojson") | join(".") }}
{%- endmacro %}
{% macro spark__member_text(parsed, path) -%}
    {{ tally.json_text(parsed, path) }}
{%- endmacro %}

{#- A member parsed as 'json': json_value's result (a JSON null is NULL). -#}
{% macro member_json(parsed, path) -%}
    {{ return(adapter.dispatch("member_json", "tally")(parsed, path)) }}
{%- endmacro %}
{% macro duckdb__member_json(parsed, path) -%}
    {{ tally.duckdb__member_text(parsed, path) }}
{%- endmacro %}
{% macro spark__member_json(parsed, path) -%}
    {{ tally.json_value(parsed, path) }}
{%- endmacro %}

{% macro member_bigint(parsed, path) -%}
    {{ tally.text_to_int(tally.member_text(parsed, path)) }}
{%- endmacro %}

{% macro member_decimal(parsed, path, precision=18, scale=4) -%}
    try_cast({{ tally.member_text(parsed, path) }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro member_bool(parsed, path) -%}
    {{ tally.text_to_boolean(tally.member_text(parsed, path)) }}
{%- endmacro %}

{#- json_ref on a member parsed as 'json': an id, or an expanded object's `id`. -#}
{% macro member_ref(parsed, path) -%}
    {{ return(adapter.dispatch("member_ref", "tally")(parsed, path)) }}
{%- endmacro %}
{% macro duckdb__member_ref(parsed, path) -%}
    {%- set member = tally.duckdb__member_text(parsed, path) -%}
    case
        when json_type({{ member }}) = 'OBJECT' then json_extract_string({{ member }}, '$."id"')
        else json_extract_string({{ member }}, '$')
    end
{%- endmacro %}
{% macro spark__member_ref(parsed, path) -%}
    {{ tally.json_ref(parsed, path) }}
{%- endmacro %}

{#- json_array_sum on a member parsed as 'json'. -#}
{% macro member_array_sum(parsed, path, member) -%}
    {{ return(adapter.dispatch("member_array_sum", "tally")(parsed, path, member)) }}
{%- endmacro %}
{% macro duckdb__member_array_sum(parsed, path, member) -%}
    {%- set array = tally.duckdb__member_text(parsed, path) -%}
    case
        when json_type({{ array }}) = 'ARRAY'
            then coalesce(list_sum(list_transform(
                cast({{ array }} as json[]),
                lambda x: try_cast(json_extract_string(x, {{ tally.json_path(member) }}) as bigint)
            )), 0)
    end
{%- endmacro %}
{% macro spark__member_array_sum(parsed, path, member) -%}
    {{ tally.json_array_sum(parsed, path, member) }}
{%- endmacro %}

{#- json_text_array on a member parsed as 'json'. -#}
{% macro member_text_array(parsed, path, each="{}") -%}
    {{ return(adapter.dispatch("member_text_array", "tally")(parsed, path, each)) }}
{%- endmacro %}
{% macro duckdb__member_text_array(parsed, path, each) -%}
    {%- set array = tally.duckdb__member_text(parsed, path) -%}
    list_transform(
        case when json_type({{ array }}) = 'ARRAY' then cast({{ array }} as json[]) else cast([] as json[]) end,
        lambda d: {{ each.replace("{}", "json_extract_string(d, '$')") }}
    )
{%- endmacro %}
{% macro spark__member_text_array(parsed, path, each) -%}
    {{ tally.json_text_array(parsed, path, each) }}
{%- endmacro %}
