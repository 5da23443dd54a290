{#- Stripe amounts are in the currency's minor unit; zero-decimal currencies have none. -#}
{% macro zero_decimal_currencies() -%}
    ('bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv',
     'xaf', 'xof', 'xpf')
{%- endmacro %}

{% macro minor_to_major(amount, currency) -%}
    cast(
        case
            when lower({{ currency }}) in {{ tally.zero_decimal_currencies() }} then ({{ amount }})
            else ({{ amount }}) / 100
        end
        as decimal(18, 4)
    )
{%- endmacro %}
