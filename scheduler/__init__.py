"""Regional webinars: regions, webinars, subscriptions, the APScheduler alarm clock and the
broadcast outbox. Framework-free; never imports `bot` or `handlers`.

Empty until the webinars issue: docs/architecture.md says how it plugs in.
"""
