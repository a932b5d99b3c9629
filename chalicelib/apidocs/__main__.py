"""`python -m chalicelib.apidocs` prints the OpenAPI document (`make openapi` writes it to openapi.json)."""
import json

from app import app
from chalicelib.core import openapi

print(json.dumps(openapi.document(app), indent=2, ensure_ascii=False))
