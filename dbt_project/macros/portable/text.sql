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

{#- A 64-bit hash of a text (DuckDB hash(), Spark xxhash64()): only to find candidate repeats
    cheaply; equal hashes are confirmed on the text itself. -#}
{% macro text_hash(expr) -%}
    {{ return(adapter.dispatch("text_hash", "tally")(expr)) }}
{%- endmacro %}
{% macro duckdb__text_hash(expr) -%}
    hash({{ expr }})
{%- endmacro %}
{% macro spark__text_hash(expr) -%}
    xxhash64({{ expr }})
{%- endmacro %}
