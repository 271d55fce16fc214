"""Staff accounts. The staff pages (login, queue, cases) arrive with issue #5."""
