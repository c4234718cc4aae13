select pg_advisory_unlock(hashtext('worksinprod.migrate'))
