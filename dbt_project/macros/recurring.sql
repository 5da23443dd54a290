{#- Months covered by one billing period, and the factor that turns a per-period amount into
    a monthly one (KPIS.md `mrr`: year / 12, month / interval_count, week x 52 / 12,
    day x 365 / 12). NULL for an unknown interval. -#}
{% macro months_per_period(interval, interval_count) -%}
    case {{ interval }}
        when 'month' then 1.0 * {{ interval_count }}
        when 'year' then 12.0 * {{ interval_count }}
        when 'week' then 12.0 / 52 * {{ interval_count }}
        when 'day' then 12.0 / 365 * {{ interval_count }}
    end
{%- endmacro %}

{% macro monthly_factor(interval, interval_count) -%}
    case {{ interval }}
        when 'month' then 1.0 / {{ interval_count }}
        when 'year' then 1.0 / (12 * {{ interval_count }})
        when 'week' then 52.0 / 12 / {{ interval_count }}
        when 'day' then 365.0 / 12 / {{ interval_count }}
    end
{%- endmacro %}
