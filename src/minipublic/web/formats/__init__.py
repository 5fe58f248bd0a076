"""Date formats of the site's languages (``FORMAT_MODULE_PATH``): day month year, 24-hour clock.

Django's English default ("Dec. 3, 2026, 7:24 a.m.") is American; the site
writes "3 December 2026, 07:24" in English and "3 Rhagfyr 2026, 07:24" in
Welsh. Input formats are left to Django's own locale files.
"""
