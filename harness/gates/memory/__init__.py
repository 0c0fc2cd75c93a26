"""Memory gate: memray growth per replay, peak memory, leak flame graphs, bounded structures."""
