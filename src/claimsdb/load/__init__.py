"""Loading: make the database say what the seeds say, in one transaction.

- `write`: a validated SeedBundle written into the database (load_bundle), and what the last
  load left (stored_seeds, for a load that reads only the changed files).
- `stream`: a first load's claims written while the files are still being parsed.
- `first`: a first load opens its database once its worker processes are parsing.

The package itself imports nothing: the ORM and the models come with `write`, which a first load
imports only after its workers have started.
"""
