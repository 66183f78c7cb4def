"""Starts the toypkg program from a script beside it (its folder is sys.path[0])."""

import sys

from toypkg.train import main

sys.exit(main(sys.argv[1:]))
