-- One migrator at a time per database: a second waits here, then finds nothing pending.
select pg_advisory_lock(hashtext('worksinprod.migrate'))
