"""Shared test helpers: composite walls (:mod:`helpers.walls`), convergence studies
(:mod:`helpers.convergence`), meshes and field comparisons (:mod:`helpers.meshes`)."""
