"""How strong the golden master is: coverage of the corpus and its mutation score."""
