"""``python -m worksinprod``: the same as the ``worksinprod`` command."""

from worksinprod.cli import main

main()
