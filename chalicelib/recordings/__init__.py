"""The recordings API: projects, membership, recorded sessions, annotations, codes and comments."""
