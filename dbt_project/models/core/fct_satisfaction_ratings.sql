select
    satisfaction_rating_id,
    ticket_id,
    score,
    {{ tally.reporting_date('created_at') }} as rated_day
from {{ ref('stg_zendesk__satisfaction_ratings') }}
where score in ('good', 'bad', 'good_with_comment', 'bad_with_comment')
