{#- Schemas are the contract (`staging`, `core`, `marts`): use the configured name as-is. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
