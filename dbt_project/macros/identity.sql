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

{#- A customer key as BI users see it: account ids and Stripe customer ids as they are, an
    email domain (a company's name, often a person's) replaced by a stable hash of it. -#}
{% macro published_customer_key(expr) -%}
    case
        when {{ expr }} like 'domain:%' then 'domain:' || left(md5({{ expr }}), 16)
        else {{ expr }}
    end
{%- endmacro %}
