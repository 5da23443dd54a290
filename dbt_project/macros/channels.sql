{#- Acquisition channels, one vocabulary everywhere (expenses.csv `channel` uses it too). -#}

{% macro hubspot_channel(source) -%}
    case upper({{ source }})
        when 'ORGANIC_SEARCH' then 'organic_search'
        when 'PAID_SEARCH' then 'paid_search'
        when 'PAID_SOCIAL' then 'paid_social'
        when 'SOCIAL_MEDIA' then 'organic_social'
        when 'EMAIL_MARKETING' then 'email'
        when 'REFERRALS' then 'referral'
        when 'DIRECT_TRAFFIC' then 'direct'
        when 'OTHER_CAMPAIGNS' then 'other_campaigns'
        when 'OFFLINE' then 'offline'
        else 'unknown'
    end
{%- endmacro %}

{#- GA4's default channel grouping, reduced to our vocabulary, from a session's source/medium. -#}
{% macro ga4_channel(source, medium) -%}
    case
        when {{ source }} is null and {{ medium }} is null then 'direct'
        when lower({{ source }}) = '(direct)' and lower(coalesce({{ medium }}, '(none)')) in ('(none)', '(not set)')
            then 'direct'
        when {{ tally.regex_contains('lower(' ~ medium ~ ')', '^(.*cp.*|ppc|retargeting|paid.*)$') }}
            and {{ tally.regex_contains('lower(' ~ source ~ ')', 'facebook|instagram|linkedin|twitter|x\\.com|tiktok|reddit|pinterest|youtube|social') }}
            then 'paid_social'
        when {{ tally.regex_contains('lower(' ~ medium ~ ')', '^(.*cp.*|ppc|retargeting|paid.*)$') }} then 'paid_search'
        when lower({{ medium }}) = 'organic' then 'organic_search'
        when {{ tally.regex_contains('lower(' ~ source ~ ')', 'facebook|instagram|linkedin|twitter|x\\.com|tiktok|reddit|pinterest|youtube|social') }}
            then 'organic_social'
        when {{ tally.regex_contains('lower(' ~ medium ~ ')', 'e-?mail') }} then 'email'
        when lower({{ medium }}) in ('referral', 'affiliate') then 'referral'
        else 'other'
    end
{%- endmacro %}
