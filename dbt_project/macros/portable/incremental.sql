{#- How a windowed model replaces the part of it that a refresh rebuilds (partition_window.sql
    computes the window).

    DuckDB: `append` after a pre-hook that deletes the window's rows (day models), or
    `delete+insert` on the month (month marts), as before.
    Spark (parquet, no DELETE, no `merge` offline): `insert_overwrite` with the day or month
    column as partition; dynamic partition overwrite replaces exactly the partitions present in
    the model's select, so a windowed select emits every row of each partition it touches and
    the delete pre-hooks are no-ops. The partition column is moved last in the Spark table.
    One difference remains, in the day models: a day of the window that has no rows at all any
    more (a re-landed file that lost every event of a day) keeps its old rows on Spark, since
    no partition is written for it; DuckDB's pre-hook deletes them. A full refresh clears them.
    (Month marts behave alike on both: neither engine deletes a month the select leaves out.)

    Use: {{ config(on_schema_change='fail', tags=[...],
                   **tally.windowed_config('landed_date', pre_hook="{{ tally.delete_window('landed_date') }}")) }}
    `grain='month'`: a month mart (`column` is its unique month). `spark_table=true`: a model
    whose window is not whole partitions (fct_web_sessions): a full `table` on Spark. -#}

{% macro windowed_config(column, pre_hook=none, grain='day', spark_table=false) -%}
    {{ return(adapter.dispatch("windowed_config", "tally")(column, pre_hook, grain, spark_table)) }}
{%- endmacro %}

{% macro duckdb__windowed_config(column, pre_hook, grain, spark_table) -%}
    {%- if grain == 'month' -%}
        {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert',
                   'unique_key': column}) }}
    {%- else -%}
        {%- set config = {'materialized': 'incremental', 'incremental_strategy': 'append'} -%}
        {%- if pre_hook is not none -%}
            {%- do config.update({'pre_hook': pre_hook}) -%}
        {%- endif -%}
        {{ return(config) }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__windowed_config(column, pre_hook, grain, spark_table) -%}
    {%- if spark_table -%}
        {{ return({'materialized': 'table', 'file_format': 'parquet'}) }}
    {%- endif -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'insert_overwrite',
               'partition_by': [column], 'file_format': 'parquet'}) }}
{%- endmacro %}

{#- Whether a windowed refresh replaces whole partitions (no delete pre-hook needed). -#}
{% macro replaces_partitions() -%}
    {{ return(adapter.dispatch("replaces_partitions", "tally")()) }}
{%- endmacro %}
{% macro duckdb__replaces_partitions() -%}
    {{ return(false) }}
{%- endmacro %}
{% macro spark__replaces_partitions() -%}
    {{ return(true) }}
{%- endmacro %}

{#- kpi_long: a view on DuckDB; a table on Spark, whose marts are published from their Parquet
    files (a view has none), and whose Hive metastore on Derby keeps at most 32,700 characters
    of a view's SQL. -#}
{% macro long_view_config() -%}
    {{ return(adapter.dispatch("long_view_config", "tally")()) }}
{%- endmacro %}
{% macro duckdb__long_view_config() -%}
    {{ return({'materialized': 'view'}) }}
{%- endmacro %}
{% macro spark__long_view_config() -%}
    {{ return({'materialized': 'table', 'file_format': 'parquet'}) }}
{%- endmacro %}
