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

{#- Spark writes no file for a partitioned table without rows, so a reader of the Parquet alone
    (the publish, through DuckDB) could not tell an empty mart's columns. After every build,
    this records each mart's columns and types in `tally_meta.mart_columns` (a plain Parquet
    table: it always has a file). Run as the project's `on-run-end` hook; DuckDB: a no-op. -#}
{% macro record_mart_columns() -%}
    {{ return(adapter.dispatch("record_mart_columns", "tally")()) }}
{%- endmacro %}

{% macro default__record_mart_columns() -%}
    select 1
{%- endmacro %}

{% macro spark__record_mart_columns() -%}
    {%- if execute -%}
        {%- set rows = [] -%}
        {%- for node in graph.nodes.values()
                if node.resource_type == "model" and node.schema == "marts" -%}
            {%- set relation = adapter.get_relation(database=none, schema="marts",
                                                    identifier=node.alias) -%}
            {%- if relation is not none -%}
                {%- for column in adapter.get_columns_in_relation(relation) -%}
                    {%- do rows.append("('" ~ node.alias ~ "', " ~ loop.index ~ ", '"
                                       ~ column.name ~ "', '" ~ column.data_type ~ "')") -%}
                {%- endfor -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if rows -%}
            {%- do run_query("create database if not exists tally_meta") -%}
            {%- do run_query("drop table if exists tally_meta.mart_columns") -%}
            {%- do run_query("create table tally_meta.mart_columns using parquet as select * from "
                             ~ "values " ~ rows | join(", ")
                             ~ " as t(table_name, position, column_name, data_type)") -%}
        {%- endif -%}
    {%- endif -%}
    select 1
{%- endmacro %}
