"""Graph passes. TVM's own passes run on Relax (relax_pipeline); edgec's run on the graph IR, one per file."""
