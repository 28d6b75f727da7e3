"""One module per paper topic; each registers its claims with :func:`checks.registry.claim`.

Every module in this package is imported by :func:`checks.registry.load_all`, so adding a claim
only means adding a function here.
"""
