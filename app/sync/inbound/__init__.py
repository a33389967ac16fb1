"""What comes in: PayTrace transactions and settlements, Sage Pro's customers and invoices."""
