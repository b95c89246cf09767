"""The staff side of responses: results, flag reviews, the paper import and the export."""
