"""Private foundation shared by ``theory``, ``montecarlo`` and ``hopfield_sim``.

The three public packages never import each other (``hopfield_sim`` orchestrates the other two
through their public faces); what they genuinely share lives here instead: the memory guard,
argument validators, the temperature/inverse-temperature conversion, progress reporting,
deprecation helpers and the one vocabulary of output names (``long_name`` / ``units``).

Nothing here is public API: names may change between releases without deprecation.
"""
