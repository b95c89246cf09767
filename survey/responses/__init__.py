"""Survey responses. ``models``, ``queries`` and ``services`` (the one write path) are shared;
``public/`` holds the respondents' pages, ``admin/`` the staff's (results, flags, import,
export). ``public`` and ``admin`` never import each other."""
