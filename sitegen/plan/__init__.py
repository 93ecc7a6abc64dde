"""Planning: a validated Site in, the list of files the build will write out (:class:`~sitegen.plan.routes.Output`).

Each output names its template and the values it shows, or makes its bytes itself: web pages
(``routes``), the print kit (``printables``, with ``qr`` codes and ``mapdraw`` site plans), and
files for other programs (``exports``: feeds, calendars, vCards, sitemaps, open data).
"""
