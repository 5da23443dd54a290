{#- Text helpers. -#}

{#- Whether `expr` contains a match of the regular expression `pattern` (a Python string of
    the pattern, written without SQL quoting); NULL for NULL. Spark string literals read
    backslash escapes, so its pattern's backslashes are doubled. -#}
{% macro regex_contains(expr, pattern) -%}
    {{ return(adapter.dispatch("regex_contains", "tally")(expr, pattern)) }}
{%- endmacro %}
{% macro duckdb__regex_contains(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}
{% macro spark__regex_contains(expr, pattern) -%}
    regexp_like({{ expr }}, '{{ pattern | replace("\\", "\\\\") }}')
{%- endmacro %}
