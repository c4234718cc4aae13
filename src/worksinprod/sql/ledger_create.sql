-- The Supabase CLI's migration ledger, created exactly as the CLI creates it, so that
-- `worksinprod migrate` and `supabase migration up` / `supabase db push` agree on what ran.
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
alter table supabase_migrations.schema_migrations add column if not exists statements text[];
alter table supabase_migrations.schema_migrations add column if not exists name text;
