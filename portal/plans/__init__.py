"""'What's important to me' plans: written once by the person, shared with their circle."""
