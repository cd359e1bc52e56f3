"""The small grammar of constraint strings: ``"a <= b"``, ``"age >= 18"``, ``"t = a + 2 * b - 3"``.

    constraint := side ("<=" | "<" | ">=" | ">") side  |  column ("=" | "==") sum
    side       := column | number
    sum        := ["-"] term (("+" | "-") term)*
    term       := number | number "*" column | column

Column names are matched against the table's columns, longest first (so
``hours-per-week`` is one name), or quoted in backticks. Nothing is
evaluated: the parser builds an :class:`~skgen.constraints.Inequality` or a
:class:`~skgen.constraints.LinearEquation`.
"""

import re

from ..constraints import Inequality, LinearEquation

_NUMBER = re.compile(r"(\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)")
_OPERATORS = ("<=", ">=", "==", "<", ">", "=", "+", "-", "*")


def parse_constraint(text, columns):
    """A constraint object from ``text``; ``columns`` are the table's column names."""
    tokens = _tokens(text, columns)
    comparisons = [i for i, (kind, value) in enumerate(tokens) if kind == "op" and value in ("<=", ">=", "<", ">")]
    equals = [i for i, (kind, value) in enumerate(tokens) if kind == "op" and value in ("=", "==")]
    if len(comparisons) + len(equals) != 1:
        raise ValueError(
            f"Cannot parse constraint {text!r}: expected one comparison (<=, <, >=, >) or one '=', "
            'as in "start <= end" or "total = a + b".'
        )
    if comparisons:
        i = comparisons[0]
        left, op, right = _side(tokens[:i], text), tokens[i][1], _side(tokens[i + 1 :], text)
        if not isinstance(left, str) and not isinstance(right, str):
            raise ValueError(f"Constraint {text!r} compares two numbers; name a column.")
        if op in (">=", ">"):
            left, right = right, left
        return Inequality(left, right, strict=op in ("<", ">"))
    i = equals[0]
    target = _side(tokens[:i], text)
    if not isinstance(target, str):
        raise ValueError(f"Constraint {text!r}: the left of '=' must be one column, the one computed.")
    terms, constant = _sum(tokens[i + 1 :], text)
    if target in terms:
        raise ValueError(f"Constraint {text!r}: column {target!r} is on both sides of '='.")
    if not terms:
        raise ValueError(f"Constraint {text!r} sets {target!r} to a constant; drop the column instead.")
    return LinearEquation(target, terms, constant)


def _tokens(text, columns):
    if not isinstance(text, str):
        raise TypeError(f"A constraint must be a string or a skgen.constraints object; got {text!r}.")
    by_name = {str(c): c for c in columns}
    # Names that read as numbers (the columns of an array: 0, 1, ...) need backticks.
    names = sorted((n for n in by_name if not _NUMBER.fullmatch(n)), key=len, reverse=True)
    tokens, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if text[i] == "`":
            end = text.find("`", i + 1)
            if end < 0:
                raise ValueError(f"Cannot parse constraint {text!r}: a backtick is not closed.")
            name = text[i + 1 : end]
            if name not in by_name:
                raise ValueError(f"Constraint {text!r} names unknown column {name!r}.")
            tokens.append(("column", by_name[name]))
            i = end + 1
            continue
        name = next((n for n in names if text.startswith(n, i) and not _continues(text, i + len(n))), None)
        if name is not None:
            tokens.append(("column", by_name[name]))
            i += len(name)
            continue
        number = _NUMBER.match(text, i)
        if number:
            tokens.append(("number", float(number.group())))
            i = number.end()
            continue
        op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
        if op is not None:
            tokens.append(("op", op))
            i += len(op)
            continue
        word = re.match(r"[\w.]+", text[i:])
        shown = word.group() if word else text[i]
        raise ValueError(f"Constraint {text!r} names unknown column {shown!r}; columns are {list(columns)}.")
    return tokens


def _continues(text, i):
    """A name ends where a letter, digit or underscore does not follow."""
    return i < len(text) and (text[i].isalnum() or text[i] == "_")


def _side(tokens, text):
    if len(tokens) == 2 and tokens[0] == ("op", "-") and tokens[1][0] == "number":
        return -tokens[1][1]
    if len(tokens) != 1 or tokens[0][0] == "op":
        raise ValueError(
            f"Cannot parse constraint {text!r}: each side of a comparison is one column or one number."
        )
    return tokens[0][1]


def _sum(tokens, text):
    terms, constant, sign, i = {}, 0.0, 1.0, 0
    if tokens and tokens[0] == ("op", "-"):
        sign, i = -1.0, 1
    expect_term = True
    while i < len(tokens):
        kind, value = tokens[i]
        if expect_term:
            if kind == "number" and i + 2 < len(tokens) and tokens[i + 1] == ("op", "*") and tokens[i + 2][0] == "column":
                column = tokens[i + 2][1]
                terms[column] = terms.get(column, 0.0) + sign * value
                i += 3
            elif kind == "number":
                constant += sign * value
                i += 1
            elif kind == "column":
                terms[value] = terms.get(value, 0.0) + sign
                i += 1
            else:
                raise ValueError(f"Cannot parse constraint {text!r}: expected a column or a number, got {value!r}.")
            expect_term = False
        else:
            if kind != "op" or value not in "+-":
                raise ValueError(f"Cannot parse constraint {text!r}: expected '+' or '-', got {value!r}.")
            sign = 1.0 if value == "+" else -1.0
            expect_term = True
            i += 1
    if expect_term:
        raise ValueError(f"Cannot parse constraint {text!r}: it ends with an operator.")
    return terms, constant
