-- The secret goes to Supabase Vault (replaced if there, created if not); the job reads it at
-- every run, so cron.job never holds it. cron.schedule with a job name that exists replaces
-- that job's schedule and command: a rerun never adds a second job.
select vault.update_secret(id, {secret}::text)
from vault.secrets
where name = {vault_name}::text;

select vault.create_secret(
  {secret}::text, {vault_name}::text, 'Works in Prod: the heartbeat function''s CRON_SECRET'
)
where not exists (select from vault.secrets where name = {vault_name}::text);

select cron.schedule(
  {job_name}::text,
  {schedule}::text,
  $job$select net.http_post(
  url := $job$ || quote_literal({url}::text) || $job$,
  headers := jsonb_build_object(
    'Content-Type', 'application/json',
    'Authorization', 'Bearer ' || (
      select decrypted_secret from vault.decrypted_secrets where name = $job$
      || quote_literal({vault_name}::text) || $job$
    )
  ),
  body := jsonb_build_object(),
  timeout_milliseconds := 30000
)$job$
);
