"""The words of a statement as DuckDB's own lexer reads them, for the statement filter (pure).

The filter reads a statement's first words (its kind, the table it writes)
and looks for where its queries start. It reads them with ``duckdb.tokenize``,
DuckDB's lexer, not a hand-written one, so it cannot disagree with DuckDB about
where a string, a quoted name or a comment ends: a hand-written tokenizer here
once missed that a carriage return ends a -- comment and that `backticks`
quote a name.
"""

from __future__ import annotations

import bisect
import itertools
from typing import NamedTuple

import duckdb

WORD = "word"  # an unquoted name or keyword
QUOTED = "quoted"  # a "quoted name", unescaped
STRING = "string"  # a string literal, as written
NUMBER = "number"
OP = "op"  # an operator or punctuation: ( ) , . ; :: and the like

_KINDS = {
    duckdb.token_type.keyword: WORD,
    duckdb.token_type.identifier: WORD,
    duckdb.token_type.string_const: STRING,
    duckdb.token_type.numeric_const: NUMBER,
    duckdb.token_type.operator: OP,
}
_SPACE = " \t\n\r\f\v"  # DuckDB's whitespace; other characters may belong to a name
_OPENING, _CLOSING = "([{", ")]}"


class Token(NamedTuple):  # a tuple, not a dataclass: a long query has thousands of tokens
    """One token: its kind, its text (names unquoted) and where it starts and ends."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def upper(self) -> str:
        """The text upper-cased, for keyword comparisons."""
        return self.text.upper()

    def is_word(self, *words: str) -> bool:
        """True for an unquoted word that is one of ``words`` (any case)."""
        return self.kind == WORD and self.upper in words

    def is_op(self, *texts: str) -> bool:
        """True for an operator or punctuation token that is one of ``texts``."""
        return self.kind == OP and self.text in texts

    @property
    def is_name(self) -> bool:
        """True for a token that can name a table, schema, catalog or function."""
        return self.kind in (WORD, QUOTED)


def tokenize(sql: str) -> list[Token]:
    """Split SQL into tokens with DuckDB's lexer, dropping comments.

    ``sql`` must be something DuckDB has already parsed (a statement from
    ``extract_statements``), so every string and comment in it is closed.
    """
    found = duckdb.tokenize(sql)
    starts = [position for position, _ in found]
    if not sql.isascii():  # DuckDB counts UTF-8 bytes, Python characters
        starts = _characters(sql, starts)
    ends = [*starts[1:], len(sql)]
    tokens = []
    for (_, kind), start, end in zip(found, starts, ends, strict=True):
        if kind != duckdb.token_type.comment:
            tokens.append(_token(_KINDS.get(kind, OP), sql[start:end].rstrip(_SPACE), start))
    return tokens


def first_token_start(sql: str) -> int:
    """Where the first token that is not a comment begins, in characters (0 when there is none)."""
    for position, kind in duckdb.tokenize(sql):
        if kind != duckdb.token_type.comment:
            return position if sql.isascii() else len(sql.encode()[:position].decode())
    return 0


def _token(kind: str, text: str, start: int) -> Token:
    """A token from its text as written: a quoted name is unquoted, its doubled quotes undone."""
    end = start + len(text)
    if kind == WORD and text[:1] in ('"', "`"):
        return Token(QUOTED, text[1:-1].replace(text[0] * 2, text[0]), start, end)
    return Token(kind, text, start, end)


def _characters(sql: str, byte_offsets: list[int]) -> list[int]:
    """Character offsets in ``sql`` for offsets into its UTF-8 encoding."""
    ends = list(itertools.accumulate(len(c.encode()) for c in sql))
    return [bisect.bisect_right(ends, offset) for offset in byte_offsets]


def qualified_name(tokens: list[Token], i: int) -> tuple[list[str], int]:
    """Read ``a.b.c`` starting at ``tokens[i]``: the parts (lower-cased) and the next index."""
    parts: list[str] = []
    while i < len(tokens) and tokens[i].is_name:
        parts.append(tokens[i].text.lower())
        if i + 1 < len(tokens) and tokens[i + 1].is_op("."):
            i += 2
        else:
            return parts, i + 1
    return parts, i


def find_top(tokens: list[Token], start: int, word: str) -> int:
    """The index of the first ``word`` at or after ``start`` outside any brackets, or -1."""
    depth = 0
    for i in range(start, len(tokens)):
        token = tokens[i]
        if token.kind == OP and token.text in _OPENING:
            depth += 1
        elif token.kind == OP and token.text in _CLOSING:
            depth -= 1
        elif depth == 0 and token.is_word(word):
            return i
    return -1


def skip_with_clause(tokens: list[Token]) -> int:
    """The index of the first top-level token after a leading ``WITH ...`` (or 0)."""
    if not tokens or not tokens[0].is_word("WITH"):
        return 0
    depth = 0
    for i, token in enumerate(tokens):
        if token.is_op("("):
            depth += 1
        elif token.is_op(")"):
            depth -= 1
        elif depth == 0 and token.is_word("INSERT", "UPDATE", "DELETE", "SELECT", "MERGE"):
            # The CTE list ends at the first statement keyword outside parentheses.
            return i
    return len(tokens)
