-- How many jobs of this name the current user has (pg_cron keeps names unique per user).
select count(*) from cron.job where jobname = %(job_name)s
