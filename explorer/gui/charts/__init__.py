"""Pictures that filter: facet bar charts, a timeline and a region tile map, drawn with
QPainter from the numbers the engine returns with every ResultSet (see panel.ChartsController)."""
