"""The scoring module; starts with its inputs: per agency and year, the plain tables the
scores of 履职时效度 and 履职全面度 are computed from (``inputs``)."""
