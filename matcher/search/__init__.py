"""Bilingual full-text search over the directory (Whoosh index, offline query understanding,
BM25 over cached postings in ``postings``).

Public entry points, used by the web layer, the CLI and other domain modules:

* ``matcher.search.index.get_index(index_dir)`` -> ``ServiceIndex`` (opened lazily, rebuilt
  from the database with a logged warning when missing or corrupt);
* ``matcher.search.index.rebuild(index_dir, session, procs=1)`` full rebuild;
* ``matcher.search.index.update_services(app_or_index_dir, session, service_ids)``
  incremental update after a listing changes;
* ``matcher.search.engine.search(session, index, SearchRequest) -> SearchResponse``.
"""
