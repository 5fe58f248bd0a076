"""Browser fixtures (Chromium through Playwright) shared with tests/web/browser."""

from ..browser.conftest import browser, page_factory, shot  # noqa: F401
