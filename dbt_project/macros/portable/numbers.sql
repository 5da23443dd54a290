{#- Decimal arithmetic. Spark keeps a product's full scale only while its precision
    (p1 + p2 + 1) fits in 38 digits; past that it rounds the product to as few as 6 places
    first, so a later cast to 4 places rounds twice (152.42774963 -> 152.427750 -> 152.4278).
    DuckDB multiplies decimal(38, 6) by decimal(18, 8) exactly (decimal(38, 14)). -#}

{#- The type an amount is cast to before it is multiplied by an FX rate (decimal(18, 8)). -#}
{% macro fx_amount_type() -%}
    {{ return(adapter.dispatch("fx_amount_type", "tally")()) }}
{%- endmacro %}
{% macro duckdb__fx_amount_type() -%}
    decimal(38, 6)
{%- endmacro %}
{% macro spark__fx_amount_type() -%}
    decimal(19, 6)
{%- endmacro %}
