"""Replica-symmetric equations per model family (docs/models.md §3-4).

* :mod:`theory.rs.ags`: classic P = 2 (Amit-Gutfreund-Sompolinsky), with data;
* :mod:`theory.rs.dense`: dense P >= 4 (and every P at low storage);
* :mod:`theory.rs.lowstorage`: T = 0 closed forms and symmetric mixtures;
* :mod:`theory.rs.stability`: linear stability of RS fixed points;
* :mod:`theory.rs.at`: de Almeida-Thouless (replicon) stability and the AT line;
* :mod:`theory.rs.branch`: following the retrieval branch to its end;
* :mod:`theory.rs.fixed_point` and :mod:`theory.rs.grid`: the fixed-point solver and the
  vectorised kernel behind ``theory.solve``.
"""
