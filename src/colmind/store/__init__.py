"""On-disk storage: atomic files, locks, metas, repositories, artifacts and the index."""
