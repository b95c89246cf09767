"""The respondents' side of responses: the public pages (open links, token sittings), the
integrity checks that flag suspicious answers, and the one intake both pages submit through."""
