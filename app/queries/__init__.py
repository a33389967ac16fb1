"""Qt-free reads behind the app's screens: the SQL of every grid (columns, filters, sort
plans), the detail panes, the dashboard's figures, exports and connection checks. The
grid models in ``app/ui/models`` keep only the Qt side and call these."""
