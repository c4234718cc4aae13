-- What this database offers the pg_cron recipe: the scheduler, the HTTP call its job makes
-- (pg_net's net.http_post) and Supabase Vault for the secret.
select
  exists (select from pg_catalog.pg_extension where extname = 'pg_cron') as has_cron,
  pg_catalog.to_regprocedure('net.http_post(text,jsonb,jsonb,jsonb,integer)') is not null
    as has_net,
  pg_catalog.to_regprocedure('vault.create_secret(text,text,text,uuid)') is not null
    and pg_catalog.to_regclass('vault.decrypted_secrets') is not null as has_vault
