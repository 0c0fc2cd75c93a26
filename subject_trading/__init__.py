"""The worked subject's plug-in for the harness: what its gates need beyond the corpus.

The trading API's own bench workloads (a server-side broadcast to subscribed clients) and the
bounded-structures check of the refactored package's session store and delivery queue, behind
``harness.subject.Subject`` (``[tool.harness] plugin = "subject_trading.plugin:TradingSubject"``).
"""
