"""The allow lists of the code checks (scripts/check_*.py): one entry per line, '#' comments; a list may only
shrink, so an entry that no longer happens is reported as stale."""
import pathlib


def read_allow_list(path):
    """The entries of the file at path (an empty set for no path)."""
    allowed = set()
    if path:
        for line in pathlib.Path(path).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                allowed.add(line)
    return allowed


def stale_entries(allowed, found, path, what):
    """Prints and returns the entries of allowed that are not among found."""
    stale = sorted(allowed - set(found))
    for entry in stale:
        print(f"{entry}: {what}; remove it from {path}")
    return stale
