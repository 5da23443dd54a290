select
    submission_id,
    contact_id,
    {{ tally.reporting_date('submitted_at') }} as submitted_day,
    response_value as score,
    case
        when response_value >= 9 then 'promoter'
        when response_value >= 7 then 'passive'
        else 'detractor'
    end as nps_category
from {{ ref('stg_hubspot__feedback_submissions') }}
where survey_type = 'NPS' and response_value between 0 and 10
