"""Pure geometry for "nearest" queries: circles on the sphere and the geohash cells that cover them."""
