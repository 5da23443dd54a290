{#- Where the models find `raw.*`. DuckDB reads the loader's tables in the pipeline database
    itself. Spark reads the same tables as Parquet (ingestion/raw_parquet.py writes them under
    `<spark_dir>/raw/<table>/`): each run starts by (re)declaring every raw table over its folder,
    so the session sees the files as they are now. Run as the project's `on-run-start` hook. -#}

{% macro register_raw_layer() -%}
    {{ return(adapter.dispatch("register_raw_layer", "tally")()) }}
{%- endmacro %}

{% macro default__register_raw_layer() -%}
    select 1
{%- endmacro %}

{% macro spark__register_raw_layer() -%}
    {%- if execute -%}
        {%- do run_query("create database if not exists raw") -%}
        {%- set tables = [] -%}
        {%- for node in graph.sources.values() if node.schema == "raw" -%}
            {%- if node.identifier not in tables -%}{%- do tables.append(node.identifier) -%}{%- endif -%}
        {%- endfor -%}
        {%- for table in tables -%}
            {%- set path = var("spark_dir") ~ "/raw/" ~ table -%}
            {#- External tables (a path): dropping one never deletes its files. -#}
            {%- do run_query("drop table if exists raw." ~ table) -%}
            {%- do run_query("create table raw." ~ table ~ " using parquet options (path '"
                             ~ path ~ "', recursiveFileLookup 'true')") -%}
        {%- endfor -%}
    {%- endif -%}
    select 1
{%- endmacro %}
