"""One router per resource; each route parses, calls one service function and maps the
result (STYLE.md rule 9)."""
