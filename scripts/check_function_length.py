#!/usr/bin/env python3
"""Lists the functions of C++ sources longer than a limit (lines from the opening to the closing brace).

A small brace matcher, not a C++ parser: comments, strings and character literals are blanked first, then every
brace that opens a function body at namespace or class scope is matched to its closing brace (lambdas and blocks
inside a body count towards that body). Tables of data (an initialiser after '=') are not functions.

    scripts/check_function_length.py [--max N] [--allow FILE] DIR...

Exit status 1 when a function is over the limit and not in the allow list (lines "path:function", # comments), or
when an entry of the allow list is no longer over the limit (the list only shrinks).
"""
import argparse
import pathlib
import re
import sys

from allowlist import read_allow_list, stale_entries

CONTROL = re.compile(r"\b(if|for|while|switch|catch|do|else|try)\s*$")
SCOPE = re.compile(r"\b(namespace|class|struct|union|enum)\b[^()]*$")


def blank(text):
    """Comments, strings and char literals replaced by spaces (newlines kept, so line numbers hold)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith('R"', i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if m:
                end = text.find(")" + m.group(1) + '"', i)
                end = n if end < 0 else end + len(m.group(1)) + 2
                out.append(re.sub(r"[^\n]", " ", text[i:end]))
                i = end
            else:
                out.append(c)
                i += 1
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            if c == "'" and j - i > 4:  # a digit separator (1'000), not a literal
                out.append(c)
                i += 1
                continue
            out.append(re.sub(r"[^\n]", " ", text[i:j + 1]))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(text):
    """(name, first line, line count) of every function body at namespace or class scope."""
    code = blank(text)
    found = []
    stack = []  # per open brace: "scope" (namespace/class), "function" or "block"
    start = 0  # where the text before the next brace begins
    body_start = None
    name = ""
    for i, c in enumerate(code):
        if c in ";":
            start = i + 1
        elif c == "{":
            head = code[start:i].strip()
            start = i + 1
            if "function" in stack:
                stack.append("block")
                continue
            if SCOPE.search(head) or head.endswith("extern \"C\"") or not head:
                stack.append("scope")
                continue
            if "(" not in head or CONTROL.search(head.split("(")[0]) or re.search(r"=\s*$", head) or \
                    re.search(r"=\s*[\w:<>, ]*$", head):
                stack.append("block")
                continue
            stack.append("function")
            body_start = code.count("\n", 0, i) + 1
            m = re.search(r"([~\w:]+(?:operator\s*\S+)?)\s*\(", head)
            name = m.group(1) if m else head[:40]
        elif c == "}":
            start = i + 1
            if not stack:
                continue
            kind = stack.pop()
            if kind == "function":
                end = code.count("\n", 0, i) + 1
                found.append((name, body_start, end - body_start + 1))
    return found


def self_test():
    """The matcher on made-up sources: braces in strings, comments and lambdas do not end a body; tables are data."""
    body = "\n".join(f"    x += {i};" for i in range(148))
    source = (
        "namespace ts {\n"
        "const int kTable[] = {\n1, 2,\n3};\n"
        "struct S { int f() const { return 1; } };\n"
        "int longOne(int x)\n{\n"
        "    const char *s = \"}}}\"; // }\n"
        "    auto f = [&](int y) { if (y) { return y; } return 0; };\n"
        f"{body}\n"
        "    return f(x);\n}\n"
        "} // namespace ts\n")
    found = {name: count for name, _, count in functions(source)}
    assert found == {"f": 1, "longOne": 153}, found
    print("self-test passed")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--max", type=int, default=150)
    ap.add_argument("--allow", help="file of 'path:function' lines that may stay over the limit")
    args = ap.parse_args()
    allowed = read_allow_list(args.allow)
    over = []
    for d in args.dirs:
        for path in sorted(pathlib.Path(d).rglob("*.cpp")):
            for name, first, count in functions(path.read_text(errors="replace")):
                if count > args.max:
                    over.append((str(path), name, first, count))
    failing = [o for o in over if f"{o[0]}:{o[1]}" not in allowed]
    for path, name, first, count in over:
        tag = "" if (path, name, first, count) in failing else " (allowed)"
        print(f"{path}:{first}: {name} is {count} lines{tag}")
    # The allow list only shrinks: an entry whose function is now short enough (or gone) must leave it.
    stale = stale_entries(allowed, [f"{o[0]}:{o[1]}" for o in over], args.allow, f"no longer over {args.max} lines")
    if failing:
        print(f"{len(failing)} function(s) over {args.max} lines", file=sys.stderr)
    return 1 if failing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
