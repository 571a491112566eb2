"""Places: localities (how services and care teams are organised) and postcodes."""
