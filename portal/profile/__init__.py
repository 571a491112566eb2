"""A resident's personal details (encrypted at rest), and who may read them."""
