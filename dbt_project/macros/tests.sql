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
