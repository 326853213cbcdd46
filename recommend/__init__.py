"""Recommendations: collaborator and mentor suggestions (DESIGN.md §6, METRICS.md §5).

Collaborator suggestions (link prediction on a temporal split, METRICS.md R1–R5, R7):

* :mod:`recommend.history` — :class:`~recommend.history.TieHistory`, interactions,
  profiles and memberships as columns; :mod:`recommend.snapshot` — its state as of a cut
  (nothing after the cut is read);
* :mod:`recommend.candidates` — who may be suggested (2–3 hops, topics, co-members, a
  cross-group pool; never a tie, never an opted-out person);
* :mod:`recommend.features` — the pair features (CN, Adamic–Adar, RA, Jaccard, PA,
  TF-IDF topics, boundary, activity, tenure, roles, distance), on
  :mod:`recommend.sparse_ops`;
* :mod:`recommend.training`, :mod:`recommend.model` — the scikit-learn
  :class:`~recommend.model.CollaboratorModel` (``fit(history, cut)``,
  ``recommend(person, k)``, ``recommend_all(k)`` via :mod:`recommend.batch`), each
  :class:`~recommend.suggestion.Suggestion` with its facts;
* :mod:`recommend.rerank` — boundary-aware re-ranking (R5);
* :mod:`recommend.evaluate`, :mod:`recommend.metrics` — the offline evaluation (R4)
  against the random, preferential-attachment, common-neighbours and Adamic–Adar baselines.

The package never touches a store: callers hand it the store's arrays and records.
"""
