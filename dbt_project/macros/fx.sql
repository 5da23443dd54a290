{#- Conversion to the reporting currency at the day's rate from finance/fx_rates.csv.
    A missing rate stops the build with an error naming the currency and the day: it is never
    silently 1.0 (KPIS.md, Conventions). Use with a left join to ref('int_fx_rates') aliased
    `fx` on (currency, rate_date). -#}
{% macro fx_join(currency, on_date, alias="fx") -%}
    left join {{ ref('int_fx_rates') }} as {{ alias }}
        on {{ alias }}.currency = upper({{ currency }})
        and {{ alias }}.rate_date = {{ on_date }}
{%- endmacro %}

{#- The exact product rounded half away from zero to 4 places. `round` first: the same value as
    casting the product (decimal(38, 14) on DuckDB) straight to decimal(18, 4), whose rescale
    of 128-bit integers costs DuckDB ~0.3 s per 2M amounts, round's a third of that. -#}
{% macro to_reporting(amount, currency, on_date, alias="fx") -%}
    cast(round(cast({{ amount }} as {{ tally.fx_amount_type() }}) * case
        when upper({{ currency }}) = '{{ var("reporting_currency") | upper }}' then 1
        when {{ alias }}.rate_to_reporting is not null then {{ alias }}.rate_to_reporting
        when {{ amount }} is null or {{ amount }} = 0 then 0
        else {{ tally.raise_missing_fx(currency, on_date) }}
    end, 4) as decimal(18, 4))
{%- endmacro %}

{% macro raise_missing_fx(currency, on_date) -%}
    {{ return(adapter.dispatch("raise_missing_fx", "tally")(currency, on_date)) }}
{%- endmacro %}
{% macro duckdb__raise_missing_fx(currency, on_date) -%}
    error('missing FX rate: no rate for ' || upper({{ currency }}) || ' on '
          || cast({{ on_date }} as varchar)
          || ' in finance/fx_rates.csv (reporting currency {{ var("reporting_currency") | upper }})')
{%- endmacro %}
{% macro spark__raise_missing_fx(currency, on_date) -%}
    raise_error('missing FX rate: no rate for ' || upper({{ currency }}) || ' on '
          || cast({{ on_date }} as string)
          || ' in finance/fx_rates.csv (reporting currency {{ var("reporting_currency") | upper }})')
{%- endmacro %}
