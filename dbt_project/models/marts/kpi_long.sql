{{ config(tags=['monthly'], **tally.long_view_config()) }}
{#- A view on DuckDB (no copy of the wide marts); a table on Spark, whose marts are published
    from their Parquet files (orchestration/spark_engine.py) and whose Derby metastore cannot
    hold this view's SQL (portable/incremental.sql, long_view_config). -#}
{#- The KPI tables, long: one row per KPI, grain, period and segment, for BI tools that pivot.
    Generated from the wide marts' columns, so a KPI added there appears here. -#}

{%- set sources = [
    (ref('kpi_daily'), 'day', 'date', 'all', "'all'"),
    (ref('kpi_monthly'), 'month', 'month', 'all', "'all'"),
    (ref('kpi_by_channel_monthly'), 'month', 'month', 'channel', 'channel'),
] -%}
{%- set keys = ['date', 'month', 'channel', 'as_of_date'] -%}

{%- if execute %}
{%- for relation, grain, period_column, segment, segment_value in sources %}
{%- set kpis = adapter.get_columns_in_relation(relation) | map(attribute='name')
              | reject('in', keys) | list %}
{#- One scan per wide mart: each row meets the list of its KPI names, and a CASE picks the
    named column (a union of one select per KPI costs Spark a plan of a hundred scans). #}
select
    k.kpi_name,
    '{{ grain }}' as grain,
    {{ period_column }} as period_start,
    '{{ segment }}' as segment,
    {{ segment_value }} as segment_value,
    case k.kpi_name
        {%- for kpi in kpis %}
        when '{{ kpi }}' then cast({{ adapter.quote(kpi) }} as double)
        {%- endfor %}
    end as kpi_value
from {{ relation }}
cross join (values {% for kpi in kpis %}('{{ kpi }}'){% if not loop.last %}, {% endif %}{% endfor %}) as k(kpi_name)
{% if not loop.last %}union all{% endif %}
{%- endfor %}
{%- else %}
select
    cast(null as string) as kpi_name, cast(null as string) as grain,
    cast(null as date) as period_start, cast(null as string) as segment,
    cast(null as string) as segment_value, cast(null as double) as kpi_value
{%- endif %}
