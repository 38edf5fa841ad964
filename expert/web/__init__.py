"""``imbalance serve``: the consultation in a browser, on the same core as the terminal.

- ``app``: the Starlette application (routes, the shared knowledge base and reasoner);
- ``pages``: the handlers of the clients and consultation pages; ``results``: the findings
  or the referral, and the client sheet;
- ``questions``: a consultant's prompt as a form, and a submitted form as the consultant's
  ``Reply`` (through the same readers the terminal uses);
- ``security``: login, CSRF tokens, security headers, request size limits, the error page.

Starlette, uvicorn and python-multipart are imported only by ``imbalance serve`` (and tests).
"""
