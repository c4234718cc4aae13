-- Remove the job if it exists (cron.unschedule raises for an unknown name, so go by cron.job:
-- a second removal finds nothing and changes nothing).
select cron.unschedule(jobid) from cron.job where jobname = {job_name}::text;
