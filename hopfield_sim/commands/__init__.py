"""Sub-commands of the ``hopfield-sim`` command line (one module each)."""
