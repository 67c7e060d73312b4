"""``python -m assetopt.cli``: what manage.py assetopt runs in its child process."""

from . import main

main()
