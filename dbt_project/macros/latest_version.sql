{#- Keep one row per id: the latest version by the vendor's update time, then by file date,
    then by line order (LANDING.md). `updated_at` may be 'null' for vendors without one. -#}
{% macro latest_version(id, updated_at="null") -%}
    qualify row_number() over (
        partition by {{ id }}
        order by
            {{ updated_at }} desc nulls last,
            _partition_date desc,
            _file desc,
            _line_number desc
    ) = 1
{%- endmacro %}
