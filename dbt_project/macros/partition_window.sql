{#- The partition window a run refreshes, set by the Dagster partition through dbt vars:
    `partition_start` / `partition_end` (days, inclusive) for the day-grain models,
    `month_start` / `month_end` (first days of months, inclusive) for the month-grain marts.

    Without the vars (a plain `dbt build`), or on a model's first build, or with
    `--full-refresh`, a windowed model builds everything: the window only narrows an
    incremental refresh. -#}

{% macro window_bounds(kind='day') -%}
    {%- set names = {'day': ('partition_start', 'partition_end'),
                     'month': ('month_start', 'month_end')}[kind] -%}
    {%- set start, end = var(names[0], none), var(names[1], none) -%}
    {%- if is_incremental() and start and end -%}
        {{ return((start, end)) }}
    {%- else -%}
        {{ return(none) }}
    {%- endif -%}
{%- endmacro %}

{#- `column` falls inside the window, widened by `before` / `after` days; `true` when the
    model builds everything. -#}
{% macro in_window(column, kind='day', before=0, after=0) -%}
    {%- set bounds = tally.window_bounds(kind) -%}
    {%- if bounds is none -%}
        true
    {%- else -%}
        {{ column }} between date '{{ bounds[0] }}' - {{ before }}
                         and date '{{ bounds[1] }}' + {{ after }}
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of a windowed model: drop the rows the refresh rebuilds. -#}
{% macro delete_window(column, kind='day', before=0, after=0) -%}
    {%- if tally.window_bounds(kind) is not none -%}
        delete from {{ this }} where {{ tally.in_window(column, kind, before, after) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of fct_web_sessions: drop every session the window's events touch. -#}
{% macro delete_sessions_in_window() -%}
    {%- set bounds = tally.window_bounds() -%}
    {%- if bounds is none -%}
        select 1
    {%- else -%}
        delete from {{ this }} as s
        where (s.first_landed_date <= date '{{ bounds[1] }}'
               and s.last_landed_date >= date '{{ bounds[0] }}')
           or exists (
                select 1 from {{ ref('stg_ga4__events') }} as e
                where {{ tally.in_window('e.landed_date') }}
                  and e.user_pseudo_id = s.user_pseudo_id
                  and e.ga_session_id is not distinct from s.ga_session_id
           )
    {%- endif -%}
{%- endmacro %}

{#- The activity days a day-window refresh of fct_active_users_daily rebuilds. -#}
{% macro active_days_in_window() -%}
    select distinct event_day from {{ ref('stg_ga4__events') }}
    where {{ tally.in_window('landed_date') }} and event_day is not null
    union
    select cast(d as date)
    from generate_series(date '{{ tally.window_bounds()[0] }}' - 3,
                         date '{{ tally.window_bounds()[1] }}', interval 1 day) as t(d)
{%- endmacro %}

{% macro delete_active_days_in_window() -%}
    {%- if tally.window_bounds() is none -%}
        select 1
    {%- else -%}
        delete from {{ this }} where activity_day in ({{ tally.active_days_in_window() }})
    {%- endif -%}
{%- endmacro %}

{#- The closing select of a month-grain mart, after its `final` CTE. A month-window refresh
    writes the window's months plus any earlier month whose rows changed (a late cancellation
    restates its period; cohort KPIs reach back a year), so the mart always equals a full
    rebuild while an unchanged month is left alone. -#}
{% macro month_window_select(column='month') -%}
    {%- set bounds = tally.window_bounds('month') -%}
    {%- if bounds is none %}
select * from final
    {%- else %},

changed_months as (
    select {{ column }} from final
    where {{ column }} between date '{{ bounds[0] }}' and date '{{ bounds[1] }}'
    union
    select {{ column }} from (select * from final except select * from {{ this }})
    union
    select {{ column }} from (select * from {{ this }} except select * from final)
)

select * from final where {{ column }} in (select {{ column }} from changed_months)
    {%- endif %}
{%- endmacro %}

