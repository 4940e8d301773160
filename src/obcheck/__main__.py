"""Entry point for `python -m obcheck`."""

from obcheck.cli import main

main()
