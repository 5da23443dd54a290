{#- The window a refresh rebuilds, read from `raw.pending_partitions`: the day partitions loaded
    since the last successful build (ingestion/pending.py). Reading it from the database, not
    from dbt vars, keeps the vars constant, so dbt's partial parse is reused run after run, and
    a build that failed leaves its days pending for the next one.

    `day`: the first and last pending GA4 day (the day-grain models are GA4's).
    `month`: the first pending day's month (any source) through the latest loaded day's month
    (every stock KPI after a changed day moves).
    Nothing pending gives an empty window (start after end): the refresh rewrites nothing.
    Without the table, on a model's first build, or with `--full-refresh`, a windowed model
    builds everything: the window only narrows an incremental refresh. -#}

{% macro window_bounds(kind='day', source=none, object=none) -%}
    {%- if not (execute and is_incremental()) -%}
        {{ return(none) }}
    {%- endif -%}
    {#- none without the table: build everything -#}
    {{ return(tally.pending_window(kind, source, object)) }}
{%- endmacro %}

{#- The pending window as ('YYYY-MM-DD', 'YYYY-MM-DD'), whatever the model's state; `kind`
    'object': the pending days of one raw object (`source`, `object`). -#}
{% macro pending_window(kind='day', source=none, object=none) -%}
    {#- Spark has no database level (its schema is the database): no `database` there -#}
    {%- set table = adapter.get_relation(database=target.get('database'), schema='raw',
                                         identifier='pending_partitions') -%}
    {%- if table is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if kind == 'day' -%}
        {%- set sql -%}
            select min(partition_date), max(partition_date)
            from raw.pending_partitions where source = 'ga4'
        {%- endset -%}
    {%- elif kind == 'object' -%}
        {%- set sql -%}
            select min(partition_date), max(partition_date) from raw.pending_partitions
            where source = '{{ source }}' and object = '{{ object }}'
        {%- endset -%}
    {%- else -%}
        {%- set sql -%}
            select date_trunc('month', min(p.partition_date))::date,
                   date_trunc('month', greatest(max(p.partition_date),
                       (select max(partition_date) from raw.load_audit)))::date
            from raw.pending_partitions as p
        {%- endset -%}
    {%- endif -%}
    {%- set row = run_query(sql).rows[0] -%}
    {%- if row[0] is none -%}
        {{ return(('9999-12-31', '0001-01-01')) }}
    {%- endif -%}
    {{ return((row[0] | string, row[1] | string)) }}
{%- endmacro %}

{#- The landed days of one raw object (`source`, `object`) that an incremental refresh
    re-reads: its first through last pending day, as ('YYYY-MM-DD', 'YYYY-MM-DD'); an empty
    window (start after end) when none of its days is pending; none (everything) on a model's
    first build, with --full-refresh, on a table materialization (Spark) or without the
    table. -#}
{% macro object_window(source, object) -%}
    {{ return(tally.window_bounds('object', source, object)) }}
{%- endmacro %}

{#- `column` (a landed day) falls in the object's window; `true` when the model builds
    everything. -#}
{% macro in_object_window(column, source, object) -%}
    {{ tally.in_days(column, tally.object_window(source, object)) }}
{%- endmacro %}

{#- Pre-hook of a model incremental by an object's landed day: drop the window's rows. -#}
{% macro delete_object_window(column, source, object) -%}
    {{ tally.delete_days(column, tally.object_window(source, object)) }}
{%- endmacro %}

{#- `column` falls within `bounds` (a pair of days); `true` when `bounds` is none. -#}
{% macro in_days(column, bounds) -%}
    {%- if bounds is none -%}
        true
    {%- else -%}
        {{ column }} between date '{{ bounds[0] }}' and date '{{ bounds[1] }}'
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook: drop the rows within `bounds`; nothing when the model builds everything or the
    engine replaces whole partitions. -#}
{% macro delete_days(column, bounds) -%}
    {%- if bounds is not none and not tally.replaces_partitions() -%}
        delete from {{ this }} where {{ tally.in_days(column, bounds) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- The subscription versions (by valid_from_date, their landed day) whose items a refresh
    rebuilds: the pending subscription days; every version when a price landed too (an item
    without an embedded price takes it from stg_stripe__prices); none: everything. -#}
{% macro subscription_version_window() -%}
    {%- set versions = tally.object_window('stripe', 'subscriptions') -%}
    {%- if versions is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set prices = tally.object_window('stripe', 'prices') -%}
    {%- if prices[0] <= prices[1] -%}
        {{ return(('0001-01-01', '9999-12-31')) }}
    {%- endif -%}
    {{ return(versions) }}
{%- endmacro %}

{#- Post-hook of stg_stripe__subscription_history on a refresh: a version ends the day the
    next one of its subscription takes effect, and a window's versions move the ends of their
    neighbours outside it (a late version ends an older one; a withdrawn one un-ends it). The
    ends are recomputed over the whole history and only the rows whose end changed are
    written: the same rows as a full build's `lead()`. -#}
{% macro restate_version_ends() -%}
    {%- if tally.object_window('stripe', 'subscriptions') is none
          or tally.replaces_partitions() -%}
        select 1
    {%- else -%}
        update {{ this }} as t
        set valid_to_date = n.next_valid_from, is_latest = n.next_valid_from is null
        from (
            select
                subscription_id,
                valid_from_date,
                lead(valid_from_date) over (
                    partition by subscription_id order by valid_from_date
                ) as next_valid_from
            from {{ this }}
        ) as n
        where t.subscription_id is not distinct from n.subscription_id
          and t.valid_from_date = n.valid_from_date
          and (t.valid_to_date is distinct from n.next_valid_from
               or t.is_latest is distinct from (n.next_valid_from is null))
    {%- endif -%}
{%- endmacro %}

{#- Tests on windowed models check the rows this refresh wrote: their `where` config says
    `<column> >= __pending_since__` (generic test configs cannot call project macros), and this
    override of dbt's macro puts the first pending GA4 day there (no table: every row). -#}
{% macro get_where_subquery(relation) -%}
    {%- set where = config.get('where') -%}
    {%- if where and '__pending_since__' in where -%}
        {%- set window = tally.pending_window('day') if execute else none -%}
        {%- set since = "date '" ~ window[0] ~ "'" if window is not none else "date '0001-01-01'" -%}
        {%- set where = where | replace('__pending_since__', since) -%}
    {%- endif -%}
    {%- if where -%}
        {%- do return("(select * from " ~ relation ~ " where " ~ where ~ ") dbt_subquery") -%}
    {%- endif -%}
    {%- do return(relation) -%}
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

{#- Pre-hook of a windowed model: drop the rows the refresh rebuilds. A no-op where the
    refresh replaces whole partitions instead (Spark: portable/incremental.sql). -#}
{% macro delete_window(column, kind='day', before=0, after=0) -%}
    {%- if tally.window_bounds(kind) is not none and not tally.replaces_partitions() -%}
        delete from {{ this }} where {{ tally.in_window(column, kind, before, after) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- Pre-hook of fct_web_sessions: drop every session the window's events touch. -#}
{% macro delete_sessions_in_window() -%}
    {%- set bounds = tally.window_bounds() -%}
    {%- if bounds is none or tally.replaces_partitions() -%}
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
    from {{ tally.day_series("date '" ~ tally.window_bounds()[0] ~ "' - 3",
                             "date '" ~ tally.window_bounds()[1] ~ "'", 't', 'd', lateral=false) }}
{%- endmacro %}

{% macro delete_active_days_in_window(column='activity_day') -%}
    {%- if tally.window_bounds() is none or tally.replaces_partitions() -%}
        select 1
    {%- else -%}
        delete from {{ this }} where {{ column }} in ({{ tally.active_days_in_window() }})
    {%- endif -%}
{%- endmacro %}

{#- The first period (a month's first day) whose web KPIs a refresh can move: the month of the
    earliest day whose GA4 facts it rebuilds (`active_days_in_window`: the days of the window's
    events and the 3 days before the window), of the earliest session those events belong to
    (a session that crossed midnight), or of its first pending day of any source (the calendar
    grows from there). Nothing pending: 9999-12-01, no period. none: every period (first
    build, full refresh, no pending table). Models calling it ref stg_ga4__events and
    fct_web_sessions. -#}
{% macro web_periods_since() -%}
    {%- set days = tally.window_bounds('day') -%}
    {%- if days is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set sql -%}
        select cast(date_trunc('month', least(
            (select min(event_day) from ({{ tally.active_days_in_window() }}) as rebuilt(event_day)),
            (select min(session_day) from {{ ref('fct_web_sessions') }}
             where last_landed_date >= date '{{ days[0] }}'),
            date '{{ tally.window_bounds('month')[0] }}')) as date)
    {%- endset -%}
    {{ return(run_query(sql).rows[0][0] | string) }}
{%- endmacro %}

{#- Pre-hook of int_kpi_web: drop the periods the refresh rewrites. -#}
{% macro delete_web_periods() -%}
    {%- set since = tally.web_periods_since() -%}
    {%- if since is none or tally.replaces_partitions() -%}
        select 1
    {%- else -%}
        delete from {{ this }} where period_start >= date '{{ since }}'
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
    {%- else %}
    {#- by name: a Spark table holds its partition column last -#}
    {%- set columns = adapter.get_columns_in_relation(this) | map(attribute='quoted')
                      | join(', ') -%},

changed_months as (
    select {{ column }} from final
    where {{ column }} between date '{{ bounds[0] }}' and date '{{ bounds[1] }}'
    union
    select {{ column }} from (
        select {{ columns }} from final except select {{ columns }} from {{ this }}
    ) as added
    union
    select {{ column }} from (
        select {{ columns }} from {{ this }} except select {{ columns }} from final
    ) as removed
)

select * from final where {{ column }} in (select {{ column }} from changed_months)
    {%- endif %}
{%- endmacro %}

