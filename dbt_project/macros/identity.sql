{#- Email domains that identify a person, not a company: never used to match accounts. -#}
{% macro free_mail_domains() -%}
    ('gmail.com', 'googlemail.com', 'outlook.com', 'hotmail.com', 'live.com', 'msn.com',
     'yahoo.com', 'yahoo.co.uk', 'ymail.com', 'icloud.com', 'me.com', 'mac.com', 'aol.com',
     'proton.me', 'protonmail.com', 'gmx.com', 'gmx.de', 'web.de', 'mail.com', 'yandex.com',
     'zoho.com', 'qq.com', '163.com')
{%- endmacro %}

{% macro company_domain(expr) -%}
    case when {{ expr }} not in {{ tally.free_mail_domains() }} then {{ expr }} end
{%- endmacro %}
