"""Customer assistance: staff signed in to the storefront as the customer (login-as).

``services`` checks who may assist whom, hands out the single-use link, keeps the
assistance session and its log; ``admin`` holds the screens (start, log, settings).
"""
