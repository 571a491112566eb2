"""Search: one small interface of ours in front of an on-disk Whoosh index.

The database is the truth; the index follows it and can always be rebuilt from it.
"""

from portal.search.index import SearchIndex

__all__ = ["SearchIndex"]
