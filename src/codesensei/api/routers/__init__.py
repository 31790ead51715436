"""One router per domain; each is thin: validate, call the domain's service, shape the answer."""
