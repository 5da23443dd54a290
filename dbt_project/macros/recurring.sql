{#- Months covered by one billing period, and the factor that turns a per-period amount into
    a monthly one (KPIS.md `mrr`: year / 12, month / interval_count, week x 52 / 12,
    day x 365 / 12). NULL for an unknown interval. In double on both engines (Spark divides
    decimal literals in decimal, to 6 places). -#}
{% macro months_per_period(interval, interval_count) -%}
    case {{ interval }}
        when 'month' then cast(1 as double) * {{ interval_count }}
        when 'year' then cast(12 as double) * {{ interval_count }}
        when 'week' then cast(12 as double) / 52 * {{ interval_count }}
        when 'day' then cast(12 as double) / 365 * {{ interval_count }}
    end
{%- endmacro %}

{% macro monthly_factor(interval, interval_count) -%}
    case {{ interval }}
        when 'month' then cast(1 as double) / {{ interval_count }}
        when 'year' then cast(1 as double) / (12 * {{ interval_count }})
        when 'week' then cast(52 as double) / 12 / {{ interval_count }}
        when 'day' then cast(365 as double) / 12 / {{ interval_count }}
    end
{%- endmacro %}
