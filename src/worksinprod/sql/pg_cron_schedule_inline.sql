-- Without Vault the bearer token sits in the job's command: cron.job shows it to its owner and
-- to superusers only. cron.schedule with a job name that exists replaces that job's schedule
-- and command: a rerun never adds a second job.
select cron.schedule(
  {job_name}::text,
  {schedule}::text,
  $job$select net.http_post(
  url := $job$ || quote_literal({url}::text) || $job$,
  headers := jsonb_build_object(
    'Content-Type', 'application/json',
    'Authorization', $job$ || quote_literal('Bearer ' || {secret}::text) || $job$
  ),
  body := jsonb_build_object(),
  timeout_milliseconds := 30000
)$job$
);
