"""A small SQL tokenizer for the playground's statement filter (pure).

It only has to agree with DuckDB's lexer on where strings, quoted names and
comments begin and end, so that a function name hidden inside what looks like
a string (or a string hidden inside what looks like a comment) cannot slip
past the filter: DuckDB's nested /* */ comments, -- comments ended by a line
feed or a carriage return, '' and E'\\'' strings, $tag$ dollar quotes, and
"" and `` quoted names are all handled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WORD = "word"  # an unquoted name or keyword
QUOTED = "quoted"  # a "quoted name", unescaped
STRING = "string"  # a string literal, unescaped enough to inspect
NUMBER = "number"
OP = "op"  # any other single character

_WORD = re.compile(r"[^\W\d][\w$]*")
_NUMBER = re.compile(r"\d[\w.]*|\.\d[\w]*")
_DOLLAR = re.compile(r"\$([^\W\d]\w*)?\$")


@dataclass(frozen=True)
class Token:
    """One token: its kind, its text (names unquoted) and where it starts."""

    kind: str
    text: str
    start: int

    @property
    def upper(self) -> str:
        """The text upper-cased, for keyword comparisons."""
        return self.text.upper()

    def is_word(self, *words: str) -> bool:
        """True for an unquoted word that is one of ``words`` (any case)."""
        return self.kind == WORD and self.upper in words

    @property
    def is_name(self) -> bool:
        """True for a token that can name a table, schema, catalog or function."""
        return self.kind in (WORD, QUOTED)


def tokenize(sql: str) -> list[Token]:
    """Split SQL into tokens, dropping whitespace and comments."""
    tokens: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c.isspace():
            i += 1
        elif sql.startswith("--", i):
            i = _line_comment_end(sql, i)
        elif sql.startswith("/*", i):
            i = _block_comment_end(sql, i)
        elif c == "'":
            i = _string(sql, i, i, tokens, backslashes=False)
        elif c in ('"', "`"):  # DuckDB reads `name` as a quoted name too
            end = _quoted_end(sql, i, c)
            tokens.append(Token(QUOTED, sql[i + 1 : end - 1].replace(c * 2, c), i))
            i = end
        elif c == "$" and (dollar := _DOLLAR.match(sql, i)):
            tag = dollar.group(0)
            end = sql.find(tag, dollar.end())
            end = n if end < 0 else end + len(tag)
            tokens.append(Token(STRING, sql[dollar.end() : max(end - len(tag), dollar.end())], i))
            i = end
        elif word := _WORD.match(sql, i):
            if word.group(0) in ("E", "e") and sql.startswith("'", word.end()):
                i = _string(sql, i, word.end(), tokens, backslashes=True)
            else:
                tokens.append(Token(WORD, word.group(0), i))
                i = word.end()
        elif number := _NUMBER.match(sql, i):
            tokens.append(Token(NUMBER, number.group(0), i))
            i = number.end()
        else:
            tokens.append(Token(OP, c, i))
            i += 1
    return tokens


def _line_comment_end(sql: str, i: int) -> int:
    """Just past a -- comment: DuckDB ends one at a line feed or a carriage return."""
    ends = [j for j in (sql.find("\n", i), sql.find("\r", i)) if j >= 0]
    return min(ends) + 1 if ends else len(sql)


def _block_comment_end(sql: str, i: int) -> int:
    """DuckDB nests /* */ comments, so count the depth."""
    depth, i = 0, i
    while i < len(sql):
        if sql.startswith("/*", i):
            depth, i = depth + 1, i + 2
        elif sql.startswith("*/", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return i
        else:
            i += 1
    return len(sql)


def _string(sql: str, start: int, quote: int, tokens: list[Token], backslashes: bool) -> int:
    """Append a string literal token starting at ``quote``; return where it ends."""
    end = _quoted_end(sql, quote, "'", backslashes)
    tokens.append(Token(STRING, sql[quote + 1 : end - 1], start))
    return end


def _quoted_end(sql: str, i: int, quote: str, backslashes: bool = False) -> int:
    """The index just past the closing quote; a doubled quote is an escaped one."""
    j = i + 1
    while j < len(sql):
        if backslashes and sql[j] == "\\":
            j += 2
        elif sql[j] == quote:
            if sql.startswith(quote * 2, j):
                j += 2
            else:
                return j + 1
        else:
            j += 1
    return len(sql)


def qualified_name(tokens: list[Token], i: int) -> tuple[list[str], int]:
    """Read ``a.b.c`` starting at ``tokens[i]``: the parts (lower-cased) and the next index."""
    parts: list[str] = []
    while i < len(tokens) and tokens[i].is_name:
        parts.append(tokens[i].text.lower())
        if i + 1 < len(tokens) and tokens[i + 1].text == "." and tokens[i + 1].kind == OP:
            i += 2
        else:
            return parts, i + 1
    return parts, i


def skip_with_clause(tokens: list[Token]) -> int:
    """The index of the first top-level token after a leading ``WITH ...`` (or 0)."""
    if not tokens or not tokens[0].is_word("WITH"):
        return 0
    depth = 0
    for i, token in enumerate(tokens):
        if token.kind == OP and token.text == "(":
            depth += 1
        elif token.kind == OP and token.text == ")":
            depth -= 1
        elif depth == 0 and token.is_word("INSERT", "UPDATE", "DELETE", "SELECT", "MERGE"):
            # The CTE list ends at the first statement keyword outside parentheses.
            return i
    return len(tokens)
