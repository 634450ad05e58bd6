"""HTML routes of the web column; each school gets the same set under its own prefix."""
