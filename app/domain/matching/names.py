"""Fuzzy billing-name search with tie rejection, blocked so it never scans every customer.

Names are compared as normalised, word-sorted text with rapidfuzz's ratio (a token-sort
ratio with the sorting done once per customer). Blocking: a name is filed under the
3-letter prefixes of its words, all of them and all-but-one of them, so a query only meets
customers that share the prefixes of all but at most one of its words. Two names that
reach the 88% threshold almost always do; a name with two words misspelt near their start
is missed, which costs only a review (the name is the weakest evidence), never a wrong
match.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import combinations

from rapidfuzz import fuzz, process

_LEGAL_WORDS = frozenset(
    "inc incorporated llc ltd limited co corp corporation company the lp llp plc pc".split()  # noqa: SIM905
)
_NON_WORD = re.compile(r"[^a-z0-9]+")
_PREFIX = 3
# A billing name's sub-names are looked up word set by word set; beyond this many words
# only the whole name and its supersets are (2**8 lookups at most).
_MAX_SUBNAME_WORDS = 8


def normalise_name(name: str) -> str:
    """Lower case, ``&`` as "and", no punctuation or legal suffixes, words sorted.

    Sorting the words makes a plain ratio behave like a token-sort ratio, with the work
    done once per customer instead of once per comparison.
    """
    words = _NON_WORD.sub(" ", name.lower().replace("&", " and ")).split()
    return " ".join(sorted(w for w in words if w not in _LEGAL_WORDS))


def _block_keys(normalised: str) -> set[tuple[str, ...]]:
    prefixes = sorted(word[:_PREFIX] for word in normalised.split())
    keys = {tuple(prefixes)}
    if len(prefixes) > 1:
        keys.update(tuple(prefixes[:i] + prefixes[i + 1 :]) for i in range(len(prefixes)))
    return keys


class NameIndex:
    """Customers' names, searchable by a billing name; results cached per normalised query."""

    def __init__(self, names: Iterable[tuple[str, str]], threshold: int, tie_margin: int) -> None:
        """``names``: (customer_id, normalised name) pairs."""
        self._threshold = threshold
        self._margin = tie_margin
        # block key -> {customer: normalised name}: a query's blocks merge in C (dict.update)
        # and hand over owners and names together, in the order the customers came.
        self._blocks: dict[tuple[str, ...], dict[str, str]] = defaultdict(dict)
        self._names: dict[str, str] = {}
        self._by_name: dict[str, list[str]] = defaultdict(list)
        self._by_word: dict[str, set[str]] = defaultdict(set)
        # Customers by each pair of words in their name: a query's two rarest words meet a
        # few customers where one word alone meets thousands ("dental", "logistics").
        self._by_pair: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._long_names: list[str] = []  # too many words to file every pair
        for customer_id, normalised in names:
            if not normalised:
                continue
            self._names[customer_id] = normalised
            self._by_name[normalised].append(customer_id)
            words = sorted(set(normalised.split()))
            for word in words:
                self._by_word[word].add(customer_id)
            if len(words) > _MAX_SUBNAME_WORDS:
                self._long_names.append(customer_id)
            else:
                for pair in combinations(words, 2):
                    self._by_pair[pair].add(customer_id)
            for key in _block_keys(normalised):
                self._blocks[key][customer_id] = normalised
        self._cache: dict[str, tuple[str | None, int, tuple[str, ...]]] = {}
        self._relatives_cache: dict[str, frozenset[str]] = {}

    def relatives(self, query: str) -> set[str]:
        """Everyone a billing name could mean: customers whose name holds every word of
        ``query`` (Smith Plumbing → Smith Plumbing & Heating), whose every word ``query``
        holds (the other way round), or that reach the fuzzy threshold. ``query`` is
        normalised (words sorted)."""
        cached = self._relatives_cache.get(query)
        if cached is None:
            cached = self._relatives_cache[query] = frozenset(self._find_relatives(query))
        return set(cached)

    def _find_relatives(self, query: str) -> set[str]:
        words = query.split()
        if not words:
            return set()
        found = self._holding_every_word(words)
        if len(words) <= _MAX_SUBNAME_WORDS:
            for size in range(1, len(words)):
                for combo in combinations(words, size):  # sorted words give sorted names
                    found.update(self._by_name.get(" ".join(combo), ()))
        blocked: dict[str, None] = {}
        for key in _block_keys(query):
            blocked.update(dict.fromkeys(self._blocks.get(key, ())))
        owners = list(blocked)
        close = process.extract(
            query,
            [self._names[c] for c in owners],
            scorer=fuzz.ratio,
            limit=None,
            score_cutoff=self._threshold,
        )
        found.update(owners[i] for _, _, i in close)
        return found

    def _holding_every_word(self, words: list[str]) -> set[str]:
        """Customers whose name holds every one of ``words``."""
        rarest = sorted(set(words), key=lambda w: len(self._by_word.get(w, ())))
        if len(rarest) == 1:
            return set(self._by_word.get(rarest[0], ()))
        first, second = sorted(rarest[:2])
        holders = [self._by_word.get(w, set()) for w in rarest]
        pool = self._by_pair.get((first, second), set()) | {
            c for c in self._long_names if c in holders[0] and c in holders[1]
        }
        return {c for c in pool if all(c in held for held in holders[2:])}

    def search(
        self, query: str, among: Sequence[str] = ()
    ) -> tuple[str | None, int, tuple[str, ...]]:
        """(customer, score, ()) for a clear winner, (None, 0, tied customers) for a tie,
        (None, 0, ()) when nothing reaches the threshold. ``query`` is normalised;
        ``among`` restricts the search to those customers."""
        if not query:
            return None, 0, ()
        if among:
            owners = [c for c in among if c in self._names]
            return self._best(query, owners, [self._names[c] for c in owners])
        cached = self._cache.get(query)
        if cached is None:
            candidates: dict[str, str] = {}
            for key in _block_keys(query):
                candidates.update(self._blocks.get(key, {}))
            cached = self._best(query, list(candidates), list(candidates.values()))
            self._cache[query] = cached
        return cached

    def _best(
        self, query: str, owners: list[str], keys: list[str]
    ) -> tuple[str | None, int, tuple[str, ...]]:
        """``keys``: the owners' normalised names, position by position."""
        found = process.extract(
            query,
            keys,
            scorer=fuzz.ratio,
            limit=3,
            score_cutoff=max(0, self._threshold - self._margin),
        )
        if not found or found[0][1] < self._threshold:
            return None, 0, ()
        best_score = found[0][1]
        rivals = [owners[i] for _, score, i in found[1:] if best_score - score < self._margin]
        if rivals:
            return None, 0, (owners[found[0][2]], *rivals)
        return owners[found[0][2]], round(best_score), ()
