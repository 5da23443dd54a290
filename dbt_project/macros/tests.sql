{#- No dbt packages can be installed here: the few generic tests we need are written here. -#}

{#- A model's primary key: no two rows share the values of `columns`, and none of them is NULL
    (except the `nullable` ones, e.g. GA4's optional `ga_session_id`, where NULL is a value).
    Returns the offending keys with how many rows have them. -#}
{% test primary_key(model, columns, nullable=[]) %}
{%- set required = columns | reject('in', nullable) | list %}
select {{ columns | join(", ") }}, count(*) as n
from {{ model }}
group by {{ columns | join(", ") }}
having count(*) > 1
{%- if required %}
    or {% for column in required %}{{ column }} is null{% if not loop.last %} or {% endif %}{% endfor %}
{%- endif %}
{% endtest %}

{#- A column that is its model's key: unique and never NULL, in one scan and one dbt node (a
    `unique` and a `not_null` test were two of each). Returns each duplicated or NULL value with
    how many rows have it. -#}
{% test unique_key(model, column_name) %}
select {{ column_name }}, count(*) as n
from {{ model }}
group by {{ column_name }}
having count(*) > 1 or {{ column_name }} is null
{% endtest %}

{% test unique_combination(model, columns) %}
select {{ columns | join(", ") }}, count(*) as n
from {{ model }}
group by {{ columns | join(", ") }}
having count(*) > 1
{% endtest %}

{% test between(model, column_name, min_value=none, max_value=none) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and (
    {%- if min_value is not none %} {{ column_name }} < {{ min_value }} {%- else %} false {%- endif %}
    or {%- if max_value is not none %} {{ column_name }} > {{ max_value }} {%- else %} false {%- endif %}
  )
{% endtest %}

{#- A model's plausibility ranges, all in one test: a node per column cost dbt ~40 ms of its
    own each, far more than the scans. `ranges`: column -> [min, max] (null: unbounded); `row_label`:
    an expression naming a row (its period). One row per value out of its range, saying which
    KPI, where, and the range; the run's warning lists them (orchestration/check_results.py). -#}
{% test within_ranges(model, ranges, row_label) %}
{%- for column, bounds in ranges.items() %}
{%- set lower, upper = bounds[0], bounds[1] %}
{%- if not loop.first %}
union all
{%- endif %}
select
    '{{ column }}' as kpi,
    cast({{ row_label }} as string) as row_label,
    cast({{ column }} as double) as value,
    cast({{ 'null' if lower is none else lower }} as double) as lower_bound,
    cast({{ 'null' if upper is none else upper }} as double) as upper_bound
from {{ model }}
where {% if lower is not none %}{{ column }} < {{ lower }}{% else %}false{% endif %}
    or {% if upper is not none %}{{ column }} > {{ upper }}{% else %}false{% endif %}
{%- endfor %}
{% endtest %}

{#- Intervals [`start`, `end`) of one `key` neither empty nor overlapping: what makes a daily
    expansion of them (one row per key and day) unique, checked on the intervals instead of on
    their days. Returns each interval that is empty or overlaps the next one. -#}
{% test non_overlapping_intervals(model, key, start, end) %}
select *
from (
    select
        {{ key }},
        {{ start }},
        {{ end }},
        lead({{ start }}) over (partition by {{ key }} order by {{ start }}) as next_start
    from {{ model }}
) as intervals
where {{ end }} <= {{ start }} or {{ end }} > next_start
{% endtest %}
