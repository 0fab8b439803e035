"""Health scores, touch scores, quadrants, trends and outcome validation."""
