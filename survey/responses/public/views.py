"""The respondents' blueprint with all its pages: importing the page modules registers their
routes on ``respond`` (they import ``pages``, never this module)."""

from survey.responses.public import open_link_views, sitting_views, text_size
from survey.responses.public.pages import respond

__all__ = ["open_link_views", "respond", "sitting_views", "text_size"]
