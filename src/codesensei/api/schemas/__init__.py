"""Request and response models of the API: the OpenAPI schema is generated from these, so they are exact.

Response models list their fields explicitly rather than passing service JSON through, so a field a
service might add later (say, a question's key) cannot reach a client until someone adds it here.
"""
