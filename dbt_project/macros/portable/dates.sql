{#- Date series. DuckDB: the table function `generate_series` (timestamps); Spark:
    `explode(sequence(...))` (dates), `lateral` when it reads columns of the tables before it. -#}

{#- A FROM-clause item: one row per day from `start` to `end` (both included), as
    `alias(column)`; cast the column to date. `lateral`: it reads earlier FROM items (write it
    after a comma). -#}
{% macro day_series(start, end, alias, column, lateral=true) -%}
    {{ return(adapter.dispatch("day_series", "tally")(start, end, alias, column, lateral)) }}
{%- endmacro %}
{% macro duckdb__day_series(start, end, alias, column, lateral) -%}
    generate_series({{ start }}, {{ end }}, interval 1 day) as {{ alias }}({{ column }})
{%- endmacro %}
{% macro spark__day_series(start, end, alias, column, lateral) -%}
    {% if lateral %}lateral {% endif %}explode(sequence({{ start }}, {{ end }}, interval 1 day)) as {{ alias }}({{ column }})
{%- endmacro %}
