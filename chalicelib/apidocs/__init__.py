"""The API's own description: the OpenAPI document and a docs page (Swagger UI, bundled at build time)."""
