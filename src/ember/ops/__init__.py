"""ember's differentiable primitives, grouped by family; each is an ``Op`` subclass."""
