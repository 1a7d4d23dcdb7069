"""The admin home page: chart widgets, worklist tiles and KPIs over the visible shops."""
