"""Cross-source analysis, Qt-free: text reuse (passim-style seeds, candidate pairs, local
alignment, clusters, duplicate groups), quantities and their disagreements, mentions in
context, the entity x source matrix and the pathfinder dossier.

The index run calls :func:`explorer.compare.reuse.update` inside its atomic commit; readers
use :class:`explorer.compare.analysis.Analysis`.
"""

