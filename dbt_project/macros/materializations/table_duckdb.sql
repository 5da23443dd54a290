{#- A table on DuckDB in one statement: `create or replace table ... as`, inside the model's
    transaction. dbt-duckdb's own materialization builds a `__dbt_tmp` table, looks up foreign
    keys and indexes, renames twice, commits and drops a backup: eight statements a model, most
    of a small model's time, paid by every table on every refresh. DuckDB replaces a table
    atomically within a transaction (a failed select leaves the old table, rolled back), so the
    rename dance buys nothing here. It applies none of foreign keys, indexes, grants, persisted
    docs, contracts or Python models, which this project does not use: a model that asks for one
    is refused, not built half right. Other engines (Spark) keep their adapter's materialization. -#}

{% materialization table, adapter="duckdb", supported_languages=["sql"] %}
    {%- set target_relation = this.incorporate(type="table") -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set unsupported = [] -%}
    {%- for option in ["grants", "indexes", "persist_docs", "partitioned_by", "sorted_by"] -%}
        {%- if config.get(option) -%}{%- do unsupported.append(option) -%}{%- endif -%}
    {%- endfor -%}
    {%- if model.contract.enforced -%}{%- do unsupported.append("contract") -%}{%- endif -%}
    {%- if unsupported -%}
        {{ exceptions.raise_compiler_error(
            "tally's table materialization does not apply " ~ unsupported | join(", ")
            ~ " (macros/materializations/table_duckdb.sql): use materialized='incremental' "
            ~ "or extend the macro") }}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if existing_relation is not none and not existing_relation.is_table %}
        {{ drop_relation_if_exists(existing_relation) }}
    {%- endif %}
    {% call statement("main") -%}
        create or replace table {{ target_relation }} as (
            {{ compiled_code }}
        )
    {%- endcall %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({"relations": [target_relation]}) }}
{% endmaterialization %}
