{#- Arrays and JSON lists, the engine-specific forms the intermediate and core models need.
    DuckDB has lists, `unnest` (a table function after a comma, lateral by itself) and lambdas
    `lambda x: ...`; Spark has arrays, `explode` / `inline` (with `lateral` to see the columns
    before it) and lambdas `x -> ...`. -#}

{#- A FROM-clause item, written after a comma: one row per element of `array`, as
    `alias(column)`, or `alias(column, position)` with the 1-based position in the array.
    NULL or empty arrays give no rows on both engines. -#}
{% macro unnest_rows(array, alias, column, position=none) -%}
    {{ return(adapter.dispatch("unnest_rows", "tally")(array, alias, column, position)) }}
{%- endmacro %}
{% macro duckdb__unnest_rows(array, alias, column, position) -%}
    {%- if position is none -%}
        unnest({{ array }}) as {{ alias }}({{ column }})
    {%- else -%}
        unnest({{ array }}) with ordinality as {{ alias }}({{ column }}, {{ position }})
    {%- endif -%}
{%- endmacro %}
{% macro spark__unnest_rows(array, alias, column, position) -%}
    {%- if position is none -%}
        lateral explode({{ array }}) as {{ alias }}({{ column }})
    {%- else -%}
        lateral inline(transform({{ array }}, (x, i) -> struct(x, cast(i + 1 as bigint))))
            as {{ alias }}({{ column }}, {{ position }})
    {%- endif -%}
{%- endmacro %}

{#- A select-list item: one output row per element of `array` (the other columns repeated). -#}
{% macro unnest_select(array) -%}
    {{ return(adapter.dispatch("unnest_select", "tally")(array)) }}
{%- endmacro %}
{% macro duckdb__unnest_select(array) -%}
    unnest({{ array }})
{%- endmacro %}
{% macro spark__unnest_select(array) -%}
    explode({{ array }})
{%- endmacro %}

{#- Number of elements; NULL (DuckDB) or -1 (Spark) for a NULL array: compare with `> 0`. -#}
{% macro array_size(array) -%}
    {{ return(adapter.dispatch("array_size", "tally")(array)) }}
{%- endmacro %}
{% macro duckdb__array_size(array) -%}
    len({{ array }})
{%- endmacro %}
{% macro spark__array_size(array) -%}
    size({{ array }})
{%- endmacro %}

{#- Aggregate: the non-NULL values of `expr` where `condition` holds, sorted ascending; NULL
    when there are none. -#}
{% macro sorted_array_agg(expr, condition) -%}
    {{ return(adapter.dispatch("sorted_array_agg", "tally")(expr, condition)) }}
{%- endmacro %}
{% macro duckdb__sorted_array_agg(expr, condition) -%}
    list({{ expr }} order by {{ expr }}) filter (where {{ condition }})
{%- endmacro %}
{% macro spark__sorted_array_agg(expr, condition) -%}
    case when count_if({{ condition }} and {{ expr }} is not null) > 0
        then array_sort(collect_list({{ expr }}) filter (where {{ condition }})) end
{%- endmacro %}

{#- Subscription discounts, applied in order (fct_subscription_mrr_segments). `discount_list`
    aggregates the valued discounts of a segment as (percent_off, amount_off) in `position`
    order; `apply_discounts` folds them over `start`:
    acc -> greatest(acc * (1 - percent_off / 100) - amount_off / months_per_period, 0). -#}
{% macro discount_list(percent_off, amount_off, position, condition) -%}
    {{ return(adapter.dispatch("discount_list", "tally")(percent_off, amount_off, position, condition)) }}
{%- endmacro %}
{% macro duckdb__discount_list(percent_off, amount_off, position, condition) -%}
    list(
            {'percent_off': {{ percent_off }}::double, 'amount_off': {{ amount_off }}::double}
            order by {{ position }}
        ) filter (where {{ condition }})
{%- endmacro %}
{% macro spark__discount_list(percent_off, amount_off, position, condition) -%}
    case when count_if({{ condition }}) > 0 then transform(
            array_sort(collect_list(struct(
                {{ position }} as position,
                cast({{ percent_off }} as double) as percent_off,
                cast({{ amount_off }} as double) as amount_off
            )) filter (where {{ condition }})),
            d -> struct(d.percent_off as percent_off, d.amount_off as amount_off)
        ) end
{%- endmacro %}

{% macro apply_discounts(discounts, start, months_per_period) -%}
    {{ return(adapter.dispatch("apply_discounts", "tally")(discounts, start, months_per_period)) }}
{%- endmacro %}
{% macro duckdb__apply_discounts(discounts, start, months_per_period) -%}
    list_reduce(
                        coalesce({{ discounts }}, []),
                        lambda acc, d: greatest(
                            acc * (1 - coalesce(d.percent_off, 0) / 100)
                                - coalesce(d.amount_off, 0) / coalesce({{ months_per_period }}, 1),
                            0
                        ),
                        {{ start }}::double
                    )
{%- endmacro %}
{% macro spark__apply_discounts(discounts, start, months_per_period) -%}
    case when {{ discounts }} is null then cast({{ start }} as double) else aggregate(
        {{ discounts }},
        cast({{ start }} as double),
        (acc, d) -> greatest(
            acc * (1 - coalesce(d.percent_off, 0) / 100)
                - coalesce(d.amount_off, 0) / cast(coalesce({{ months_per_period }}, 1) as double),
            cast(0 as double)
        )
    ) end
{%- endmacro %}

{#- A JSON array held in a JSON (DuckDB) or JSON-text (Spark) value, as a list of JSON values:
    objects stay JSON (text on Spark), so tally.json_text & co. read them. NULL: empty. -#}
{% macro json_list(expr) -%}
    {{ return(adapter.dispatch("json_list", "tally")(expr)) }}
{%- endmacro %}
{% macro duckdb__json_list(expr) -%}
    cast(coalesce({{ expr }}, '[]') as json[])
{%- endmacro %}
{% macro spark__json_list(expr) -%}
    coalesce(from_json({{ expr }}, 'array<string>'), cast(array() as array<string>))
{%- endmacro %}

{#- Whether a JSON value (or its member at a dotted `path`) is an object. -#}
{% macro json_is_object(expr, path=none) -%}
    {{ return(adapter.dispatch("json_is_object", "tally")(expr, path)) }}
{%- endmacro %}
{% macro duckdb__json_is_object(expr, path) -%}
    {%- if path is none -%}
        json_type({{ expr }}) = 'OBJECT'
    {%- else -%}
        json_type({{ expr }}, '$.{{ path }}') = 'OBJECT'
    {%- endif -%}
{%- endmacro %}
{% macro spark__json_is_object(expr, path) -%}
    {%- if path is none -%}
        coalesce(substr(ltrim({{ expr }}), 1, 1) = '{', false)
    {%- else -%}
        coalesce(substr(ltrim(get_json_object({{ expr }}, '$.{{ path }}')), 1, 1) = '{', false)
    {%- endif -%}
{%- endmacro %}

{#- A JSON scalar's text (a string without its quotes), from an element of tally.json_list:
    on Spark a string element already is its text. -#}
{% macro json_scalar_text(expr) -%}
    {{ return(adapter.dispatch("json_scalar_text", "tally")(expr)) }}
{%- endmacro %}
{% macro duckdb__json_scalar_text(expr) -%}
    json_extract_string({{ expr }}, '$')
{%- endmacro %}
{% macro spark__json_scalar_text(expr) -%}
    {{ expr }}
{%- endmacro %}

{#- A JSON member at a dotted `path` as JSON (an object stays an object; text on Spark). -#}
{% macro json_member(expr, path) -%}
    {{ return(adapter.dispatch("json_member", "tally")(expr, path)) }}
{%- endmacro %}
{% macro duckdb__json_member(expr, path) -%}
    json_extract({{ expr }}, '$.{{ path }}')
{%- endmacro %}
{% macro spark__json_member(expr, path) -%}
    get_json_object({{ expr }}, '$.{{ path }}')
{%- endmacro %}

{#- A struct of named fields (`fields`: {name: SQL}, in order), which min() and max() compare
    field by field: min(ordered_row(...)) is the first row by its fields, in one aggregate
    state (a min_by per column keeps a key per column). NULL unless `when`. Keep the fields
    non-NULL: a NULL field sorts last on DuckDB and first on Spark. -#}
{% macro ordered_row(fields, when='true') -%}
    {{ return(adapter.dispatch("ordered_row", "tally")(fields, when)) }}
{%- endmacro %}
{% macro duckdb__ordered_row(fields, when) -%}
    case when {{ when }} then struct_pack(
        {%- for name, expr in fields.items() %}
        {{ name }} := {{ expr }}{{ "," if not loop.last }}
        {%- endfor %}
    ) end
{%- endmacro %}
{% macro spark__ordered_row(fields, when) -%}
    case when {{ when }} then named_struct(
        {%- for name, expr in fields.items() %}
        '{{ name }}', {{ expr }}{{ "," if not loop.last }}
        {%- endfor %}
    ) end
{%- endmacro %}
