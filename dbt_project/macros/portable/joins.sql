{#- The interval of `relation` (aliased `alias`) that holds `point`, per `key`:
    `left join` on `alias.key = key_expr` and `alias.from_col <= point < alias.to_col`. Only for
    intervals that never overlap within a key, and the caller still checks
    `point < alias.to_col` (as a DuckDB ASOF join finds the latest interval starting at or
    before the point, whether or not it has ended). DuckDB keeps its ASOF join (one pass over
    sorted inputs; a range join is quadratic per key there); Spark has no ASOF join. -#}
{% macro interval_left_join(relation, alias, key, key_expr, point, from_col, to_col) -%}
    {{ return(adapter.dispatch("interval_left_join", "tally")(relation, alias, key, key_expr, point, from_col, to_col)) }}
{%- endmacro %}
{% macro duckdb__interval_left_join(relation, alias, key, key_expr, point, from_col, to_col) -%}
    asof left join {{ relation }} as {{ alias }}
        on {{ alias }}.{{ key }} = {{ key_expr }}
        and {{ point }} >= {{ alias }}.{{ from_col }}
{%- endmacro %}
{% macro spark__interval_left_join(relation, alias, key, key_expr, point, from_col, to_col) -%}
    left join {{ relation }} as {{ alias }}
        on {{ alias }}.{{ key }} = {{ key_expr }}
        and {{ point }} >= {{ alias }}.{{ from_col }}
        and {{ point }} < {{ alias }}.{{ to_col }}
{%- endmacro %}
